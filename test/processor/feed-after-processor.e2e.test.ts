import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageSample } from '../../services/codec/records.generated.js';
import { partitionOfKey } from '../../services/kafka/key-partition.js';
import { TOPICS, kubeObjectKey, podKey, priceKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { internalTopicNames } from '../../services/processor/internal-topics.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../../services/processor/processor.js';
import { createTestTopics, testCodec, testKafka, waitFor } from '../support/kafka.js';
import { hourOfUsage, kubeObjects, PODS, priceUpdates } from './by-node-cluster.js';
import { TopicReader } from './topic-reader.js';

// A quick start: the processor runs before any usage exists, so both usage
// topics have never held a record and their partitions are idle from the
// assignment. Then a backfill arrives, first on one usage partition, the
// others' first records seconds later (less than --idle-source-after). The
// partition read first must not close windows on the others: no sample is
// dead-lettered as late, and every window is priced whole.

const T0 = Date.UTC(2026, 6, 1, 0);
const HOURS = 6;
const PARTITIONS = 4;
const IDLE_SOURCE_AFTER_MILLIS = 6_000;
const GAP_MILLIS = 3_000;

const kafka = testKafka('processor-feed-after-processor');
const codec = testCodec();
let producer: Producer;
let processor: Processor;
let config: ProcessorConfig;
let costs: TopicReader<'PodCost'>;
let deadLetters: TopicReader<'DeadLetter'>;

async function publish(topic: string, samples: readonly UsageSample[]): Promise<void> {
  await producer.send({ topic, acks: -1, messages: await Promise.all(samples.map(async (s) => ({ key: podKey(s), value: await codec.encode('UsageSample', s) }))) });
}

beforeAll(async () => {
  const specs = await createTestTopics(kafka, [TOPICS.kube, TOPICS.prices, { ...TOPICS.usage, partitions: PARTITIONS }, { ...TOPICS.usageByNode, partitions: PARTITIONS }, TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter]);
  const [kube, prices, usage, usageByNode, costsTopic, nodeCosts, anomalies, deadLetter] = specs.map((s) => s.name) as [string, string, string, string, string, string, string, string];
  producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: kube, acks: -1, messages: await Promise.all(kubeObjects.map(async (o) => ({ key: kubeObjectKey(o), value: await codec.encode('KubeObject', o) }))) });
  await producer.send({ topic: prices, acks: -1, messages: await Promise.all(priceUpdates(T0).map(async (p) => ({ key: priceKey(p), value: await codec.encode('PriceUpdate', p) }))) });
  config = {
    groupId: `kcost-feed-after-${randomUUID().slice(0, 8)}`,
    transactionalId: `kcost-feed-after-${randomUUID().slice(0, 8)}`,
    allowedLatenessMillis: 0,
    idleSourceAfterMillis: IDLE_SOURCE_AFTER_MILLIS,
    stateRetentionMillis: 7 * 86_400_000,
    bases: { cpu: 'max', memory: 'max' },
    anomaly: DEFAULT_ANOMALY_OPTIONS,
    topics: { kube, prices, usage, usageByNode, costs: costsTopic, nodeCosts, anomalies, deadLetter },
  } satisfies ProcessorConfig;
  processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry: new Registry() }, config);
  [costs, deadLetters] = await Promise.all([TopicReader.open(kafka, codec, costsTopic, 'PodCost'), TopicReader.open(kafka, codec, deadLetter, 'DeadLetter')]);
  await processor.start();
}, 60_000);

afterAll(async () => {
  await processor?.stop();
  await Promise.all([costs?.close(), deadLetters?.close()]);
  await producer?.disconnect();
});

describe('kcost process started before its feed', () => {
  it('prices a backfill whose partitions get their first records seconds apart whole, with no sample late', async () => {
    // Every usage partition is reported idle before any record exists (idle marks on every internal partition).
    const admin = kafka.admin();
    await admin.connect();
    const internal = internalTopicNames(config.groupId).usageByNode;
    const marked = async () => {
      // The topic is created by the processor as it starts: its leaders may not be known yet.
      const ends = await admin.fetchTopicOffsets(internal).catch(() => null);
      return ends !== null && ends.length === PARTITIONS && ends.every((p) => Number(p.high) >= PARTITIONS);
    };
    await waitFor(marked, 20_000, 'the idle marks of every usage partition');
    await admin.disconnect();

    const samples = Array.from({ length: HOURS }, (_, hour) => hourOfUsage(T0, hour, () => true)).flat();
    const first = samples.filter((s) => partitionOfKey(podKey(s), PARTITIONS) === 0);
    const later = samples.filter((s) => partitionOfKey(podKey(s), PARTITIONS) !== 0);
    expect(first.length).toBeGreaterThan(0);
    expect(later.length).toBeGreaterThan(0);
    await publish(config.topics.usage, first);
    await new Promise((resolve) => setTimeout(resolve, GAP_MILLIS));
    await publish(config.topics.usage, later);

    // The last hour closes once every partition is idle again.
    await waitFor(() => costs.records.length >= HOURS * PODS || deadLetters.records.length > 0, 45_000, 'every hour priced');
    expect(deadLetters.records.map((d) => d.reasonCode)).toEqual([]);
    expect(costs.records).toHaveLength(HOURS * PODS);
    expect(new Set(costs.records.map((c) => `${c.podUid}@${c.windowStart}`)).size).toBe(HOURS * PODS);
  }, 60_000);
});
