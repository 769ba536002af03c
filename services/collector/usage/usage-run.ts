import { Registry } from 'prom-client';
import type { RoleRun } from '../../cli/role.js';
import { createCodec } from '../../codec/create-codec.js';
import { KcostError } from '../../errors/kcost-error.js';
import { BatchingProducer } from '../../kafka/batching-producer.js';
import { createKafka } from '../../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../../kafka/kafka-security.js';
import { startHealthServer } from '../../lifecycle/health-server.js';
import { servingSecurityOf } from '../../lifecycle/http-listener.js';
import { stopOnSignals } from '../../lifecycle/shutdown.js';
import { createLogger } from '../../log/logger.js';
import { kubeGetJson, loadKubeConfig } from '../kube-connection.js';
import { InformerPodDirectory } from './informer-pod-directory.js';
import { buildUsageCollector } from './usage-collector.js';
import type { usageSettings } from './usage-settings.js';
import { createUsageSource } from './usage-source-factory.js';

/** Runs `kcost usage`; its help and settings are in usage-role.ts. */
export const run: RoleRun<typeof usageSettings> = async (config) => {
  if (config.scrapeInterval <= 0 || config.scrapeInterval > config.windowSeconds * 1000) {
    throw new KcostError('INVALID_CONFIG', `invalid value ${config.scrapeInterval}ms for --scrape-interval: expected more than 0 and at most the window (${config.windowSeconds}s)`);
  }
  if (config.usageByNodeTopic !== '' && config.usageNodeWindowTopic !== '') {
    throw new KcostError('INVALID_CONFIG', 'give --usage-by-node-topic or --usage-node-window-topic, not both: a sample goes to one of them');
  }
  const logger = createLogger({ service: 'collect-usage', level: config.logLevel });
  const registry = new Registry();
  const kubeConfig = loadKubeConfig(config);
  const directory = new InformerPodDirectory({ kubeConfig, logger, backoff: { initialMillis: 1000, maxMillis: 30_000 }, pageSize: config.listPageSize });
  const kafkaProducer = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await kafkaProducer.connect();
  const publisher = new BatchingProducer({ producer: kafkaProducer, codec: createCodec(config), logger });
  const source = createUsageSource(config.usageSource, {
    get: (path, signal) => kubeGetJson(kubeConfig, path, signal),
    directory,
    logger,
    registry,
    concurrency: config.summaryConcurrency,
  });
  const collector = buildUsageCollector(
    { source, publisher, logger, registry, podExists: (uid) => directory.hasPod(uid) },
    { cluster: config.cluster, topic: config.usageTopic, usageByNodeTopic: config.usageByNodeTopic, usageNodeWindowTopic: config.usageNodeWindowTopic, windowSeconds: config.windowSeconds, scrapeIntervalMillis: config.scrapeInterval, maxGapWindows: config.maxGapWindows },
  );
  let health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  try {
    health = await startHealthServer({ port: config.healthPort, isReady: () => directory.synced && collector.isReady(), registry , security: servingSecurityOf(config, logger) });
    const stopped = stopOnSignals(async () => {
      await directory.stop();
      await collector.stop();
    }, logger);
    await directory.start();
    logger.info({ source: config.usageSource, windowSeconds: config.windowSeconds, topic: config.usageTopic }, 'collecting usage');
    await Promise.all([collector.run(), stopped]);
    return 0;
  } finally {
    await health?.close();
    await directory.stop();
    await kafkaProducer.disconnect();
  }
};
