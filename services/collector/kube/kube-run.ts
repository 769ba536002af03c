import { Registry } from 'prom-client';
import type { RoleRun } from '../../cli/role.js';
import { createCodec } from '../../codec/create-codec.js';
import { BatchingProducer } from '../../kafka/batching-producer.js';
import { createKafka } from '../../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../../kafka/kafka-security.js';
import { startHealthServer } from '../../lifecycle/health-server.js';
import { servingSecurityOf } from '../../lifecycle/http-listener.js';
import { stopOnSignals } from '../../lifecycle/shutdown.js';
import { createLogger } from '../../log/logger.js';
import { loadKubeConfig } from '../kube-connection.js';
import { buildKubeCollector } from './kube-collector.js';
import type { kubeSettings } from './kube-settings.js';

/** Runs `kcost kube`; its help and settings are in kube-role.ts. */
export const run: RoleRun<typeof kubeSettings> = async (config) => {
  const logger = createLogger({ service: 'collect-kube', level: config.logLevel });
  const registry = new Registry();
  const kubeConfig = loadKubeConfig(config);
  const kafkaProducer = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await kafkaProducer.connect();
  const publisher = new BatchingProducer({ producer: kafkaProducer, codec: createCodec(config), logger });
  const collector = buildKubeCollector(
    { kubeConfig, publisher, logger, registry },
    {
      cluster: config.cluster,
      topic: config.kubeTopic,
      resyncMillis: config.resyncInterval,
      reconnectInitialMillis: config.reconnectInitialDelay,
      reconnectMaxMillis: config.reconnectMaxDelay,
      listPageSize: config.listPageSize,
    },
  );
  let health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  try {
    health = await startHealthServer({ port: config.healthPort, isReady: () => collector.isReady(), registry , security: servingSecurityOf(config, logger) });
    const stopped = stopOnSignals(() => collector.stop(), logger);
    logger.info({ server: kubeConfig.getCurrentCluster()?.server, cluster: config.cluster, topic: config.kubeTopic }, 'collecting Kubernetes state');
    await collector.start();
    await stopped;
    return 0;
  } finally {
    await health?.close();
    await kafkaProducer.disconnect();
  }
};
