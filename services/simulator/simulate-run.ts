import { writeFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import type { RoleRun } from '../cli/role.js';
import { createCodec } from '../codec/create-codec.js';
import { KcostError } from '../errors/kcost-error.js';
import { BatchingProducer } from '../kafka/batching-producer.js';
import { createKafka, createProducer } from '../kafka/kafka-client.js';
import { TOPICS } from '../kafka/topics.js';
import { kafkaSecurityOf } from '../kafka/kafka-security.js';
import { provisionTopics } from '../kafka/provision-topics.js';
import { partitionsOf } from '../processor/internal-topics.js';
import { startHealthServer } from '../lifecycle/health-server.js';
import { servingSecurityOf } from '../lifecycle/http-listener.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { createLogger } from '../log/logger.js';
import { publishEvents } from './sim-publisher.js';
import { createSimulation } from './simulation.js';
import type { simulateSettings} from './simulate-settings.js';
import { type SimulateConfig } from './simulate-settings.js';

/** Where the run starts when --start is not given: a backfill ending now at max speed, now otherwise. */
export function resolveStart(config: Pick<SimulateConfig, 'start' | 'speed' | 'duration' | 'window'>, nowMillis: number): number {
  if (config.start !== null) return config.start;
  const aligned = Math.floor(nowMillis / config.window) * config.window;
  return Number.isFinite(config.speed) ? aligned : aligned - config.duration;
}

/** Runs `kcost simulate`; its help and settings are in simulate-role.ts. */
export const run: RoleRun<typeof simulateSettings> = async (config, { stdout }) => {
  const logger = createLogger({ service: 'simulate', level: config.logLevel });
  if (config.window % 1000 !== 0) throw new Error(`--window must be whole seconds, got ${config.window} ms`);
  if (config.usageByNodeTopic !== '' && config.usageNodeWindowTopic !== '') throw new KcostError('INVALID_CONFIG', 'give --usage-by-node-topic or --usage-node-window-topic, not both: a sample goes to one of them');
  const startMillis = resolveStart(config, Date.now());
  const simulation = createSimulation({
    cluster: config.cluster,
    seed: config.seed,
    nodes: config.nodes,
    pods: config.pods,
    startMillis,
    durationMillis: config.duration,
    windowSeconds: config.window / 1000,
    ...(config.anomalies >= 0 ? { anomalies: config.anomalies } : {}),
    topics: { kube: config.kubeTopic, usage: config.usageTopic, usageByNode: config.usageByNodeTopic, usageNodeWindow: config.usageNodeWindowTopic, prices: config.pricesTopic },
  });
  const groundTruth = simulation.groundTruth();
  if (config.groundTruth) await writeFile(config.groundTruth, `${JSON.stringify(groundTruth, null, 2)}\n`);

  const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, [{ ...TOPICS.kube, name: config.kubeTopic }, { ...TOPICS.usage, name: config.usageTopic }, { ...TOPICS.prices, name: config.pricesTopic }], config.replicationFactor);
    const nodeKeyed = [
      { ...TOPICS.usageByNode, name: config.usageByNodeTopic },
      { ...TOPICS.usageNodeWindow, name: config.usageNodeWindowTopic },
    ].filter((t) => t.name !== '');
    if (nodeKeyed.length > 0) {
      // Partitioned like the usage topic as it is, as kcost topics makes it: the processor reads partition p of them together.
      const { partitions } = await partitionsOf(admin, config.usageTopic);
      await provisionTopics(admin, nodeKeyed.map((t) => ({ ...t, partitions })), config.replicationFactor);
    }
  } finally {
    await admin.disconnect();
  }
  const kafkaProducer = createProducer(kafka);
  await kafkaProducer.connect();
  const registry = new Registry();
  const health = await startHealthServer({ port: config.healthPort, isReady: () => true, registry , security: servingSecurityOf(config, logger) });
  let stopped = false;
  let wake: (() => void) | undefined;
  void stopOnSignals(() => {
    stopped = true;
    wake?.();
    return Promise.resolve();
  }, logger);
  try {
    const producer = new BatchingProducer({ producer: kafkaProducer, codec: createCodec(config), logger, maxBatchRecords: 10_000 });
    logger.info({ cluster: config.cluster, seed: config.seed, nodes: config.nodes, pods: config.pods, start: new Date(startMillis).toISOString(), durationMillis: config.duration, speed: config.speed }, 'simulation starting');
    const summary = await publishEvents(simulation.events(), {
      publish: (records) => producer.publish(records),
      speed: config.speed,
      clock: Date.now,
      sleep: (millis) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, millis);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        }),
      isStopped: () => stopped,
    });
    await producer.flush();
    const seconds = summary.elapsedMillis / 1000;
    stdout(
      `${JSON.stringify({
        cluster: config.cluster,
        seed: config.seed,
        nodes: config.nodes,
        pods: config.pods,
        start: new Date(startMillis).toISOString(),
        end: new Date(startMillis + config.duration).toISOString(),
        windowSeconds: config.window / 1000,
        speed: Number.isFinite(config.speed) ? config.speed : 'max',
        published: summary.published,
        records: summary.records,
        usageSamples: summary.usageSamples,
        lastEventAt: summary.lastEventMillis === null ? null : new Date(summary.lastEventMillis).toISOString(),
        elapsedSeconds: Number(seconds.toFixed(3)),
        recordsPerSecond: seconds > 0 ? Math.round(summary.records / seconds) : summary.records,
        anomalies: groundTruth.length,
        groundTruth: config.groundTruth || null,
        stopped: summary.stopped,
      })}\n`,
    );
    logger.info({ records: summary.records, elapsedMillis: summary.elapsedMillis, stopped: summary.stopped }, 'simulation published');
    return 0;
  } finally {
    await kafkaProducer.disconnect();
    await health.close();
  }
};
