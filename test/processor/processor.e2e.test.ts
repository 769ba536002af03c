import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordTypes, SchemaName, UsageSample } from '../../services/codec/records.generated.js';
import { TOPICS, kubeObjectKey, podKey, priceKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../../services/processor/processor.js';
import { container, nodeObject, podObject, priceUpdate, usageSample } from '../../services/processor/record-builders.js';
import { createTestTopics, testCodec, testKafka, waitFor } from '../support/kafka.js';
import { TopicReader } from './topic-reader.js';

// Kube state, prices and usage go onto real topics; the processor (built
// in-process) prices them; the outputs are read back read_committed and
// decoded with the public schemas.

const T0 = Date.UTC(2026, 4, 4, 12);
const MINUTE = 60_000;
const at = (minute: number) => T0 + minute * MINUTE;

const kafka = testKafka('processor-e2e');
const codec = testCodec();
let producer: Producer;
let config: ProcessorConfig;
let costs: TopicReader<'PodCost'>;
let nodeCosts: TopicReader<'NodeCost'>;
let deadLetters: TopicReader<'DeadLetter'>;
const running: Processor[] = [];

async function publish<N extends SchemaName>(topic: string, schema: N, records: ReadonlyArray<{ key: string; value: RecordTypes[N] }>): Promise<void> {
  const messages = await Promise.all(records.map(async (r) => ({ key: r.key, value: await codec.encode(schema, r.value) })));
  await producer.send({ topic, acks: -1, messages });
}

async function publishUsage(samples: UsageSample[]): Promise<void> {
  await publish(config.topics.usage, 'UsageSample', samples.map((value) => ({ key: podKey(value), value })));
}

/** One minute of usage of the three scheduled pods. */
function minuteOfUsage(minute: number): UsageSample[] {
  return [
    usageSample({ podName: 'web', container: 'app', windowStart: at(minute), cpuCores: 0.5, memoryGib: 2 }),
    usageSample({ podName: 'api', container: 'app', windowStart: at(minute), cpuCores: 2.5, memoryGib: 3 }),
    usageSample({ podName: 'batch', container: 'worker', windowStart: at(minute), cpuCores: 5, memoryGib: 6 }),
  ];
}

async function startProcessor(): Promise<Processor> {
  const processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry: new Registry() }, config);
  running.push(processor);
  await processor.start();
  return processor;
}

