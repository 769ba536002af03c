import type { Batch } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCodec } from '../codec/create-codec.js';
import type { PodCost } from '../codec/records.generated.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { podKey, TOPICS } from '../kafka/topics.js';
import type { StageRecord } from '../kafka/transactional-stage.js';
import { silentLogger } from '../log/logger.js';
import { decodeTick, isTick, sourceOf } from '../processor/internal-records.js';
import { CostRoutingStage } from './cost-routing-stage.js';
import type { RecommenderTopics } from './internal-topics.js';
import { createRecommendMetrics } from './recommend-metrics.js';

const TOPICS_OF: RecommenderTopics = { byContainer: 'kcost-recommend.by-container', history: 'kcost-recommend.history', costsPartitions: 3, byContainerPartitions: 4 };
const codec = createCodec({ schemaRegistryUrl: '' });
const T0 = Date.UTC(2026, 5, 1);

function cost(pod: string, window: number, overrides: Partial<PodCost> = {}): PodCost {
  return {
    cluster: 'prod', namespace: 'shop', podUid: `uid-${pod}`, podName: pod, container: 'app', nodeName: 'n1', workloadKind: 'Deployment', workloadName: 'web', labels: {},
    windowStart: T0 + window * 60_000, windowSeconds: 60, cpuRequestCores: 1, cpuUsageCoresAvg: 0.2, cpuAllocatedCores: 1, memoryRequestBytes: 1e9, memoryUsageBytesAvg: 5e8, memoryWorkingSetMaxBytes: 6e8,
    memoryAllocatedBytes: 1e9, gpuRequest: 0, gpuAllocated: 0, cpuCostUsd: 0.001, memoryCostUsd: 0.0001, gpuCostUsd: 0, storageCostUsd: 0, networkCostUsd: 0, totalCostUsd: 0.0011, onDemandCostUsd: 0.0011,
    spotSavingsUsd: 0, capacityType: 'ON_DEMAND', instanceType: 'm5.large', region: 'us-east-1', priceSource: 'aws-pricing', priceEffectiveFrom: null, flags: [], volumes: [], ...overrides,
  };
}

async function batchOf(partition: number, costs: Array<PodCost | Buffer>): Promise<Batch> {
  const messages = await Promise.all(
    costs.map(async (c, i) => ({ offset: String(10 + i), key: Buffer.from(Buffer.isBuffer(c) ? 'prod/x' : podKey(c)), value: Buffer.isBuffer(c) ? c : await codec.encode('PodCost', c), headers: {} })),
  );
  return { topic: TOPICS.costs.name, partition, messages, lastOffset: () => String(9 + messages.length), offsetLag: () => '0' } as unknown as Batch;
}

function setUp() {
  const stage = new CostRoutingStage({
    codec,
    logger: silentLogger(),
    metrics: createRecommendMetrics(new Registry()),
    costsTopic: TOPICS.costs.name,
    deadLetterTopic: TOPICS.deadLetter.name,
    topics: TOPICS_OF,
    idleSourceAfterMillis: 10_000,
    endOffsets: () => Promise.resolve(new Map()),
    now: () => 0,
  });
  stage.onAssigned([1], new Map());
  return stage;
}

const routed = (records: readonly StageRecord[]) => records.filter((r) => r.topic === TOPICS_OF.byContainer && !isTick(r.headers));
const ticks = (records: readonly StageRecord[]) => records.filter((r) => isTick(r.headers)).map((r) => ({ partition: r.partition, windowStart: decodeTick(r.value as Buffer).windowStart, source: decodeTick(r.value as Buffer).source }));

describe('CostRoutingStage', () => {
  it("routes every replica's windows, bytes unchanged, to its workload container's partition, with where each came from", async () => {
    const batch = await batchOf(1, [cost('web-1', 0), cost('web-2', 0), cost('solo', 0, { workloadKind: '', workloadName: '' })]);
    const { records, offsets } = await setUp().handle(batch);
    const out = routed(records);
    expect(out.map((r) => r.key)).toEqual(['prod/shop/Deployment/web/app', 'prod/shop/Deployment/web/app', 'prod/shop/Pod/solo/app']);
    expect(out.map((r) => r.partition)).toEqual(out.map((r) => partitionOfKey(r.key, 4)));
    expect(out.map((r) => r.value)).toEqual(batch.messages.map((m) => m.value));
    expect(out.map((r) => sourceOf(r.headers))).toEqual(['10', '11', '12'].map((offset) => ({ partition: 1, offset })));
    expect(offsets).toEqual([{ partition: 1, offset: '13' }]);
  });

  it('ticks every by-container partition once per new window of its costs partition', async () => {
    const stage = setUp();
    const first = await stage.handle(await batchOf(1, [cost('web-1', 0), cost('web-2', 0), cost('web-1', 1)]));
    expect(ticks(first.records)).toEqual([0, 1, 2, 3].map((p) => ({ partition: p, windowStart: T0, source: 1 })).concat([0, 1, 2, 3].map((p) => ({ partition: p, windowStart: T0 + 60_000, source: 1 }))));
    // A window older than the newest ticked (a late one) ticks nothing.
    expect(ticks((await stage.handle(await batchOf(1, [cost('web-2', 0)]))).records)).toEqual([]);
  });

  it('dead-letters windows of pods priced without their state, and undecodable bytes, with their reasons', async () => {
    const { records } = await setUp().handle(await batchOf(1, [cost('ghost', 0, { workloadKind: '', workloadName: '', flags: ['UNKNOWN_POD'] }), Buffer.from('not a record')]));
    const letters = await Promise.all(records.filter((r) => r.topic === TOPICS.deadLetter.name).map((r) => codec.decodeAs('DeadLetter', r.value as Buffer)));
    expect(letters.map((l) => [l.reasonCode, l.sourceOffset, l.service])).toEqual([
      ['UNKNOWN_POD', 10, 'recommend'],
      ['UNDECODABLE', 11, 'recommend'],
    ]);
    expect(routed(records)).toEqual([]);
  });
});
