import type { Batch, IHeaders } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCodec } from '../codec/create-codec.js';
import type { UsageSample } from '../codec/records.generated.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { nodeKey, podKey, TOPICS } from '../kafka/topics.js';
import type { CommittedPosition, StageOutput } from '../kafka/transactional-stage.js';
import { silentLogger } from '../log/logger.js';
import { DEFAULT_BASES } from './allocation.js';
import { ClusterState } from './cluster-state.js';
import { DIRECT_SOURCE, encodeIdleMark, encodeTick, idleMarkHeaders, sourceHeaders, tickHeaders } from './internal-records.js';
import type { InternalTopics } from './internal-topics.js';
import { PriceHistory } from './price-history.js';
import { SAMPLE_RECORDS } from './direct-usage-formats.js';
import { PricingStage } from './pricing-stage.js';
import { createProcessorMetrics } from './processor-metrics.js';
import { container, nodeObject, podObject, usageSample } from './record-builders.js';

const PARTITIONS = 4;
const MINUTE = 60_000;
const INTERNAL: InternalTopics = {
  usageByNode: 'kcost-processor.usage-by-node',
  costRates: 'kcost-processor.cost-rates',
  anomalyHistory: 'kcost-processor.anomaly-history',
  usagePartitions: 1,
  usageByNodePartitions: PARTITIONS,
  costRatePartitions: 1,
};
const codec = createCodec({ schemaRegistryUrl: '' });

// A pod whose key and whose node's key fall in different by-node partitions,
// so a sample routed before its node was known lands away from the node.
const pod = { cluster: 'prod', podUid: 'uid-web' };
const strayPartition = partitionOfKey(podKey(pod), PARTITIONS);
const nodeName = Array.from({ length: 20 }, (_, i) => `node-${i}`).find((name) => partitionOfKey(nodeKey({ cluster: 'prod', nodeName: name }), PARTITIONS) !== strayPartition) as string;
const homePartition = partitionOfKey(nodeKey({ cluster: 'prod', nodeName }), PARTITIONS);
// A node of the stray's partition, whose pods are rightly priced there.
const localNode = Array.from({ length: 50 }, (_, i) => `local-${i}`).find((name) => partitionOfKey(nodeKey({ cluster: 'prod', nodeName: name }), PARTITIONS) === strayPartition) as string;

/** A pricing stage owning only the stray's partition (one usage partition, so one lane), with both nodes known. */
function setUp() {
  return setUpWith({});
}

function setUpWith(options: { allowedLatenessMillis?: number; now?: () => number }) {
  const state = new ClusterState();
  state.apply(nodeObject({ name: nodeName, cores: 4, memoryGib: 16 }));
  state.apply(nodeObject({ name: localNode, cores: 4, memoryGib: 16 }));
  state.apply(podObject({ name: 'api', nodeName: localNode, containers: [container('app', 1, 1)] }));
  const registry = new Registry();
  const metrics = createProcessorMetrics(registry);
  const stage = new PricingStage({
    codec,
    logger: silentLogger(),
    metrics,
    state,
    prices: new PriceHistory(),
    internal: INTERNAL,
    topics: { usage: TOPICS.usage.name, costs: TOPICS.costs.name, nodeCosts: TOPICS.nodeCosts.name, deadLetter: TOPICS.deadLetter.name },
    allowedLatenessMillis: options.allowedLatenessMillis ?? 0,
    stateRetentionMillis: 24 * 60 * MINUTE,
    bases: DEFAULT_BASES,
    ...(options.now ? { now: options.now } : {}),
  });
  stage.onAssigned([strayPartition], new Map());
  return { state, stage, registry };
}

interface Incoming {
  readonly offset: string;
  readonly key: string | Buffer;
  readonly value: Buffer;
  readonly headers: IHeaders;
}

function batchOf(partition: number, messages: readonly Incoming[]): Batch {
  return { topic: INTERNAL.usageByNode, partition, messages, lastOffset: () => messages.at(-1)?.offset ?? '-1' } as unknown as Batch;
}

async function routedSample(sample: UsageSample, offset: string, source: { partition: number; offset: string }): Promise<Incoming> {
  return { offset, key: podKey(sample), value: await codec.encode('UsageSample', sample), headers: sourceHeaders(source) };
}

function tick(windowStart: number, offset: string): Incoming {
  return { offset, key: 'prod', value: encodeTick({ cluster: 'prod', windowStart, windowSeconds: 60, source: 0 }), headers: tickHeaders() };
}

const forwarded = (output: StageOutput) => output.records.filter((r) => r.topic === INTERNAL.usageByNode);
const podCosts = (output: StageOutput) => output.records.filter((r) => r.topic === TOPICS.costs.name);

