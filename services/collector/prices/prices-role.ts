import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { defineRole } from '../../cli/role.js';
import { createCodec } from '../../codec/create-codec.js';
import { BatchingProducer } from '../../kafka/batching-producer.js';
import { createKafka, createProducer } from '../../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../../kafka/kafka-security.js';
import { provisionTopics } from '../../kafka/provision-topics.js';
import { TOPICS } from '../../kafka/topics.js';
import { startHealthServer } from '../../lifecycle/health-server.js';
import { servingSecurityOf } from '../../lifecycle/http-listener.js';
import { stopOnSignals } from '../../lifecycle/shutdown.js';
import { createLogger } from '../../log/logger.js';
import { KubeScope, watchKubeNodes } from './kube-scope.js';
import { buildPriceCollector } from './price-collector.js';
import { pricesSettings } from './prices-settings.js';

/** `kcost collect prices`: refreshes the configured price sources and publishes changed prices to kcost.prices.v1. */
export const pricesRole = defineRole({
  name: 'prices',
  usage: 'prices [flags]',
  summary: 'Publish cloud and price-book prices to kcost.prices.v1.',
  description:
    'Fetches node, GPU and storage prices from AWS (Price List GetProducts for on-demand, EC2 spot price history), the Azure Retail Prices API, the GCP Cloud Billing Catalog and a custom price book, and publishes PriceUpdate records keyed provider/region/kind/sku/capacityType. Every source is refreshed each --refresh-interval and only changed prices are published. A failing source keeps its last good prices and shows as kcost_price_source_up{source}=0 and in kcost_price_source_failures_total; a malformed price document is logged, counted in kcost_price_documents_malformed_total and skipped. Built-in default prices are not published: the processor applies them where no source has a price.',
  settings: pricesSettings,
  async run(config) {
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
  },
});
