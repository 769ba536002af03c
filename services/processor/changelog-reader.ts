import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

const DEFAULT_TIMEOUT_MILLIS = 120_000;

/**
 * Reads the given partitions of a (compacted, transactional) changelog topic
 * from the beginning to the end they have now, read_committed, handing every
 * record to `apply` in partition order. The end is known from
 * END_BATCH_PROCESS, which kafkajs also emits for batches that held only
 * transaction markers (those never reach eachBatch). A transaction still open
 * on a partition holds its end back until it commits or times out.
 */
export async function readChangelog(
  kafka: Kafka,
  topic: string,
  partitions: readonly number[],
  apply: (partition: number, message: KafkaMessage) => void,
  timeoutMillis = DEFAULT_TIMEOUT_MILLIS,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `kcost-changelog-restore-${randomUUID()}`;
  try {
    const ends = new Map<number, bigint>();
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (partitions.includes(p.partition) && BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
    }
    if (ends.size === 0) return;
    const consumer = kafka.consumer({ groupId, readUncommitted: false });
    await consumer.connect();
    try {
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading the changelog ${topic} did not reach its end within ${timeoutMillis} ms`)), timeoutMillis);
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          const end = ends.get(payload.partition);
          if (end !== undefined && payload.topic === topic && BigInt(payload.lastOffset) + 1n >= end) ends.delete(payload.partition);
          if (ends.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      // Without a rejection handler here, a timeout while run() is still starting would be unhandled.
      done.catch(() => undefined);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          if (!ends.has(batch.partition)) return;
          for (const message of batch.messages) apply(batch.partition, message);
        },
      });
      await done;
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
