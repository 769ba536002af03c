import type { Batch } from 'kafkajs';

/**
 * A fetched batch cut into batches of at most `maxRecords` messages each, so
 * that a stage commits a large backlog in bounded transactions (its output
 * reaches readers as it goes, and a rebalance waits for one slice, not for a
 * whole 8 MiB fetch). Every slice but the last ends at its last message; the
 * last keeps the batch's own end, which counts the control records of
 * transactional producers, so that offsetLag() still says when the partition
 * was read to its end.
 */
export function batchSlices(batch: Batch, maxRecords: number): Batch[] {
  if (batch.messages.length <= maxRecords) return [batch];
  const slices: Batch[] = [];
  for (let start = 0; start < batch.messages.length; start += maxRecords) {
    const messages = batch.messages.slice(start, start + maxRecords);
    const isLast = start + maxRecords >= batch.messages.length;
    const first = messages[0]?.offset ?? batch.firstOffset();
    const last = isLast ? batch.lastOffset() : (messages[messages.length - 1]?.offset ?? batch.lastOffset());
    const lagAfter = (offset: string | null) => (offset === null ? '0' : (BigInt(batch.highWatermark) - 1n - BigInt(offset)).toString());
    slices.push({
      topic: batch.topic,
      partition: batch.partition,
      highWatermark: batch.highWatermark,
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => first,
      lastOffset: () => last,
      offsetLag: () => lagAfter(last),
      offsetLagLow: () => lagAfter(first),
    });
  }
  return slices;
}
