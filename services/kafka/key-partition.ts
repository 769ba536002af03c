import { Partitioners } from 'kafkajs';

// kafkajs's default partitioner is the Java client's murmur2 one; with a key it
// never looks at leaders, so a synthetic metadata list of the right length is enough.
const partitioner = Partitioners.DefaultPartitioner();
const metadataCache = new Map<number, Array<{ partitionId: number; leader: number }>>();

/**
 * The partition a producer using createProducer() puts `key` on, for a topic
 * of `partitions` partitions. Stages that route records by key and stages
 * that must know which keys they own use this one function, so both agree.
 */
export function partitionOfKey(key: string, partitions: number): number {
  let metadata = metadataCache.get(partitions);
  if (!metadata) {
    metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0] }));
    metadataCache.set(partitions, metadata);
  }
  return partitioner({ topic: '', partitionMetadata: metadata as never, message: { key, value: null } });
}
