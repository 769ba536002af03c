import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KeyPartitioner, partitionOfKey } from './key-partition.js';

function metadataOf(partitions: number): PartitionMetadata[] {
  return Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0, offlineReplicas: [] }));
}

/** Keys as kcost builds them, plus lengths of every remainder mod 4, non-ASCII and the empty key. */
function sampleKeys(): string[] {
  const keys = ['prod/node-a', 'prod/ip-10-0-1-17.ec2.internal', 'staging/x', '', 'a', 'ab', 'abc', 'abcd', 'ü', 'clüster/nöde-€', 'κόμβος/节点-🚀', 'mark'];
  for (let i = 0; i < 500; i++) {
    keys.push(`cluster-${i % 7}/node-${i}`, `bench/${(i * 2654435761) >>> 0}-${'x'.repeat(i % 9)}-pod-uid`);
  }
  return keys;
}

describe('partitionOfKey', () => {
  it.each([1, 3, 6, 12, 64])('picks the partition kafkajs DefaultPartitioner picks for the key, with %i partitions', (partitions) => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitionMetadata = metadataOf(partitions);
    for (const key of sampleKeys()) {
      expect(partitionOfKey(key, partitions), key).toBe(kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }));
    }
  });

  it('spreads keys over every partition and stays inside the range', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const p = partitionOfKey(`cluster/node-${i}`, 6);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(6);
      seen.add(p);
    }
    expect(seen.size).toBe(6);
  });
});

describe('KeyPartitioner', () => {
  const partitionMetadata = metadataOf(6);

  it('puts keyed records, string or Buffer keys, where kafkajs DefaultPartitioner puts them', () => {
    const ours = KeyPartitioner();
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const text of sampleKeys()) {
      for (const key of [text, Buffer.from(text, 'utf8')]) {
        expect(ours({ topic: 't', partitionMetadata, message: { key, value: null } }), text).toBe(kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }));
      }
    }
  });

  it('keeps a partition the record names, even against its key', () => {
    const ours = KeyPartitioner();
    const key = 'prod/node-a';
    const other = (partitionOfKey(key, 6) + 1) % 6;
    expect(ours({ topic: 't', partitionMetadata, message: { key, value: null, partition: other } })).toBe(other);
  });

  it('spreads records without a key over the available partitions', () => {
    const ours = KeyPartitioner();
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) seen.add(ours({ topic: 't', partitionMetadata, message: { value: null } }));
    expect(seen).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });
});
