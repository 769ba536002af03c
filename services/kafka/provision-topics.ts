import type { Admin } from 'kafkajs';
import type { TopicSpec } from './topics.js';

/**
 * Creates the topics that do not exist yet, with their partitions and cleanup
 * policy. Existing topics are left as they are: changing partitions would move
 * keys between partitions and break co-partitioning.
 */
export async function provisionTopics(admin: Admin, specs: readonly TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor,
      configEntries: [
        { name: 'cleanup.policy', value: spec.cleanup },
        ...(spec.retentionMillis === undefined ? [] : [{ name: 'retention.ms', value: String(spec.retentionMillis) }]),
      ],
    })),
  });
  return missing.map((spec) => spec.name);
}
