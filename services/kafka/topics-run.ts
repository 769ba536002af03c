import type { RoleRun } from '../cli/role.js';
import type { topicsSettings } from './topics-settings.js';
import { createLogger } from '../log/logger.js';
import { createKafka } from './kafka-client.js';
import { kafkaSecurityOf } from './kafka-security.js';
import { provisionTopics } from './provision-topics.js';
import { internalTopicLayouts, partitionsOf } from '../processor/internal-topics.js';
import { recommenderTopicLayouts } from '../recommender/internal-topics.js';
import { NODE_KEYED_USAGE_TOPICS, TOPICS, type TopicLayout, type TopicSpec } from './topics.js';

/** Runs `kcost topics`; its help and settings are in topics-role.ts. */
export const run: RoleRun<typeof topicsSettings> = async (config, { stdout }) => {
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
};
