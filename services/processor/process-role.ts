import { Registry, collectDefaultMetrics } from 'prom-client';
import { defineRole } from '../cli/role.js';
import { createCodec } from '../codec/create-codec.js';
import { createKafka } from '../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../kafka/kafka-security.js';
import { startHealthServer } from '../lifecycle/health-server.js';
import { servingSecurityOf } from '../lifecycle/http-listener.js';
import { SHUTDOWN_TIMEOUT_MILLIS, stopOnSignals, stopWithin } from '../lifecycle/shutdown.js';
import { messageOf } from '../errors/kcost-error.js';
import { createLogger } from '../log/logger.js';
import { buildProcessor } from './processor.js';
import { processorConfigOf, processorSettings } from './processor-settings.js';

/** `kcost process`: the cost processor. */
export const processRole = defineRole({
  name: 'process',
  usage: 'process [flags]',
  summary: 'Join usage, state and prices into priced pod and node costs.',
  description: [
    'The cost processor rebuilds Kubernetes state and price history from kcost.kube.v1 and kcost.prices.v1 (read in full by every',
    'instance), then runs three stages, each a consumer group: it routes kcost.usage.v1 by node to <group-id>.usage-by-node, prices',
    'whole nodes from there and, when named, from kcost.usage.bynode.v1 and kcost.usage.nodewindow.v1 (usage its producers keyed by',
    'node already, a sample or a whole node window a record, read without that copy), and',
    'scores hourly workload and namespace costs from <group-id>.cost-rates. Run as many instances as',
    'you like with one --group-id: each node is priced by one of them. Each event-time window is priced with the prices in effect',
    'at its start; for every node and window, container costs plus idle equal the node cost. It publishes kcost.costs.v1 (PodCost),',
    'kcost.node-costs.v1 (NodeCost) and kcost.anomalies.v1 (CostAnomaly) in Kafka transactions with its input offsets, so a restart',
    'never prices a window twice; read those topics with isolation read_committed. Late samples go to kcost.deadletter.v1.',
    'See docs/processor.md.',
  ].join('\n'),
  settings: processorSettings,
  async run(config) {
    const logger = createLogger({ service: 'process', level: config.logLevel });
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
    const processor = buildProcessor({ kafka, codec: createCodec({ schemaRegistryUrl: config.schemaRegistryUrl }), logger, registry }, processorConfigOf(config));
    const health = await startHealthServer({ port: config.healthPort, isReady: () => processor.ready, registry , security: servingSecurityOf(config, logger) });
    logger.info({ port: health.port }, 'health server listening');
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= processor.stop().finally(() => health.close()));
    const stopped = stopOnSignals(stop, logger);
    try {
      await processor.start();
      await Promise.race([stopped, processor.failure]);
      return 0;
    } catch (error) {
      // Exit rather than linger: a supervisor restarts the process, which resumes from the committed offsets.
      logger.error({ err: error }, `cost processor failed, exiting for a restart: ${messageOf(error)}`);
      await stopWithin(stop, SHUTDOWN_TIMEOUT_MILLIS, logger).catch((stopError: unknown) => logger.warn({ err: stopError }, 'stopping after the failure failed too'));
      return 1;
    }
  },
});
