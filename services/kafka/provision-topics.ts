import type { Admin } from 'kafkajs';
import type { TopicLayout } from './topics.js';

const LEADER_WAIT_MILLIS = 30_000;

/**
 * Creates the topics that do not exist yet, with their partitions and cleanup
 * policy, and waits until every partition has a leader. Existing topics are
 * left as they are: changing partitions would move keys between partitions
 * and break co-partitioning.
 */
export async function provisionTopics(admin: Admin, specs: readonly TopicLayout[], replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length > 0) {
    await admin.createTopics({
      // kafkajs's own leader wait gives up on the transient UNKNOWN_TOPIC_OR_PARTITION
      // a KRaft broker answers right after creation, so waitForLeaders() below does it.
      waitForLeaders: false,
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
  }
  await waitForLeaders(admin, specs.map((spec) => spec.name));
  return missing.map((spec) => spec.name);
}

/**
 * Waits until every partition of `topics` has a leader. Use it after a
 * createTopics with `waitForLeaders: false`: kafkajs's own wait fails on the
 * UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers for a moment after creation.
 */
export async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MILLIS;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after ${LEADER_WAIT_MILLIS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
