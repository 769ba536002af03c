import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { RoleRun } from '../../cli/role.js';
import { createCodec } from '../../codec/create-codec.js';
import { BatchingProducer } from '../../kafka/batching-producer.js';
import { createKafka, createProducer } from '../../kafka/kafka-client.js';
import { TOPICS } from '../../kafka/topics.js';
import { kafkaSecurityOf } from '../../kafka/kafka-security.js';
import { provisionTopics } from '../../kafka/provision-topics.js';
import { startHealthServer } from '../../lifecycle/health-server.js';
import { servingSecurityOf } from '../../lifecycle/http-listener.js';
import { stopOnSignals } from '../../lifecycle/shutdown.js';
import { createLogger } from '../../log/logger.js';
import { KubeScope, watchKubeNodes } from './kube-scope.js';
import { buildPriceCollector } from './price-collector.js';
import type { pricesSettings } from './prices-settings.js';

/** Runs `kcost prices`; its help and settings are in prices-role.ts. */
export const run: RoleRun<typeof pricesSettings> = async (config) => {
  const logger = createLogger({ service: 'collect-prices', level: config.logLevel });
  const registry = new Registry();
  const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
  // A missing topic would make every publish wait on the broker forever; create it like `kcost topics` would.
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, [{ ...TOPICS.prices, name: config.pricesTopic }], config.replicationFactor);
  } finally {
    await admin.disconnect();
  }
  const kafkaProducer = createProducer(kafka);
  await kafkaProducer.connect();
  const codec = createCodec(config);
  const producer = new BatchingProducer({ producer: kafkaProducer, codec, logger });
  const kubeScope = config.scopeFromKube ? new KubeScope() : undefined;
  // Each instance reads every node, so its group is its own.
  const watcher = kubeScope ? await watchKubeNodes({ kafka, codec, topic: config.kubeTopic, groupId: `${config.clientId}-prices-scope-${randomUUID()}`, scope: kubeScope, logger }) : undefined;
  await watcher?.caughtUp;
  const collector = buildPriceCollector({ publish: (records) => producer.publish(records), logger, registry, ...(kubeScope ? { kubeScope } : {}) }, config);
  try {
    if (config.once) {
      const outcomes = await collector.refreshAll();
      return outcomes.every((o) => o.ok) ? 0 : 1;
    }
    let ready = false;
    const health = await startHealthServer({ port: config.healthPort, isReady: () => ready, registry , security: servingSecurityOf(config, logger) });
    const running = collector.run();
    ready = true;
    await Promise.race([running, stopOnSignals(() => Promise.resolve(collector.stop()), logger)]);
    await running;
    await producer.flush();
    await health.close();
    return 0;
  } finally {
    await watcher?.stop();
    await kafkaProducer.disconnect();
  }
};