beforeAll(async () => {
  const specs = await createTestTopics(kafka, [
    TOPICS.kube,
    TOPICS.prices,
    // One usage partition keeps the arrival order, and so which samples are late, deterministic.
    { ...TOPICS.usage, partitions: 1 },
    TOPICS.costs,
    TOPICS.nodeCosts,
    TOPICS.anomalies,
    TOPICS.deadLetter,
  ]);
  const [kube, prices, usage, podCosts, nodeCostsTopic, anomalies, deadLetter] = specs.map((s) => s.name) as [string, string, string, string, string, string, string];
  config = {
    groupId: `kcost-process-${randomUUID().slice(0, 8)}`,
    transactionalId: `kcost-process-test-${randomUUID().slice(0, 8)}`,
    allowedLatenessMillis: 2 * MINUTE,
    stateRetentionMillis: 86_400_000,
    bases: { cpu: 'max', memory: 'max' },
    anomaly: DEFAULT_ANOMALY_OPTIONS,
    topics: { kube, prices, usage, costs: podCosts, nodeCosts: nodeCostsTopic, anomalies, deadLetter },
  };
  producer = kafka.producer();
  await producer.connect();
  const kubeObjects = [
    nodeObject({ name: 'node-a', instanceType: 'm5.xlarge', cores: 4, memoryGib: 16 }),
    nodeObject({ name: 'node-b', instanceType: 'm5.xlarge', capacityType: 'SPOT', cores: 4, memoryGib: 16 }),
    podObject({ name: 'web', nodeName: 'node-a', containers: [container('app', 1, 4)], workload: { kind: 'Deployment', name: 'web' } }),
    podObject({ name: 'api', nodeName: 'node-a', containers: [container('app', 2, 4)], workload: { kind: 'Deployment', name: 'api' } }),
    podObject({ name: 'batch', nodeName: 'node-b', containers: [container('worker', 3, 8)], workload: { kind: 'Job', name: 'batch' } }),
  ];
  await publish(kube, 'KubeObject', kubeObjects.map((value) => ({ key: kubeObjectKey(value), value })));
  const priceUpdates = [
    priceUpdate({ sku: 'm5.xlarge', effectiveFrom: T0 - 86_400_000, hourlyUsd: 0.192 }),
    priceUpdate({ sku: 'm5.xlarge', capacityType: 'SPOT', source: 'aws-spot', effectiveFrom: T0 - 3_600_000, hourlyUsd: 0.06 }),
    // The spot price moves inside the 12:02 window: 12:02 keeps 0.06, 12:03 on pay 0.12.
    priceUpdate({ sku: 'm5.xlarge', capacityType: 'SPOT', source: 'aws-spot', effectiveFrom: at(2.5), hourlyUsd: 0.12 }),
  ];
  // Each price change has a key of its own (the effective time is in it), so compaction keeps them all.
  await publish(prices, 'PriceUpdate', priceUpdates.map((value) => ({ key: priceKey(value), value })));
  costs = await TopicReader.open(kafka, codec, podCosts, 'PodCost');
  nodeCosts = await TopicReader.open(kafka, codec, nodeCostsTopic, 'NodeCost');
  deadLetters = await TopicReader.open(kafka, codec, deadLetter, 'DeadLetter');
});

afterAll(async () => {
  for (const processor of running) await processor.stop();
  await Promise.all([costs?.close(), nodeCosts?.close(), deadLetters?.close()]);
  await producer?.disconnect();
});

