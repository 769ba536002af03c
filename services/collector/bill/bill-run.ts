import { Registry } from 'prom-client';
import type { RoleRun } from '../../cli/role.js';
import { createCodec } from '../../codec/create-codec.js';
import { BatchingProducer } from '../../kafka/batching-producer.js';
import { chunkTopicMessages } from '../../kafka/chunk-messages.js';
import { DeadLetterPublisher } from '../../kafka/dead-letter.js';
import { createKafka, createProducer } from '../../kafka/kafka-client.js';
import { createConsumerMetrics } from '../../kafka/kafka-metrics.js';
import { TOPICS } from '../../kafka/topics.js';
import { kafkaSecurityOf } from '../../kafka/kafka-security.js';
import { provisionTopics } from '../../kafka/provision-topics.js';
import { startHealthServer } from '../../lifecycle/health-server.js';
import { servingSecurityOf } from '../../lifecycle/http-listener.js';
import { stopOnSignals } from '../../lifecycle/shutdown.js';
import { createLogger } from '../../log/logger.js';
import { createBillMetrics } from './bill-metrics.js';
import { BillRunner } from './bill-runner.js';
import type { billSettings } from './bill-settings.js';
import { directorySource } from './directory-source.js';
import { s3Source } from './s3-source.js';
import { loadState, saveState } from './state-file.js';
import { runPeriodically } from '../../lifecycle/periodic-loop.js';

/** Runs `kcost bill`; its help and settings are in bill-role.ts. */
export const run: RoleRun<typeof billSettings> = async (config) => {
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
};
