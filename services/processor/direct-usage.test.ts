import type { Batch } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCodec } from '../codec/create-codec.js';
import type { NodeUsage } from '../codec/records.generated.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { samplesOfNodeUsage } from '../kafka/node-usage.js';
import { TOPICS, usageDestination } from '../kafka/topics.js';
import type { StageRecord } from '../kafka/transactional-stage.js';
import { silentLogger } from '../log/logger.js';
import { ClusterState } from './cluster-state.js';
import { DirectUsage } from './direct-usage.js';
import { NODE_WINDOW_RECORDS, partitionProblem } from './direct-usage-formats.js';
import { decodeTick, NODE_WINDOW_SOURCE, RECORD_KIND_HEADER } from './internal-records.js';
import { createProcessorMetrics } from './processor-metrics.js';
import { nodeObject, usageSample } from './record-builders.js';
import { WindowAssembler } from './window-assembler.js';

const topics = { usage: TOPICS.usage.name, usageByNode: TOPICS.usageByNode.name };
const onNode = usageSample({ podName: 'web', container: 'app', nodeName: 'node-a', windowStart: 0, cpuCores: 1, memoryGib: 1 });
const nodeless = { ...onNode, nodeName: null };

describe('usageDestination', () => {
  it.each([
    ['a sample that names its node goes to the by-node topic, keyed by it', onNode, topics, { topic: topics.usageByNode, key: `${onNode.cluster}/node-a` }],
    ['a sample without a node goes to the usage topic, keyed by pod', nodeless, topics, { topic: topics.usage, key: `${onNode.cluster}/${onNode.podUid}` }],
    ['with no by-node topic, every sample goes to the usage topic, keyed by pod', onNode, { ...topics, usageByNode: '' }, { topic: topics.usage, key: `${onNode.cluster}/${onNode.podUid}` }],
  ])('%s', (_, sample, given, expected) => {
    expect(usageDestination(sample, given)).toEqual(expected);
  });
});

describe('partitionProblem', () => {
  const home = partitionOfKey(`${onNode.cluster}/node-a`, 6);

  it('takes a sample on its node key partition', () => {
    expect(partitionProblem(onNode, home, 6)).toBeNull();
  });

  it.each([
    ['on another partition than its node key', onNode, (home + 1) % 6],
    ['that names no node', nodeless, home],
  ])('refuses a sample %s, which would price outside its node conservation', (_, sample, partition) => {
    expect(partitionProblem(sample, partition, 6)?.code).toBe('MISPARTITIONED_SAMPLE');
  });
});

