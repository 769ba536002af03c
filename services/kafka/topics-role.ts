import { defineRole } from '../cli/role.js';
import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseInteger } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { createLogger } from '../log/logger.js';
import { createKafka } from './kafka-client.js';
import { kafkaSecurityOf } from './kafka-security.js';
import { provisionTopics } from './provision-topics.js';
import { internalTopicLayouts, partitionsOf } from '../processor/internal-topics.js';
import { recommenderTopicLayouts } from '../recommender/internal-topics.js';
import { NODE_KEYED_USAGE_TOPICS, TOPICS, type TopicLayout, type TopicSpec } from './topics.js';

const settings = {
  brokers: kafkaSettings.brokers,
  clientId: kafkaSettings.clientId,
  kafkaTls: kafkaSettings.kafkaTls,
  kafkaCaFile: kafkaSettings.kafkaCaFile,
  kafkaSaslMechanism: kafkaSettings.kafkaSaslMechanism,
  kafkaUsername: kafkaSettings.kafkaUsername,
  kafkaPasswordFile: kafkaSettings.kafkaPasswordFile,
  kafkaOauthTokenFile: kafkaSettings.kafkaOauthTokenFile,
  logLevel: processSettings.logLevel,
  replicationFactor: setting('replicationFactor', {
    description: 'Replicas of each topic it creates (1 for a single local broker, 3 in production).',
    default: 1,
    parse: parseInteger(1, 16),
  }),
  processorGroupId: setting('processorGroupId', {
    description:
      "Also creates the internal topics of the kcost process group with this --group-id (<id>.usage-by-node, <id>.cost-rates, <id>.anomaly-history), partitioned and replicated like kcost.usage.v1, so the processor needs no right to create topics. Empty: none.",
    default: 'kcost-process',
    parse: (raw) => raw.trim(),
  }),
  recommenderGroupId: setting('recommenderGroupId', {
    description:
      'Also creates the internal topics of the kcost recommend group with this --group-id (<id>.by-container, <id>.history), partitioned and replicated like kcost.costs.v1, so the recommender needs no right to create topics. Empty: none.',
    default: 'kcost-recommend',
    parse: (raw) => raw.trim(),
  }),
};

/** `kcost topics`: creates the kcost topics that are missing, with their partitions and cleanup policies. */
export const topicsRole = defineRole({
  name: 'topics',
  usage: 'topics [flags]',
  summary: 'Create the kcost topics on the brokers (safe to repeat).',
  description:
    'Creates every kcost topic that does not exist yet: kcost.kube.v1 and kcost.prices.v1 compacted, the others deleted after their retention, the internal topics of the processor group --processor-group-id and of the recommender group --recommender-group-id. Existing topics are left unchanged. Prints one JSON line per topic.',
  settings,
  async run(config, { stdout }) {
    const logger = createLogger({ service: 'topics', level: config.logLevel });
    const admin = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) }).admin();
    await admin.connect();
    try {
      const nodeKeyed = new Set<TopicSpec>(NODE_KEYED_USAGE_TOPICS);
      const created = new Set(await provisionTopics(admin, Object.values(TOPICS).filter((t) => !nodeKeyed.has(t)), config.replicationFactor));
      // Partitioned like the usage topic as it is (it may predate this run), as the processor's by-node topic is: it reads partition p of them together.
      const usagePartitions = (await partitionsOf(admin, TOPICS.usage.name)).partitions;
      const nodeKeyedLayouts = NODE_KEYED_USAGE_TOPICS.map((t) => ({ ...t, partitions: usagePartitions }));
      for (const name of await provisionTopics(admin, nodeKeyedLayouts, config.replicationFactor)) created.add(name);
      const layouts: TopicLayout[] = Object.values(TOPICS).map((t) => nodeKeyedLayouts.find((l) => l.name === t.name) ?? t);
      if (config.processorGroupId !== '') {
        // Partitioned and replicated like the usage topic as it is (it may predate this run), as the processor would make them.
        const usage = await partitionsOf(admin, TOPICS.usage.name);
        const internal = internalTopicLayouts(config.processorGroupId, usage.partitions);
        for (const name of await provisionTopics(admin, internal, usage.replicas)) created.add(name);
        layouts.push(...internal);
      }
      if (config.recommenderGroupId !== '') {
        const costs = await partitionsOf(admin, TOPICS.costs.name);
        const internal = recommenderTopicLayouts(config.recommenderGroupId, costs.partitions);
        for (const name of await provisionTopics(admin, internal, costs.replicas)) created.add(name);
        layouts.push(...internal);
      }
      for (const spec of layouts) {
        stdout(`${JSON.stringify({ topic: spec.name, cleanup: spec.cleanup, partitions: spec.partitions, created: created.has(spec.name) })}\n`);
      }
      return 0;
    } finally {
      await admin.disconnect();
    }
  },
});
