import { Registry } from 'prom-client';
import { defineRole } from '../../cli/role.js';
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
import { kubeSettings } from './kube-settings.js';

/** `kcost collect kube`: watches the Kubernetes API and publishes the state costing needs to kcost.kube.v1. */
export const kubeRole = defineRole({
  name: 'kube',
  usage: 'kube [flags]',
  summary: 'Publish nodes, pods, volumes, claims, namespaces, autoscalers and workloads to kcost.kube.v1.',
  description:
    'Lists and watches nodes, pods, persistent volumes, claims, namespaces, HorizontalPodAutoscalers (autoscaling/v2), Deployments and StatefulSets (plus ReplicaSets and Jobs to resolve each pod to its Deployment, CronJob, StatefulSet or DaemonSet) and publishes one KubeObject per observed state, keyed cluster/kind/uid on the compacted topic. A deletion is published as the last state with deletedAt. Broken watches reconnect with backoff from the last resourceVersion; a 410 Gone relists. A malformed object is logged, counted in kcost_kube_objects_malformed_total and skipped. Needs only get/list/watch: see deploy/rbac/clusterrole.yaml. Works in a pod (service account) or with a kubeconfig.',
  settings: kubeSettings,
  async run(config) {
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
  },
});
