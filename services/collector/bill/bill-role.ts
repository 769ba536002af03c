import { Registry } from 'prom-client';
import { defineRole } from '../../cli/role.js';
import { createCodec } from '../../codec/create-codec.js';
import { BatchingProducer } from '../../kafka/batching-producer.js';
import { chunkTopicMessages } from '../../kafka/chunk-messages.js';
import { DeadLetterPublisher } from '../../kafka/dead-letter.js';
import { createKafka, createProducer } from '../../kafka/kafka-client.js';
import { createConsumerMetrics } from '../../kafka/kafka-metrics.js';
import { kafkaSecurityOf } from '../../kafka/kafka-security.js';
import { provisionTopics } from '../../kafka/provision-topics.js';
import { TOPICS } from '../../kafka/topics.js';
import { startHealthServer } from '../../lifecycle/health-server.js';
import { servingSecurityOf } from '../../lifecycle/http-listener.js';
import { stopOnSignals } from '../../lifecycle/shutdown.js';
import { createLogger } from '../../log/logger.js';
import { createBillMetrics } from './bill-metrics.js';
import { BillRunner } from './bill-runner.js';
import { billSettings } from './bill-settings.js';
import { directorySource } from './directory-source.js';
import { s3Source } from './s3-source.js';
import { loadState, saveState } from './state-file.js';
import { runPeriodically } from '../../lifecycle/periodic-loop.js';

/** `kcost collect bill`: publishes the lines of FOCUS and CUR 2.0 billing exports to kcost.billing.v1. */
export const billRole = defineRole({
  name: 'bill',
  usage: 'bill --source <dir|s3://bucket/prefix> [flags]',
  summary: 'Publish cloud bill lines (FOCUS 1.0-1.2, AWS CUR 2.0) to kcost.billing.v1.',
  description: [
    'Reads billing exports from a directory or an S3 bucket: FOCUS 1.0, 1.1 and 1.2 and AWS Cost and Usage Report 2.0, as CSV or Parquet, optionally gzip-compressed, and publishes one BillingLine record per line (FOCUS columns; CUR 2.0 columns mapped to them, docs/billing.md) keyed billingAccountId/billingPeriodStart/lineId.',
    'Incremental: a file is read again only when its version (S3 ETag, or mtime and size) changes. The lines in effect for a billing period are those of the newest delivery folder holding it; when a period is re-delivered its lines are published again and a tombstone retires every key of the period the new delivery no longer holds, as providers restate charges through the month.',
    'A row that cannot be read (cut short, a bad date or number, a value FOCUS does not allow) goes to kcost.deadletter.v1 with the file, the row and the reason, and is counted in kcost_bill_rows_dead_lettered_total; the rest of the file is loaded. Columns kcost does not read are ignored, except FOCUS x_ columns, kept in BillingLine.extensions.',
    'Scans every --every (once with --every 0). Serves /healthz, /readyz and /metrics on --health-port and stops cleanly on SIGTERM, after the scan in hand.',
  ].join('\n\n'),
  settings: billSettings,
  async run(config) {
    const logger = createLogger({ service: 'collect-bill', level: config.logLevel });
    const registry = new Registry();
    const source = config.source.startsWith('s3://')
      ? s3Source({ url: config.source, region: config.s3Region, endpointUrl: config.s3EndpointUrl, maxAttempts: config.awsMaxAttempts })
      : directorySource(config.source);
    const initialState = config.stateFile ? await loadState(config.stateFile) : undefined;
    const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await provisionTopics(admin, [{ ...TOPICS.billing, name: config.billingTopic }, { ...TOPICS.deadLetter, name: config.deadLetterTopic }], config.replicationFactor);
    } finally {
      await admin.disconnect();
    }
    const kafkaProducer = createProducer(kafka);
    await kafkaProducer.connect();
    const codec = createCodec(config);
    const producer = new BatchingProducer({ producer: kafkaProducer, codec, logger });
    const deadLetters = new DeadLetterPublisher({ producer, service: 'collect-bill', counter: createConsumerMetrics(registry).deadLetters, logger, topic: config.deadLetterTopic });
    const runner = new BillRunner({
      source,
      publish: async (records) => {
        // Tombstones need a null value, which the batching producer does not encode, so lines and tombstones go out here in one ordered batch.
        const messages = await Promise.all(records.map(async (r) => ({ key: r.key, value: r.value === null ? null : await codec.encode('BillingLine', r.value) })));
        for (const chunk of chunkTopicMessages([{ topic: config.billingTopic, messages }])) await kafkaProducer.sendBatch({ topicMessages: chunk, acks: -1 });
      },
      deadLetter: (rejected, error) => deadLetters.publish(rejected, error),
      saveState: config.stateFile ? (state) => saveState(config.stateFile, state) : () => Promise.resolve(),
      ...(initialState ? { initialState } : {}),
      metrics: createBillMetrics(registry),
      logger,
      clock: Date.now,
    });
    try {
      if (config.every === 0) return (await runner.scan()).ok ? 0 : 1;
      let ready = false;
      const health = await startHealthServer({ port: config.healthPort, isReady: () => ready, registry, security: servingSecurityOf(config, logger) });
      const loop = runPeriodically(async () => {
        await runner.scan();
        ready = true;
      }, config.every);
      await stopOnSignals(loop.stop, logger);
      await producer.flush();
      await health.close();
      return 0;
    } finally {
      await kafkaProducer.disconnect();
    }
  },
});