describe('DirectUsage of NodeUsage records', () => {
  const PARTITIONS = 4;
  const NOW = Date.UTC(2026, 2, 1, 12);
  const T0 = NOW - 10 * 60_000;
  const INTERNAL = 'kcost-process.usage-by-node';
  const codec = createCodec({ schemaRegistryUrl: '' });
  const nodeOn = (wanted: (partition: number) => boolean) => Array.from({ length: 50 }, (_, i) => `node-${i}`).find((name) => wanted(partitionOfKey(`prod/${name}`, PARTITIONS))) as string;
  const node = nodeOn(() => true);
  const home = partitionOfKey(`prod/${node}`, PARTITIONS);
  const elsewhere = nodeOn((p) => p !== home);

  const record = (o: Partial<NodeUsage> = {}): NodeUsage => ({
    cluster: 'prod',
    nodeName: node,
    windowStart: T0,
    windowSeconds: 60,
    source: 'kubelet-summary',
    containers: ['web', 'api', 'db'].map((pod, i) => ({ namespace: 'shop', podUid: `uid-${pod}`, podName: pod, container: 'app', cpuCoreSeconds: 30 * (i + 1), memoryWorkingSetAvgBytes: 2 ** 28, memoryWorkingSetMaxBytes: 2 ** 29, networkRxBytes: null, networkTxBytes: i, gap: false })),
    ...o,
  });

  function setUp(lateness = 0) {
    const state = new ClusterState();
    state.apply(nodeObject({ name: node, cores: 4, memoryGib: 16 }));
    const registry = new Registry();
    const direct = new DirectUsage(
      { topic: TOPICS.usageNodeWindow.name, format: NODE_WINDOW_RECORDS, idleSourceAfterMillis: 10_000, futureSkewMillis: 3_600_000, endOffsets: () => Promise.resolve(new Map()) },
      { codec, logger: silentLogger(), metrics: createProcessorMetrics(registry), state, deadLetterTopic: TOPICS.deadLetter.name },
      () => NOW,
    );
    direct.assign([home], new Map());
    const assembler = new WindowAssembler(lateness, { clock: () => NOW });
    assembler.track(NODE_WINDOW_SOURCE);
    const intake = (values: readonly Buffer[], firstOffset = 0) => {
      const messages = values.map((value, i) => ({ offset: String(firstOffset + i), key: Buffer.from(`prod/${node}`), value, headers: {} }));
      const batch = { topic: TOPICS.usageNodeWindow.name, partition: home, messages, lastOffset: () => messages.at(-1)?.offset ?? '-1', offsetLag: () => '0' } as unknown as Batch;
      return direct.intake(batch, assembler, INTERNAL, PARTITIONS);
    };
    return { assembler, intake };
  }

  const reasons = (out: readonly StageRecord[]) => Promise.all(out.filter((r) => r.topic === TOPICS.deadLetter.name).map(async (r) => codec.decodeAs('DeadLetter', r.value as Buffer)));

  it("expands a record into its containers' samples, ticks its own lane and announces the window to the other partitions", async () => {
    const { assembler, intake } = setUp();
    const value = record();
    const out = await intake([await codec.encode('NodeUsage', value)]);
    expect(out.map((r) => [r.partition, r.headers?.[RECORD_KIND_HEADER]])).toEqual(Array.from({ length: PARTITIONS }, (_, p) => [p, p === home ? 'tick' : 'window']));
    const tick = out.find((r) => r.partition === home) as StageRecord;
    expect(decodeTick(tick.value as Buffer)).toEqual({ cluster: 'prod', windowStart: T0, windowSeconds: 60, source: NODE_WINDOW_SOURCE });
    // The tick read back and the lane then reported idle: the window closes with every container as its own sample.
    assembler.addTick(decodeTick(tick.value as Buffer), home, '0', NODE_WINDOW_SOURCE);
    assembler.markIdle(NODE_WINDOW_SOURCE, home, '1');
    const [window] = assembler.closeReady();
    // In key order, as the assembler hands every window to the pricer.
    expect(window?.samples).toEqual(samplesOfNodeUsage(value).sort((a, b) => a.podUid.localeCompare(b.podUid)));
    expect(window?.samples.map((s) => [s.nodeName, s.podName, s.cpuCoreSeconds, s.source])).toEqual([
      [node, 'api', 60, 'kubelet-summary'],
      [node, 'db', 90, 'kubelet-summary'],
      [node, 'web', 30, 'kubelet-summary'],
    ]);
  });

  const bad = (container: Partial<NodeUsage['containers'][number]>) => record({ containers: [...record().containers, { ...(record().containers[0] as NodeUsage['containers'][number]), podName: 'bad', podUid: 'uid-bad', ...container }] });

  it.each([
    ['larger than a node window may be', async () => codec.encode('NodeUsage', record({ containers: Array.from({ length: 1200 }, (_, i) => ({ ...(record().containers[0] as NodeUsage['containers'][number]), podUid: `uid-${i}`, podName: 'p'.repeat(900) })) })), 'RECORD_TOO_LARGE', /at most 1048576/],
    ['that is not Avro', () => Promise.resolve(Buffer.from('not avro')), 'UNDECODABLE', /./],
    ['that is a UsageSample', () => codec.encode('UsageSample', usageSample({ podName: 'web', container: 'app', nodeName: node, windowStart: T0, cpuCores: 1, memoryGib: 1 })), 'UNEXPECTED_SCHEMA', /expected a NodeUsage/],
    ["of a node whose key is on another partition", async () => codec.encode('NodeUsage', record({ nodeName: elsewhere })), 'MISPARTITIONED_SAMPLE', /key's partition is/],
    ['that names no node', async () => codec.encode('NodeUsage', record({ nodeName: '' })), 'MISPARTITIONED_SAMPLE', /names no node/],
    ['with one container over its node', async () => codec.encode('NodeUsage', bad({ cpuCoreSeconds: 1e6 })), 'OUT_OF_BOUNDS', /container shop\/bad\/app of node prod\/node-\d+: cpuCoreSeconds is 1000000/],
    ['with one negative figure', async () => codec.encode('NodeUsage', bad({ networkRxBytes: -1 })), 'OUT_OF_BOUNDS', /networkRxBytes is -1/],
    ['of a window that starts in the future', async () => codec.encode('NodeUsage', record({ windowStart: NOW + 2 * 3_600_000 })), 'TIME_OUT_OF_RANGE', /windowStart/],
    ['of a zero-second window', async () => codec.encode('NodeUsage', record({ windowSeconds: 0 })), 'OUT_OF_BOUNDS', /windowSeconds is 0/],
  ])('dead-letters a record %s whole, with its reason, and takes the next record', async (_, make, code, reason) => {
    const { assembler, intake } = setUp();
    const refused = await make();
    const out = await intake([refused, await codec.encode('NodeUsage', record())]);
    const letters = await reasons(out);
    expect(letters.map((l) => [l.reasonCode, l.sourceOffset, l.sourceTopic])).toEqual([[code, 0, TOPICS.usageNodeWindow.name]]);
    expect(letters[0]?.reason).toMatch(reason);
    expect(assembler.pending).toBe(3);
  });

  it('dead-letters a record for a window already priced as one LATE_SAMPLE, with none of its samples priced', async () => {
    const { assembler, intake } = setUp();
    await intake([await codec.encode('NodeUsage', record({ windowStart: T0 + 5 * 60_000 }))]);
    assembler.addTick({ cluster: 'prod', windowStart: T0 + 5 * 60_000, windowSeconds: 60, source: NODE_WINDOW_SOURCE }, home, '0', NODE_WINDOW_SOURCE);
    assembler.markIdle(NODE_WINDOW_SOURCE, home, '1');
    expect(assembler.closeReady()).toHaveLength(1);
    const letters = await reasons(await intake([await codec.encode('NodeUsage', record())], 1));
    expect(letters.map((l) => [l.reasonCode, l.sourceOffset])).toEqual([['LATE_SAMPLE', 1]]);
    expect(assembler.pending).toBe(0);
  });
});
