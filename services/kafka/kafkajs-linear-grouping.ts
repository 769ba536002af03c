import type { Message, PartitionerArgs, PartitionMetadata } from 'kafkajs';

/** The arguments of kafkajs's groupMessagesPerPartition. */
export interface GroupingArgs {
  readonly topic: string;
  readonly partitionMetadata: PartitionMetadata[];
  readonly messages: readonly Message[];
  readonly partitioner: (args: PartitionerArgs) => number;
}

/**
 * kafkajs's groupMessagesPerPartition, in linear time: the same partitions,
 * the same messages in the same order. kafkajs's own builds each partition's
 * list with `[...current, message]`, a copy of the list per message, so a
 * request of k messages for one partition copies k²/2 references and leaves
 * as many dead arrays to collect (2 µs per message at 400 messages per
 * partition, the size of a pricing transaction's PodCosts).
 */
export function linearGrouping({ topic, partitionMetadata, messages, partitioner }: GroupingArgs): Record<number, Message[]> {
  const result: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}
