import type { Message, TopicMessages } from 'kafkajs';

/**
 * The broker refuses a produce request whose record batch for one partition
 * exceeds message.max.bytes (1 MiB by default), and kafkajs sends each
 * partition's messages as one batch. Splitting what we send into requests of
 * at most `maxBytes` in all keeps every partition's batch under the limit
 * whatever the partitioner does, at the cost of a few more round trips.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 768 * 1024;

/** Per-record overhead in a v2 record batch: attributes, varints for lengths and deltas, headers count. */
const RECORD_OVERHEAD_BYTES = 24;

function sizeOf(message: Message): number {
  const key = message.key == null ? 0 : Buffer.byteLength(message.key);
  const value = message.value == null ? 0 : Buffer.byteLength(message.value);
  return key + value + RECORD_OVERHEAD_BYTES;
}

/** Splits topic messages into requests of at most `maxBytes`, keeping each topic's order. */
export function chunkTopicMessages(topicMessages: readonly TopicMessages[], maxBytes = DEFAULT_MAX_REQUEST_BYTES): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let currentBytes = 0;
  for (const { topic, messages } of topicMessages) {
    let slice: Message[] = [];
    for (const message of messages) {
      const size = sizeOf(message);
      if (currentBytes + size > maxBytes && currentBytes > 0) {
        if (slice.length > 0) current.push({ topic, messages: slice });
        requests.push(current);
        current = [];
        slice = [];
        currentBytes = 0;
      }
      slice.push(message);
      currentBytes += size;
    }
    if (slice.length > 0) current.push({ topic, messages: slice });
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
