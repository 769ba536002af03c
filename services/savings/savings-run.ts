import { randomUUID } from 'node:crypto';
import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';
import type { RoleRun } from '../cli/role.js';
import { createCodec } from '../codec/create-codec.js';
import { createPool } from '../db/pool.js';
import { messageOf } from '../errors/kcost-error.js';
import { createKafka, createProducer } from '../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../kafka/kafka-security.js';
import { watchKubeTopic } from '../kafka/kube-topic-watcher.js';
import { startHealthServer } from '../lifecycle/health-server.js';
import { servingSecurityOf } from '../lifecycle/http-listener.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { createLogger } from '../log/logger.js';
import { commitmentTerms } from './commitment-advice.js';
import { KubeInventory } from './kube-inventory.js';
import { runSavings } from './savings-runner.js';
import type { savingsSettings } from './savings-settings.js';

/** Runs `kcost savings`; its help and settings are in savings-role.ts. */
export const run: RoleRun<typeof savingsSettings> = async (config) => {
  const logger = createLogger({ service: 'savings', level: config.logLevel });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const published = new Gauge({ name: 'kcost_savings_records', help: 'Records published by the last run, by cluster.', labelNames: ['cluster'], registers: [registry] });
  const lastRun = new Gauge({ name: 'kcost_savings_last_run_timestamp_seconds', help: 'When the last run finished.', registers: [registry] });
  const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
  const codec = createCodec(config);
  const db = createPool({ url: config.databaseUrl, max: 2, applicationName: 'kcost-savings', logger });
  const inventory = new KubeInventory();
  const watcher = await watchKubeTopic({
    kafka,
    codec,
    topic: config.kubeTopic,
    groupId: `${config.clientId}-savings-kube-${randomUUID()}`,
    observe: (key, object) => inventory.observe(key, object),
    logger,
    catchUpMillis: config.kubeCatchUpTimeout,
  });
  const producer = createProducer(kafka);
  await producer.connect();
  const termsFor = commitmentTerms({ 1: config.commitmentDiscount1y, 3: config.commitmentDiscount3y });
  const adviseOnce = async () => {
    const runs = await runSavings({
      db,
      inventory,
      producer,
      codec,
      topic: config.recommendationsTopic,
      logger,
      options: { nodePools: { maxAllocatedFraction: config.headroom }, commitments: { termsFor } },
      commitmentLookbackHours: config.commitmentLookback / 3_600_000,
      spotLookbackMillis: config.spotLookback,
    });
    for (const r of runs) published.set({ cluster: r.cluster }, r.published);
    lastRun.set(Date.now() / 1000);
    return runs;
  };
  try {
    await watcher.caughtUp;
    if (config.once) {
      const runs = await adviseOnce();
      for (const r of runs) logger.info(r, 'cluster savings');
      return 0;
    }
    let ready = false;
    const health = await startHealthServer({ port: config.healthPort, isReady: () => ready, registry, security: servingSecurityOf(config, logger) });
    logger.info({ port: health.port }, 'health server listening');
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let inFlight: Promise<void> = Promise.resolve();
    const loop = async (): Promise<void> => {
      try {
        await adviseOnce();
        ready = true;
      } catch (error) {
        // The next interval tries again: the database or broker may be back by then.
        logger.error({ err: error }, `cluster savings run failed: ${messageOf(error)}`);
      }
      if (!stopped) {
        timer = setTimeout(() => {
          inFlight = loop();
        }, config.interval);
      }
    };
    inFlight = loop();
    await stopOnSignals(async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight; // a run in progress finishes its publish before the connections close
      await health.close();
    }, logger);
    return 0;
  } finally {
    await watcher.stop();
    await producer.disconnect();
    await db.end();
  }
};
