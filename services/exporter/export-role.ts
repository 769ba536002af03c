import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { defineRole } from '../cli/role.js';
import { createCodec } from '../codec/create-codec.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import { BatchingProducer } from '../kafka/batching-producer.js';
import { DeadLetterPublisher } from '../kafka/dead-letter.js';
import { createKafka, createProducer } from '../kafka/kafka-client.js';
import { createConsumerMetrics } from '../kafka/kafka-metrics.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { createLogger } from '../log/logger.js';
import { buildExporter } from './exporter.js';
import { exporterSettings } from './exporter-settings.js';

/** `kcost export`: serves kube_cost_* Prometheus metrics from the cost topics. */
export const exportRole = defineRole({
  name: 'export',
  usage: 'export [flags]',
  summary: 'Serve cost metrics to Prometheus.',
  description: [
    'Consumes kcost.costs.v1, kcost.node-costs.v1 and kcost.anomalies.v1 and serves on --health-port: /metrics (kube_cost_* series, then the exporter\'s own kube_cost_exporter_* and kcost_* metrics), /healthz and /readyz. No database is read: series are rendered when records arrive and joined on scrape.',
    'Series: kube_cost_pod_hourly_usd{cluster,namespace,pod,node} (latest window of the pod, per hour), kube_cost_pod_pv_monthly_usd{cluster,namespace,pod}, kube_cost_pv_monthly_usd{cluster,persistentvolume,storage_class} (per persistent volume, USD per 730-hour month: the sum over the pods mounting it of their share in their latest window × 730 h × 3600 / windowSeconds; it disappears with the last of those pods), kube_cost_namespace_daily_usd{cluster,namespace} (cost so far in the current UTC day of the cluster, by window start), kube_cost_spot_savings_usd_total{cluster,namespace}, kube_cost_node_hourly_usd{cluster,node,instance_type,capacity_type}, kube_cost_idle_hourly_usd{cluster,node,resource}, kube_cost_anomaly_score{cluster,scope,key}. Redelivered records change nothing; a pod or node silent for --series-grace disappears.',
    'Each process reads every partition in a consumer group of its own, from --replay-from; run as many replicas as you like. With --token or --token-file, /metrics requires Authorization: Bearer <token> (the probes do not). Stops cleanly on SIGTERM.',
  ].join('\n\n'),
  settings: exporterSettings,
  async run(config) {
    const logger = createLogger({ service: 'export', level: config.logLevel });
    const token = await readToken(config.token, config.tokenFile);
    const registry = new Registry();
    const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger });
    const producer = createProducer(kafka);
    const codec = createCodec({ schemaRegistryUrl: config.schemaRegistryUrl });
    const consumerMetrics = createConsumerMetrics(registry);
    await producer.connect();
    try {
      const deadLetters = new DeadLetterPublisher({
        producer: new BatchingProducer({ producer, codec, logger }),
        service: 'export',
        counter: consumerMetrics.deadLetters,
        logger,
        topic: config.deadLetterTopic,
      });
      const exporter = buildExporter(
        { kafka, codec, deadLetters, consumerMetrics, registry, logger },
        {
          groupId: config.groupId === '' ? `kcost-export-${hostname()}-${randomUUID().slice(0, 8)}` : config.groupId,
          costsTopic: config.costsTopic,
          nodeCostsTopic: config.nodeCostsTopic,
          anomaliesTopic: config.anomaliesTopic,
          kubeTopic: config.kubeTopic,
          replayFrom: config.replayFrom,
          graceMillis: config.seriesGrace,
          port: config.healthPort,
          token,
        },
      );
      const stopped = stopOnSignals(() => exporter.stop(), logger);
      await exporter.start();
      await stopped;
      return 0;
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  },
});

async function readToken(token: string, tokenFile: string): Promise<string> {
  if (tokenFile === '') return token.trim();
  try {
    const fromFile = (await readFile(tokenFile, 'utf8')).trim();
    if (fromFile === '') throw new Error('the file is empty');
    return fromFile;
  } catch (error) {
    throw new KcostError('INVALID_CONFIG', `cannot read the bearer token from --token-file ${tokenFile}: ${messageOf(error)}`);
  }
}
