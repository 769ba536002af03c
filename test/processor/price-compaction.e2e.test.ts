import { randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodCost, PriceUpdate, RecordTypes, SchemaName } from '../../services/codec/records.generated.js';
import { TOPICS, kubeObjectKey, podKey, priceKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../../services/processor/processor.js';
import { container, nodeObject, podObject, priceUpdate, usageSample } from '../../services/processor/record-builders.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { TopicReader } from './topic-reader.js';
import { waitForLeaders } from '../../services/kafka/provision-topics.js';

// The prices topic is compacted. A processor group that reads it after the
// log cleaner has run (a replay, a backfill, a new deployment) must still
// price every past window with the price in effect then: the same costs as a
// group that read it before compaction.

const T0 = Date.UTC(2026, 6, 1, 12);
const MINUTE = 60_000;
const WINDOWS = 40;
const at = (minute: number) => T0 + minute * MINUTE;

const kafka = testKafka('processor-price-compaction');
const codec = testCodec();
let producer: Producer;
let admin: Admin;
let base: Omit<ProcessorConfig, 'groupId' | 'transactionalId'>;
const running: Processor[] = [];
const readers: Array<TopicReader<SchemaName>> = [];

const prices: PriceUpdate[] = [
  priceUpdate({ sku: 'm5.xlarge', effectiveFrom: T0 - 86_400_000, hourlyUsd: 0.192 }),
  priceUpdate({ sku: 'm5.xlarge', capacityType: 'SPOT', source: 'aws-spot', effectiveFrom: T0 - 3_600_000, hourlyUsd: 0.0385 }),
  // The spot price moves twice during the run; the latest is the only one a per-SKU key would keep.
  priceUpdate({ sku: 'm5.xlarge', capacityType: 'SPOT', source: 'aws-spot', effectiveFrom: at(10), hourlyUsd: 0.05 }),
  priceUpdate({ sku: 'm5.xlarge', capacityType: 'SPOT', source: 'aws-spot', effectiveFrom: at(25), hourlyUsd: 0.07 }),
];

async function publish<N extends SchemaName>(topic: string, schema: N, records: ReadonlyArray<{ key: string; value: RecordTypes[N] }>): Promise<void> {
  const messages = await Promise.all(records.map(async (r) => ({ key: r.key, value: await codec.encode(schema, r.value) })));
  await producer.send({ topic, acks: -1, messages });
}

/** Every record the topic holds now, read from its start. */
async function readWhole(topic: string): Promise<Array<{ key: string; offset: string }>> {
  const [end] = await admin.fetchTopicOffsets(topic);
  const high = BigInt(end?.high ?? '0');
  const seen: Array<{ key: string; offset: string }> = [];
  const consumer = kafka.consumer({ groupId: `test-read-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let done = false;
  await consumer.run({
    eachMessage: ({ message }) => {
      seen.push({ key: message.key?.toString() ?? '', offset: message.offset });
      if (BigInt(message.offset) + 1n >= high) done = true;
      return Promise.resolve();
    },
  });
  await waitFor(() => done, 30_000, `reading ${topic} to its end`);
  await consumer.disconnect();
  return seen;
}

/** Runs a processor group of its own over the shared input topics, into output topics of its own; returns its pod costs. */
async function priceEverything(): Promise<PodCost[]> {
  const [costsTopic, nodeCostsTopic, anomaliesTopic, deadLetterTopic] = (await createTestTopics(kafka, [TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter])).map((t) => t.name) as [string, string, string, string];
  const groupId = uniqueName('kcost-compaction');
  const config: ProcessorConfig = { ...base, groupId, transactionalId: groupId, topics: { ...base.topics, costs: costsTopic, nodeCosts: nodeCostsTopic, anomalies: anomaliesTopic, deadLetter: deadLetterTopic } };
  const costs = await TopicReader.open(kafka, codec, costsTopic, 'PodCost');
  const deadLetters = await TopicReader.open(kafka, codec, deadLetterTopic, 'DeadLetter');
  readers.push(costs, deadLetters);
  const processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry: new Registry() }, config);
  running.push(processor);
  await processor.start();
  await waitFor(() => costs.records.length >= WINDOWS, 60_000, 'every window priced');
  await processor.stop();
  running.splice(running.indexOf(processor), 1);
  expect(deadLetters.records).toEqual([]);
  return costs.records.map(({ offset: _offset, ...cost }) => cost).sort((a, b) => a.windowStart - b.windowStart);
}

beforeAll(async () => {
  producer = kafka.producer();
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
  const [kube, usage] = (await createTestTopics(kafka, [TOPICS.kube, { ...TOPICS.usage, partitions: 1 }])).map((t) => t.name) as [string, string];
  // The prices topic as kcost creates it, with a log cleaner that runs at once: tiny segments, no compaction lag.
  const pricesTopic = uniqueName(TOPICS.prices.name);
  await admin.createTopics({
    waitForLeaders: false,
    topics: [
      {
        topic: pricesTopic,
        numPartitions: 1,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.ms', value: '100' },
          { name: 'min.cleanable.dirty.ratio', value: '0.001' },
          { name: 'min.compaction.lag.ms', value: '0' },
          { name: 'delete.retention.ms', value: '0' },
        ],
      },
    ],
  });
  await waitForLeaders(admin, [pricesTopic]);
  base = {
    allowedLatenessMillis: 0,
    idleSourceAfterMillis: 1000,
    stateRetentionMillis: 86_400_000,
    bases: { cpu: 'max', memory: 'max' },
    anomaly: DEFAULT_ANOMALY_OPTIONS,
    topics: { kube, prices: pricesTopic, usage, costs: '', nodeCosts: '', anomalies: '', deadLetter: '' },
  };
  const kubeObjects = [
    nodeObject({ name: 'spot-a', instanceType: 'm5.xlarge', capacityType: 'SPOT', cores: 4, memoryGib: 16 }),
    podObject({ name: 'web', nodeName: 'spot-a', containers: [container('app', 1, 4)], workload: { kind: 'Deployment', name: 'web' } }),
  ];
  await publish(kube, 'KubeObject', kubeObjects.map((value) => ({ key: kubeObjectKey(value), value })));
  await publish(pricesTopic, 'PriceUpdate', prices.map((value) => ({ key: priceKey(value), value })));
  // The collector publishing the 12:25 change again after a restart: the one record compaction may drop.
  await publish(pricesTopic, 'PriceUpdate', [{ key: priceKey(prices[3] as PriceUpdate), value: prices[3] as PriceUpdate }]);
  // The last window closes once the usage partition has been quiet for idleSourceAfterMillis.
  const usageSamples = Array.from({ length: WINDOWS }, (_, minute) => usageSample({ podName: 'web', container: 'app', nodeName: 'spot-a', windowStart: at(minute), cpuCores: 0.5, memoryGib: 2 }));
  await publish(usage, 'UsageSample', usageSamples.map((value) => ({ key: podKey(value), value })));
}, 60_000);

afterAll(async () => {
  for (const processor of running) await processor.stop();
  await Promise.all(readers.map((r) => r.close()));
  await producer?.disconnect();
  await admin?.disconnect();
});

describe('kcost process after the prices topic was compacted', () => {
  it('prices every past window with the price in effect then, exactly as before compaction', async () => {
    const before = await priceEverything();
    expect(before).toHaveLength(WINDOWS);

    const pricesTopic = base.topics.prices;
    // A segment rolls on the first record after segment.ms: this one makes the older ones cleanable.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const filler = priceUpdate({ sku: 'c5.large', effectiveFrom: T0, hourlyUsd: 0.085 });
    await publish(pricesTopic, 'PriceUpdate', [{ key: priceKey(filler), value: filler }]);
    // The cleaner has run once the repeated 12:25 change is gone.
    await waitFor(async () => (await readWhole(pricesTopic)).length === prices.length + 1, 60_000, 'the log cleaner to compact the prices topic');
    const kept = (await readWhole(pricesTopic)).map((r) => r.key);
    expect(kept).toEqual(expect.arrayContaining(prices.map((p) => priceKey(p))));

    const after = await priceEverything();
    expect(after).toEqual(before);
    const effectiveFrom = (minute: number) => after.find((c) => c.windowStart === at(minute))?.priceEffectiveFrom;
    expect([effectiveFrom(0), effectiveFrom(10), effectiveFrom(30)]).toEqual([T0 - 3_600_000, at(10), at(25)]);
    expect(after.every((c) => c.priceSource === 'aws-spot')).toBe(true);
  }, 240_000);
});
