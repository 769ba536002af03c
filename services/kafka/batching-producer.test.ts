import type { Producer, ProducerBatch } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { SchemaCatalog } from '../codec/schema-catalog.js';
import { SingleObjectCodec } from '../codec/single-object-codec.js';
import type { DeadLetter } from '../codec/records.generated.js';
import { silentLogger } from '../log/logger.js';
import { BatchingProducer } from './batching-producer.js';

const codec = new SingleObjectCodec(new SchemaCatalog());

/** Records kafkajs sendBatch calls; fails them while `failing` is set. */
function recordingProducer(): { producer: Producer; batches: ProducerBatch[]; failing: { value: boolean } } {
  const batches: ProducerBatch[] = [];
  const failing = { value: false };
  const producer = {
    sendBatch: (batch: ProducerBatch) => {
      if (failing.value) return Promise.reject(new Error('broker unavailable'));
      batches.push(batch);
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  return { producer, batches, failing };
}

function letter(offset: number): DeadLetter {
  return { sourceTopic: 't', sourcePartition: 0, sourceOffset: offset, key: null, value: null, reasonCode: 'X', reason: 'r', service: 's', failedAt: 0 };
}

const record = (topic: string, offset: number) => ({ topic, key: `k${offset}`, schema: 'DeadLetter' as const, value: letter(offset) });

describe('BatchingProducer', () => {
  it('sends as soon as maxBatchRecords wait, in one batch grouped by topic', async () => {
    const { producer, batches } = recordingProducer();
    const batching = new BatchingProducer({ producer, codec, logger: silentLogger(), maxBatchRecords: 3, lingerMillis: 60_000 });
    await batching.publish([record('a', 1), record('b', 2), record('a', 3)]);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.acks).toBe(-1);
    expect(batches[0]?.topicMessages?.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
      ['a', ['k1', 'k3']],
      ['b', ['k2']],
    ]);
  });

  it('sends a partial batch once it waited lingerMillis', async () => {
    vi.useFakeTimers();
    try {
      const { producer, batches } = recordingProducer();
      const batching = new BatchingProducer({ producer, codec, logger: silentLogger(), maxBatchRecords: 100, lingerMillis: 50 });
      const acked = batching.publish([record('a', 1)]);
      await vi.advanceTimersByTimeAsync(49);
      expect(batches).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      await acked;
      expect(batches).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects the publishers of a failed batch, and later batches still go out', async () => {
    const { producer, batches, failing } = recordingProducer();
    const batching = new BatchingProducer({ producer, codec, logger: silentLogger(), maxBatchRecords: 1 });
    failing.value = true;
    await expect(batching.publish([record('a', 1)])).rejects.toThrow('broker unavailable');
    failing.value = false;
    await batching.publish([record('a', 2)]);
    expect(batches.flatMap((b) => b.topicMessages?.flatMap((t) => t.messages.map((m) => m.key)))).toEqual(['k2']);
  });

  it('encodes values with the codec', async () => {
    const { producer, batches } = recordingProducer();
    const batching = new BatchingProducer({ producer, codec, logger: silentLogger(), maxBatchRecords: 1 });
    await batching.publish([record('a', 7)]);
    const value = batches[0]?.topicMessages?.[0]?.messages[0]?.value as Buffer;
    expect(codec.decodeSync(value)).toEqual({ schema: 'DeadLetter', value: letter(7) });
  });
});
