import type { Consumer, Kafka } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { KubeObject } from '../codec/records.generated.js';
import type { Logger } from '../log/logger.js';

export interface KubeTopicWatcher {
  /** Resolves once the records on the topic when it started were read (or after the wait limit). */
  readonly caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads kcost.kube.v1 from the beginning with a group of its own (every
 * instance of a role that needs the whole cluster's state reads all of it)
 * and feeds each record to `observe`.
 * An undecodable record is logged and skipped: the processor dead-letters
 * the topic's bad records, so this reader does not do it twice.
 */
export async function watchKubeTopic(options: {
  kafka: Kafka;
  codec: Codec;
  topic: string;
  groupId: string;
  /** Called with each record's key and value in offset order; null is a tombstone. */
  observe: (key: string, object: KubeObject | null) => void;
  logger: Logger;
  catchUpMillis?: number;
}): Promise<KubeTopicWatcher> {
  const admin = options.kafka.admin();
  await admin.connect();
  const targets = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(options.topic)) if (BigInt(p.high) > BigInt(p.low)) targets.set(p.partition, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  let resolveCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));
  const timer = setTimeout(() => {
    options.logger.warn({ topic: options.topic, partitionsBehind: targets.size }, 'going on before the Kubernetes state was all read');
    resolveCaughtUp();
  }, options.catchUpMillis ?? 30_000);
  const check = (): void => {
    if (targets.size > 0) return;
    clearTimeout(timer);
    resolveCaughtUp();
  };
  check();
  const consumer: Consumer = options.kafka.consumer({ groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      try {
        const key = message.key?.toString('utf8') ?? '';
        options.observe(key, message.value === null ? null : await options.codec.decodeAs('KubeObject', message.value));
      } catch (error) {
        options.logger.warn({ err: error, topic: options.topic, partition, offset: message.offset }, 'skipping an unreadable record on the kube topic');
      }
      const target = targets.get(partition);
      if (target !== undefined && BigInt(message.offset) + 1n >= target) {
        targets.delete(partition);
        check();
      }
    },
  });
  return {
    caughtUp,
    async stop() {
      clearTimeout(timer);
      await consumer.disconnect();
    },
  };
}
