import type { Batch, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { batchSlices } from './batch-slices.js';

/** A fetched batch of messages at `offsets`, ending (with a commit marker, say) at `lastOffset`, on a partition whose high watermark is `highWatermark`. */
function batchOf(offsets: number[], lastOffset: number, highWatermark: number): Batch {
  const messages = offsets.map((o) => ({ offset: String(o), key: null, value: Buffer.from('x'), headers: {} }) as unknown as KafkaMessage);
  return {
    topic: 't', partition: 2, highWatermark: String(highWatermark), messages,
    isEmpty: () => false, firstOffset: () => String(offsets[0]), lastOffset: () => String(lastOffset),
    offsetLag: () => String(highWatermark - 1 - lastOffset), offsetLagLow: () => String(highWatermark - 1 - (offsets[0] ?? 0)),
  };
}

describe('batchSlices', () => {
  it('leaves a batch within the bound as it is', () => {
    const batch = batchOf([0, 1, 2], 3, 4);
    expect(batchSlices(batch, 3)).toEqual([batch]);
  });

  it('cuts a large batch into slices that resume one after the other, the last ending where the batch ends', () => {
    // 0..6 are records, 7 the commit marker no message carries; 9 more records are not fetched yet.
    const slices = batchSlices(batchOf([0, 1, 2, 3, 4, 5, 6], 7, 17), 3);
    expect(slices.map((s) => s.messages.map((m) => Number(m.offset)))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(slices.map((s) => s.lastOffset())).toEqual(['2', '5', '7']);
    expect(slices.map((s) => s.offsetLag())).toEqual(['14', '11', '9']);
    expect(slices.every((s) => s.topic === 't' && s.partition === 2)).toBe(true);
  });

  it('says the last slice reached the end when the batch did', () => {
    const slices = batchSlices(batchOf([10, 11, 12, 13], 14, 15), 2);
    expect(slices.map((s) => s.offsetLag())).toEqual(['3', '0']);
  });
});
