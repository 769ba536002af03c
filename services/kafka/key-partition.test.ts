import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { partitionOfKey } from './key-partition.js';

describe('partitionOfKey', () => {
  it('picks the partition the producer would pick for the key', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const metadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0, offlineReplicas: [] }));
    for (const key of ['prod/node-a', 'prod/ip-10-0-1-17.ec2.internal', 'staging/x', '']) {
      expect(partitionOfKey(key, 6)).toBe(partitioner({ topic: 't', partitionMetadata: metadata, message: { key, value: null } }));
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
