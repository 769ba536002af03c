import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordTypes, SchemaName } from '../../services/codec/records.generated.js';
import { TOPICS, kubeObjectKey, podKey, priceKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../../services/processor/processor.js';
import { container, nodeObject, podObject, priceUpdate, usageSample } from '../../services/processor/record-builders.js';
import { createTestTopics, testCodec, testKafka, waitFor } from '../support/kafka.js';
import { TopicReader } from './topic-reader.js';

// A feed that stops (a collector that dies, a backfill that ends) sends no
// record that would move the watermark past its last windows. They must
// still be priced, within the bound docs/processor.md gives:
// 2 × idle-source-after + allowed-lateness + 1 s after the last sample.

const T0 = Date.UTC(2026, 7, 3, 9);
const MINUTE = 60_000;
const WINDOWS = 12;
const PODS = 8;
const LATENESS_MILLIS = 3_000;
const IDLE_SOURCE_AFTER_MILLIS = 1_000;
const BOUND_MILLIS = 2 * IDLE_SOURCE_AFTER_MILLIS + LATENESS_MILLIS + 1_000;

const kafka = testKafka('processor-quiet-feed');
const codec = testCodec();
let producer: Producer;
let config: ProcessorConfig;
let processor: Processor | undefined;
let costs: TopicReader<'PodCost'>;
let nodeCosts: TopicReader<'NodeCost'>;
let deadLetters: TopicReader<'DeadLetter'>;

async function publish<N extends SchemaName>(topic: string, schema: N, records: ReadonlyArray<{ key: string; value: RecordTypes[N] }>): Promise<void> {
  const messages = await Promise.all(records.map(async (r) => ({ key: r.key, value: await codec.encode(schema, r.value) })));
  await producer.send({ topic, acks: -1, messages });
}

beforeAll(async () => {
  // Four usage partitions: each is a lane that must be found idle, not merely silent.
  const specs = await createTestTopics(kafka, [TOPICS.kube, TOPICS.prices, { ...TOPICS.usage, partitions: 4 }, TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter]);
  const [kube, prices, usage, podCosts, nodeCostsTopic, anomalies, deadLetter] = specs.map((s) => s.name) as [string, string, string, string, string, string, string];
  const id = randomUUID().slice(0, 8);
  config = {
    groupId: `kcost-quiet-${id}`,
    transactionalId: `kcost-quiet-${id}`,
    allowedLatenessMillis: LATENESS_MILLIS,
    idleSourceAfterMillis: IDLE_SOURCE_AFTER_MILLIS,
    stateRetentionMillis: 86_400_000,
    bases: { cpu: 'max', memory: 'max' },
    anomaly: DEFAULT_ANOMALY_OPTIONS,
    topics: { kube, prices, usage, costs: podCosts, nodeCosts: nodeCostsTopic, anomalies, deadLetter },
  };
  producer = kafka.producer();
  await producer.connect();
  const kubeObjects = [
    nodeObject({ name: 'node-a', instanceType: 'm5.xlarge', cores: 4, memoryGib: 16 }),
    nodeObject({ name: 'node-b', instanceType: 'm5.xlarge', cores: 4, memoryGib: 16 }),
    ...Array.from({ length: PODS }, (_, i) => podObject({ name: `web-${i}`, nodeName: i % 2 === 0 ? 'node-a' : 'node-b', containers: [container('app', 0.25, 1)] })),
  ];
  await publish(kube, 'KubeObject', kubeObjects.map((value) => ({ key: kubeObjectKey(value), value })));
  const price = priceUpdate({ sku: 'm5.xlarge', effectiveFrom: T0 - 86_400_000, hourlyUsd: 0.192 });
  await publish(prices, 'PriceUpdate', [{ key: priceKey(price), value: price }]);
  costs = await TopicReader.open(kafka, codec, podCosts, 'PodCost');
  nodeCosts = await TopicReader.open(kafka, codec, nodeCostsTopic, 'NodeCost');
  deadLetters = await TopicReader.open(kafka, codec, deadLetter, 'DeadLetter');
  processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry: new Registry() }, config);
  await processor.start();
}, 60_000);

afterAll(async () => {
  await processor?.stop();
  await Promise.all([costs?.close(), nodeCosts?.close(), deadLetters?.close()]);
  await producer?.disconnect();
});

describe('kcost process when its input goes quiet', () => {
  it('prices every window through the last sample within the documented bound, and nothing twice', async () => {
    const samples = Array.from({ length: WINDOWS }, (_, minute) =>
      Array.from({ length: PODS }, (_, i) => usageSample({ podName: `web-${i}`, container: 'app', windowStart: T0 + minute * MINUTE, cpuCores: 0.2, memoryGib: 0.5 })),
    ).flat();
    await publish(config.topics.usage, 'UsageSample', samples.map((value) => ({ key: podKey(value), value })));
    // Generous slack over the bound for the broker's own latency on a loaded machine; the windows never close without the idle path.
    await waitFor(() => costs.records.length >= WINDOWS * PODS && nodeCosts.records.length >= WINDOWS * 2, BOUND_MILLIS + 30_000, `every window priced within ${BOUND_MILLIS} ms (+ slack)`);
    await new Promise((resolve) => setTimeout(resolve, BOUND_MILLIS));
    const windows = new Set(costs.records.map((c) => c.windowStart));
    expect([...windows].sort((a, b) => a - b)).toEqual(Array.from({ length: WINDOWS }, (_, minute) => T0 + minute * MINUTE));
    const podWindows = costs.records.map((c) => `${c.podUid}@${c.windowStart}`);
    expect(new Set(podWindows).size).toBe(WINDOWS * PODS);
    expect(costs.records).toHaveLength(WINDOWS * PODS);
    expect(nodeCosts.records).toHaveLength(WINDOWS * 2);
    expect(deadLetters.records).toEqual([]);
  }, 90_000);

  it('takes the feed back when it resumes: the next windows are not late', async () => {
    const resumed = Array.from({ length: PODS }, (_, i) => usageSample({ podName: `web-${i}`, container: 'app', windowStart: T0 + WINDOWS * MINUTE, cpuCores: 0.2, memoryGib: 0.5 }));
    await publish(config.topics.usage, 'UsageSample', resumed.map((value) => ({ key: podKey(value), value })));
    await waitFor(() => costs.records.length >= (WINDOWS + 1) * PODS, BOUND_MILLIS + 30_000, 'the resumed window priced');
    expect(deadLetters.records).toEqual([]);
    expect(costs.records.filter((c) => c.windowStart === T0 + WINDOWS * MINUTE)).toHaveLength(PODS);
  }, 90_000);
});
