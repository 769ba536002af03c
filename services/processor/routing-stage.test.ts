import type { Batch } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCodec } from '../codec/create-codec.js';
import { podKey, TOPICS } from '../kafka/topics.js';
import type { CommittedPosition } from '../kafka/transactional-stage.js';
import { silentLogger } from '../log/logger.js';
import { ClusterState } from './cluster-state.js';
import { decodeIdleMark, isIdleMark } from './internal-records.js';
import type { InternalTopics } from './internal-topics.js';
import { createProcessorMetrics } from './processor-metrics.js';
import { usageSample } from './record-builders.js';
import { RoutingStage } from './routing-stage.js';

const INTERNAL: InternalTopics = {
  usageByNode: 'kcost-processor.usage-by-node',
  costRates: 'kcost-processor.cost-rates',
  anomalyHistory: 'kcost-processor.anomaly-history',
  usagePartitions: 3,
  usageByNodePartitions: 2,
  costRatePartitions: 1,
};
const codec = createCodec({ schemaRegistryUrl: '' });
const SECOND = 1000;

function setUp(ends: Map<number, { low: bigint; high: bigint }>) {
  let now = 0;
  const stage = new RoutingStage({
    codec,
    logger: silentLogger(),
    metrics: createProcessorMetrics(new Registry()),
    state: new ClusterState(),
    usageTopic: TOPICS.usage.name,
    deadLetterTopic: TOPICS.deadLetter.name,
    internal: INTERNAL,
    idleSourceAfterMillis: 10 * SECOND,
    futureSkewMillis: 3_600_000,
    endOffsets: () => Promise.resolve(ends),
    now: () => now,
  });
  return { stage, advance: (millis: number) => (now += millis) };
}

async function batchOf(partition: number, offsetLag: string): Promise<Batch> {
  const sample = usageSample({ podName: 'web', container: 'app', nodeName: 'node-a', windowStart: 0, cpuCores: 1, memoryGib: 1 });
  const messages = [{ offset: '7', key: Buffer.from(podKey(sample)), value: await codec.encode('UsageSample', sample), headers: {} }];
  return { topic: TOPICS.usage.name, partition, messages, lastOffset: () => '7', offsetLag: () => offsetLag } as unknown as Batch;
}

/** The usage partitions the idle marks in `records` are for, one entry per by-node partition they went to. */
function idleSources(records: ReadonlyArray<{ value: Buffer | null; headers?: Record<string, unknown>; partition?: number }>): string[] {
  return records.filter((r) => isIdleMark(r.headers as never)).map((r) => `${decodeIdleMark(r.value as Buffer).source}->${r.partition}`);
}

describe('RoutingStage idle marks', () => {
  const committed = new Map<number, CommittedPosition>([
    [0, { offset: '8', metadata: null }],
    [1, { offset: '-1', metadata: null }],
    [2, { offset: '3', metadata: null }],
  ]);

  it('marks a partition idle once it was read to its end and stayed quiet, never one still being read, and repeats the mark while it stays quiet', async () => {
    // Partition 1 is empty; partition 2 has records after its committed offset that no batch has delivered yet.
    const { stage, advance } = setUp(new Map([[0, { low: 0n, high: 8n }], [1, { low: 0n, high: 0n }], [2, { low: 0n, high: 50n }]]));
    stage.onAssigned([0, 1, 2], committed);
    await stage.handle(await batchOf(0, '0'));
    advance(9 * SECOND);
    expect(await stage.onTimer()).toEqual([]);
    advance(SECOND);
    expect(idleSources(await stage.onTimer())).toEqual(['0->0', '0->1', '1->0', '1->1']);
    advance(5 * SECOND);
    expect(await stage.onTimer()).toEqual([]);
    advance(5 * SECOND);
    expect(idleSources(await stage.onTimer())).toEqual(['0->0', '0->1', '1->0', '1->1']);
  });

  it('does not mark a partition idle whose last batch left records behind, however long it is quiet', async () => {
    const { stage, advance } = setUp(new Map([[0, { low: 0n, high: 8n }]]));
    stage.onAssigned([0], committed);
    await stage.handle(await batchOf(0, '120'));
    advance(60 * SECOND);
    expect(await stage.onTimer()).toEqual([]);
    // It delivers again, to its end: it counts as idle only after a quiet period from then.
    await stage.handle(await batchOf(0, '0'));
    advance(10 * SECOND);
    expect(idleSources(await stage.onTimer())).toEqual(['0->0', '0->1']);
  });

  it('does not mark a partition idle whose last batch reached its end when records came since, not fetched yet', async () => {
    const ends = new Map([[0, { low: 0n, high: 8n }]]);
    const { stage, advance } = setUp(ends);
    stage.onAssigned([0], committed);
    await stage.handle(await batchOf(0, '0'));
    // A feed resuming after a pause: its records are there, the next fetch has not brought them yet.
    ends.set(0, { low: 0n, high: 9n });
    advance(10 * SECOND);
    expect(await stage.onTimer()).toEqual([]);
  });
});