describe('PricingStage with a sample routed before its node was known', () => {
  const sample = usageSample({ podName: 'web', container: 'app', nodeName: null, windowStart: 0, cpuCores: 1, memoryGib: 2 });
  const local = usageSample({ podName: 'api', container: 'app', nodeName: localNode, windowStart: 0, cpuCores: 1, memoryGib: 1 });

  it('sends it on to its node partition, source header and bytes unchanged, and prices nothing of it here', async () => {
    const { state, stage, registry } = setUp();
    // The router saw the sample before the pod; by the time pricing reads it, the pod is known.
    state.apply(podObject({ name: 'web', nodeName, containers: [container('app', 1, 2)] }));
    const message = await routedSample(sample, '5', { partition: 0, offset: '17' });

    const output = await stage.handle(batchOf(strayPartition, [await routedSample(local, '4', { partition: 0, offset: '16' }), message, tick(2 * MINUTE, '6')]));

    expect(forwarded(output)).toEqual([{ topic: INTERNAL.usageByNode, key: nodeKey({ cluster: 'prod', nodeName }), value: message.value, partition: homePartition, headers: message.headers }]);
    // The window closed and was priced, with the local pod only.
    const costs = await Promise.all(podCosts(output).map((r) => codec.decodeAs('PodCost', r.value as Buffer)));
    expect(costs.map((c) => c.podUid)).toEqual(['uid-api']);
    // Past the forwarded sample: only the tick's own window (2 min) is still open.
    expect(output.offsets.find((o) => o.partition === strayPartition)?.offset).toBe('6');
    expect((await registry.getSingleMetric('kcost_process_forwarded_samples_total')?.get())?.values[0]?.value).toBe(1);
  });

  it('does not send it on twice when the partition is read again after a restart', async () => {
    const first = setUp();
    first.state.apply(podObject({ name: 'web', nodeName, containers: [container('app', 1, 2)] }));
    const message = await routedSample(sample, '5', { partition: 0, offset: '17' });
    // An open window holds the commit offset below the forwarded sample, so a restart reads it again.
    const held = await routedSample(local, '4', { partition: 0, offset: '16' });
    const output = await first.stage.handle(batchOf(strayPartition, [held, message]));
    expect(forwarded(output)).toHaveLength(1);
    const position = output.offsets.find((o) => o.partition === strayPartition);
    expect(position?.offset).toBe('4');

    const restarted = setUp();
    restarted.state.apply(podObject({ name: 'web', nodeName, containers: [container('app', 1, 2)] }));
    const committed = new Map<number, CommittedPosition>([[strayPartition, { offset: position?.offset ?? '', metadata: position?.metadata ?? null }]]);
    restarted.stage.onAssigned([strayPartition], committed);
    expect(forwarded(await restarted.stage.handle(batchOf(strayPartition, [held, message])))).toEqual([]);
  });

  it('keeps it, and prices it where it is, while its node is still unknown', async () => {
    const { stage } = setUp();
    const output = await stage.handle(batchOf(strayPartition, [await routedSample(sample, '5', { partition: 0, offset: '17' }), tick(2 * MINUTE, '6')]));
    expect(forwarded(output)).toEqual([]);
    const costs = await Promise.all(podCosts(output).map((r) => codec.decodeAs('PodCost', r.value as Buffer)));
    expect(costs.map((c) => [c.podUid, c.flags])).toEqual([['uid-web', expect.arrayContaining(['UNKNOWN_POD']) as unknown]]);
  });
});

describe('PricingStage windows per by-node partition', () => {
  const HOUR = 60 * MINUTE;
  const local = (windowStart: number) => usageSample({ podName: 'api', container: 'app', nodeName: localNode, windowStart, cpuCores: 1, memoryGib: 1 });
  const metadata = (watermark: number, readThrough: string) => JSON.stringify({ v: 1, watermark, readThrough });

  it('resumes a partition taken over in a rebalance at its own watermark, not at the one its new owner has reached elsewhere', async () => {
    const { stage } = setUp();
    // This instance kept homePartition (at 19:00) and takes over strayPartition, whose last owner had got to 13:00.
    const committed = new Map<number, CommittedPosition>([
      [homePartition, { offset: '100', metadata: metadata(19 * HOUR, '100') }],
      [strayPartition, { offset: '40', metadata: metadata(13 * HOUR, '40') }],
    ]);
    stage.onAssigned([homePartition, strayPartition], committed);
    const output = await stage.handle(batchOf(strayPartition, [await routedSample(local(13 * HOUR + MINUTE), '40', { partition: 0, offset: '900' }), tick(13 * HOUR + 3 * MINUTE, '41')]));
    expect(output.records.filter((r) => r.topic === TOPICS.deadLetter.name)).toEqual([]);
    const costs = await Promise.all(podCosts(output).map((r) => codec.decodeAs('PodCost', r.value as Buffer)));
    expect(costs.map((c) => [c.podUid, c.windowStart])).toEqual([['uid-api', 13 * HOUR + MINUTE]]);
  });

  it('prices the last windows of a feed that stops once its source has been idle for the allowed lateness', async () => {
    let now = 0;
    const { stage } = setUpWith({ allowedLatenessMillis: 2 * MINUTE, now: () => now });
    const first = await stage.handle(batchOf(strayPartition, [await routedSample(local(0), '0', { partition: 0, offset: '0' }), await routedSample(local(MINUTE), '1', { partition: 0, offset: '1' })]));
    expect(podCosts(first)).toEqual([]);
    now = 10_000;
    expect(podCosts(await stage.handle(batchOf(strayPartition, [idle('2')])))).toEqual([]);
    // The router repeats its idle mark while the partition stays quiet: once 2 minutes have passed, both windows close.
    now = 10_000 + 2 * MINUTE;
    const last = await stage.handle(batchOf(strayPartition, [idle('3')]));
    const costs = await Promise.all(podCosts(last).map((r) => codec.decodeAs('PodCost', r.value as Buffer)));
    expect(costs.map((c) => c.windowStart)).toEqual([0, MINUTE]);
    expect(last.offsets.find((o) => o.partition === strayPartition)?.offset).toBe('4');
  });
});