describe('kcost process over the real broker', () => {
  let first: Processor;

  it('prices closed windows into PodCost and NodeCost records that conserve each node cost', async () => {
    first = await startProcessor();
    expect(first.ready).toBe(true);
    const samples = [0, 1, 2, 3, 4].flatMap(minuteOfUsage);
    // 12:08 moves the watermark to 12:09: with 2 minutes of lateness, windows ending before 12:07 close.
    samples.push(usageSample({ podName: 'web', container: 'app', windowStart: at(8), cpuCores: 0.5, memoryGib: 2 }));
    await publishUsage(samples);
    await waitFor(() => costs.records.length >= 15 && nodeCosts.records.length >= 10, 60_000, 'five windows of costs');
    expect(costs.records).toHaveLength(15);
    expect(nodeCosts.records).toHaveLength(10);

    for (const node of nodeCosts.records) {
      const onNode = costs.records.filter((c) => c.nodeName === node.nodeName && c.windowStart === node.windowStart);
      const allocated = onNode.reduce((s, c) => s + c.cpuCostUsd + c.memoryCostUsd + c.gpuCostUsd, 0);
      expect(Math.abs(allocated + node.idleCostUsd - node.costUsd) / node.costUsd).toBeLessThan(1e-9);
      expect(node.cpuIdleCostUsd).toBeGreaterThanOrEqual(0);
      expect(node.memoryIdleCostUsd).toBeGreaterThanOrEqual(0);
    }
    const spot = (minute: number) => nodeCosts.records.find((n) => n.nodeName === 'node-b' && n.windowStart === at(minute));
    expect(spot(2)?.costUsd).toBeCloseTo(0.06 / 60, 12);
    expect(spot(3)?.costUsd).toBeCloseTo(0.12 / 60, 12);
    expect(spot(3)).toMatchObject({ priceSource: 'aws-spot', priceEffectiveFrom: at(2.5), capacityType: 'SPOT' });
    expect(spot(3)?.spotSavingsUsd).toBeCloseTo((0.192 - 0.12) / 60, 12);

    // batch uses 5 cores on a 4-core node: charged the whole CPU, scaled.
    const batch = costs.records.find((c) => c.podName === 'batch' && c.windowStart === at(0));
    expect(batch).toMatchObject({ cpuAllocatedCores: 4, flags: ['SCALED'], workloadKind: 'Job', workloadName: 'batch', nodeName: 'node-b' });
    // web on node-a: max(1 core request, 0.5 used) of 4 cores; max(4 GiB request, 2 used) of 16 GiB; 0.192 $/h split 0.031611:0.004237.
    const cpuPart = (0.192 * 0.031611 * 4) / (0.031611 * 4 + 0.004237 * 16);
    const web = costs.records.find((c) => c.podName === 'web' && c.windowStart === at(0));
    expect(web?.totalCostUsd).toBeCloseTo((cpuPart / 4 + (0.192 - cpuPart) / 4) / 60, 12);
    expect(web).toMatchObject({ priceSource: 'aws-pricing', priceEffectiveFrom: T0 - 86_400_000, spotSavingsUsd: 0, flags: [] });
  });

  it('sends a sample for a closed window to the dead-letter topic, and flags a pod it has no state for', async () => {
    await publishUsage([
      usageSample({ podName: 'api', container: 'app', windowStart: at(1), cpuCores: 1, memoryGib: 1 }),
      usageSample({ podName: 'ghost', container: 'c', nodeName: 'node-a', windowStart: at(8), cpuCores: 1, memoryGib: 1 }),
      usageSample({ podName: 'web', container: 'app', windowStart: at(12), cpuCores: 0.5, memoryGib: 2 }),
    ]);
    await waitFor(() => deadLetters.records.length >= 1 && costs.records.some((c) => c.podName === 'ghost'), 60_000, 'the dead letter and the ghost pod cost');
    expect(deadLetters.records[0]).toMatchObject({ reasonCode: 'LATE_SAMPLE', sourceTopic: config.topics.usage, service: 'process' });
    const ghost = costs.records.find((c) => c.podName === 'ghost');
    expect(ghost).toMatchObject({ flags: ['UNKNOWN_POD'], nodeName: 'node-a', windowStart: at(8), cpuAllocatedCores: 1 });
    expect(costs.records.filter((c) => c.podName === 'api' && c.windowStart === at(1))).toHaveLength(1);
  });

  it('resumes after a restart without pricing any window twice or losing an open one', async () => {
    // 12:11 arrives after 12:12 but within the lateness; 12:14 then closes 12:11 while 12:12 stays open.
    await publishUsage([
      usageSample({ podName: 'api', container: 'app', windowStart: at(11), cpuCores: 1, memoryGib: 1 }),
      usageSample({ podName: 'web', container: 'app', windowStart: at(14), cpuCores: 0.5, memoryGib: 2 }),
    ]);
    await waitFor(() => costs.records.some((c) => c.windowStart === at(11)), 60_000, 'the 12:11 window');
    await first.stop();
    running.splice(running.indexOf(first), 1);

    // The committed offset points at the open 12:12 sample; the 12:11 sample after it was priced already.
    await startProcessor();
    await publishUsage([usageSample({ podName: 'web', container: 'app', windowStart: at(20), cpuCores: 0.5, memoryGib: 2 })]);
    await waitFor(() => costs.records.some((c) => c.windowStart === at(14)), 60_000, 'the 12:14 window');

    const seen = new Map<string, number>();
    for (const c of costs.records) seen.set(`${c.podName}/${c.container}/${c.windowStart}`, (seen.get(`${c.podName}/${c.container}/${c.windowStart}`) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1).map(([key]) => key)).toEqual([]);
    expect(seen.has(`web/app/${at(12)}`)).toBe(true);
    expect(seen.has(`api/app/${at(11)}`)).toBe(true);
    const nodeWindows = nodeCosts.records.map((n) => `${n.nodeName}/${n.windowStart}`);
    expect(new Set(nodeWindows).size).toBe(nodeWindows.length);
    expect(deadLetters.records).toHaveLength(1);
  });
});
