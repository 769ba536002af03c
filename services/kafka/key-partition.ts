import { Partitioners, type ICustomPartitioner } from 'kafkajs';
import { murmur2, murmur2Bytes } from './murmur2.js';

/**
 * The partition a producer using createProducer() puts `key` on, for a topic
 * of `partitions` partitions: the Java client's and kafkajs's
 * DefaultPartitioner's (murmur2 of the key, sign bit cleared, modulo the
 * partition count). Stages that route records by key and stages that must
 * know which keys they own use this one function, so both agree.
 */
export function partitionOfKey(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/**
 * kcost's producer partitioner: a record's own `partition` if it has one,
 * else partitionOfKey of its key, and kafkajs's DefaultPartitioner (round
 * robin) for a record without a key. It puts every keyed record where
 * kafkajs's DefaultPartitioner would, without the Long arithmetic, the key
 * Buffer and the copy of the partition list that one costs per record.
 */
export const KeyPartitioner: ICustomPartitioner = () => {
  const keyless = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key === null || message.key === undefined) return keyless(args);
    const hash = typeof message.key === 'string' ? murmur2(message.key) : murmur2Bytes(message.key);
    return (hash & 0x7fffffff) % partitionMetadata.length;
  };
};