function idle(offset: string): Incoming {
  return { offset, key: 'idle', value: encodeIdleMark({ source: 0 }), headers: idleMarkHeaders() };
}

describe('PricingStage reading the by-node usage topic after every lane was idle', () => {
  const BY_NODE = TOPICS.usageByNode.name;
  const local = (windowStart: number, container: string) => usageSample({ podName: 'api', container, nodeName: localNode, windowStart, cpuCores: 1, memoryGib: 1 });
  const directBatch = (messages: readonly Incoming[]): Batch =>
    ({ topic: BY_NODE, partition: strayPartition, messages, lastOffset: () => messages.at(-1)?.offset ?? '-1', offsetLag: () => '5' }) as unknown as Batch;
  const direct = async (sample: UsageSample, offset: string): Promise<Incoming> => ({ offset, key: Buffer.from(nodeKey({ cluster: 'prod', nodeName: localNode })), value: await codec.encode('UsageSample', sample), headers: {} });
  const idleOf = (source: number, offset: string): Incoming => ({ offset, key: 'idle', value: encodeIdleMark({ source }), headers: idleMarkHeaders() });

  it('keeps a window open while the rest of its samples are still being read, however long the lanes were quiet before', async () => {
    let now = 0;
    const state = new ClusterState();
    state.apply(nodeObject({ name: localNode, cores: 4, memoryGib: 16 }));
    state.apply(podObject({ name: 'api', nodeName: localNode, containers: [container('app', 1, 1), container('sidecar', 1, 1)] }));
    const stage = new PricingStage({
      codec,
      logger: silentLogger(),
      metrics: createProcessorMetrics(new Registry()),
      state,
      prices: new PriceHistory(),
      internal: INTERNAL,
      topics: { usage: TOPICS.usage.name, costs: TOPICS.costs.name, nodeCosts: TOPICS.nodeCosts.name, deadLetter: TOPICS.deadLetter.name },
      allowedLatenessMillis: 5_000,
      stateRetentionMillis: 24 * 60 * MINUTE,
      bases: DEFAULT_BASES,
      direct: [{ topic: BY_NODE, format: SAMPLE_RECORDS, idleSourceAfterMillis: 2_000, futureSkewMillis: 10 * MINUTE, endOffsets: async () => new Map() }],
      now: () => now,
    });
    stage.onAssigned([strayPartition], new Map());
    // Both lanes (usage partition 0 and the by-node topic's) report idle, and stay quiet past the allowed lateness.
    await stage.handle(batchOf(strayPartition, [idleOf(0, '0'), idleOf(DIRECT_SOURCE, '1')]));
    now = 60_000;
    // The feed resumes on the by-node usage topic: one window's samples come in two batches, before the tick that
    // the first batch sends to the internal partition is read back.
    const first = await stage.handle(directBatch([await direct(local(10 * MINUTE, 'app'), '0')]));
    const second = await stage.handle(directBatch([await direct(local(10 * MINUTE, 'sidecar'), '1')]));
    const deadLetters = [...first.records, ...second.records].filter((r) => r.topic === TOPICS.deadLetter.name);
    expect(await Promise.all(deadLetters.map(async (r) => (await codec.decodeAs('DeadLetter', r.value as Buffer)).reason))).toEqual([]);
    expect([...podCosts(first), ...podCosts(second)]).toEqual([]);
    // The tick read back moves the lane; once it is idle again for the lateness, the window closes whole.
    await stage.handle(batchOf(strayPartition, [{ offset: '2', key: 'prod', value: encodeTick({ cluster: 'prod', windowStart: 10 * MINUTE, windowSeconds: 60, source: DIRECT_SOURCE }), headers: tickHeaders() }]));
    await stage.handle(batchOf(strayPartition, [idleOf(0, '3'), idleOf(DIRECT_SOURCE, '4')]));
    now += 5_000;
    const closed = await stage.handle(batchOf(strayPartition, [idleOf(0, '5')]));
    const costs = await Promise.all(podCosts(closed).map((r) => codec.decodeAs('PodCost', r.value as Buffer)));
    expect(costs.map((c) => [c.windowStart, c.container]).sort()).toEqual([[10 * MINUTE, 'app'], [10 * MINUTE, 'sidecar']]);
  });
});
