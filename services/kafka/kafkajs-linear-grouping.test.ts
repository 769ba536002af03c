import { describe, expect, it } from 'vitest';
import { KeyPartitioner } from './key-partition.js';
import { KAFKAJS_MODULES, kafkajsOriginal } from './kafkajs-fast-paths.js';
import { linearGrouping, type GroupingArgs } from './kafkajs-linear-grouping.js';

const kafkajsGrouping = kafkajsOriginal<(args: GroupingArgs) => Record<number, unknown[]>>(KAFKAJS_MODULES.grouping);

const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0, offlineReplicas: [] }));

describe('linearGrouping', () => {
  it('groups messages by partition exactly as kafkajs does: same partitions, same messages, same order', () => {
    // Keyed, pinned to a partition, and both; a pinned partition wins over the key.
    const messages = Array.from({ length: 900 }, (_, i) => ({
      key: i % 5 === 0 ? null : `cluster/pod-${i % 37}`,
      value: Buffer.from(String(i)),
      ...(i % 3 === 0 ? { partition: i % 6 } : {}),
    })).filter((m) => m.key !== null || m.partition !== undefined);
    const partitioner = KeyPartitioner();
    const ours = linearGrouping({ topic: 't', partitionMetadata, messages, partitioner });
    expect(ours).toEqual(kafkajsGrouping({ topic: 't', partitionMetadata, messages, partitioner }));
    expect(Object.keys(ours).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('groups nothing for a topic without partition metadata, as kafkajs does', () => {
    const args = { topic: 't', partitionMetadata: [], messages: [{ key: 'k', value: null }], partitioner: KeyPartitioner() };
    expect(linearGrouping(args)).toEqual(kafkajsGrouping(args));
  });
});
