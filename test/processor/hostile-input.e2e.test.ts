import { randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordTypes, SchemaName, UsageSample } from '../../services/codec/records.generated.js';
import { TOPICS, kubeObjectKey, podKey, priceKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../../services/processor/processor.js';
import { container, nodeObject, podObject, priceUpdate, usageSample } from '../../services/processor/record-builders.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { TopicReader } from './topic-reader.js';
import { waitForLeaders } from '../../services/kafka/provision-topics.js';

// Records that decode (or are merely huge) but must never become money:
// each goes to the dead-letter topic with its reason code, the stream goes
// on, and the good records around them are priced as if they were not there.

const T0 = Date.now() - 3_600_000 - ((Date.now() - 3_600_000) % 60_000);
const MINUTE = 60_000;
const WINDOWS = 6;

const kafka = testKafka('processor-hostile-input');
const codec = testCodec();
let producer: Producer;
let admin: Admin;
let config: ProcessorConfig;
let processor: Processor | undefined;
let costs: TopicReader<'PodCost'>;
let nodeCosts: TopicReader<'NodeCost'>;
let deadLetters: TopicReader<'DeadLetter'>;

async function encoded<N extends SchemaName>(schema: N, records: ReadonlyArray<{ key: string; value: RecordTypes[N] }>) {
  return Promise.all(records.map(async (r) => ({ key: r.key, value: await codec.encode(schema, r.value) })));
}

beforeAll(async () => {
  producer = kafka.producer();
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
  const [kube, prices, costsTopic, nodeCostsTopic, anomalies, deadLetter] = (await createTestTopics(kafka, [TOPICS.kube, TOPICS.prices, TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter])).map((t) => t.name) as [string, string, string, string, string, string];
  // A usage topic that takes 16 MB records, as a misconfigured deployment might: the processor must not pass one on.
  const usage = uniqueName(TOPICS.usage.name);
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic: usage, numPartitions: 2, configEntries: [{ name: 'max.message.bytes', value: String(16 * 1024 * 1024) }] }] });
  await waitForLeaders(admin, [usage]);
  const id = randomUUID().slice(0, 8);
  config = {
    groupId: `kcost-hostile-${id}`,
    transactionalId: `kcost-hostile-${id}`,
    allowedLatenessMillis: 0,
    idleSourceAfterMillis: 1_000,
    stateRetentionMillis: 86_400_000,
    bases: { cpu: 'max', memory: 'max' },
    anomaly: DEFAULT_ANOMALY_OPTIONS,
    topics: { kube, prices, usage, costs: costsTopic, nodeCosts: nodeCostsTopic, anomalies, deadLetter },
  };
  const kubeObjects = [
    nodeObject({ name: 'node-a', instanceType: 'm5.xlarge', cores: 4, memoryGib: 16 }),
    podObject({ name: 'web', nodeName: 'node-a', containers: [container('app', 1, 4)] }),
    // Observed in the year 9999: applied, it would take over the pod from then on.
    { ...podObject({ name: 'web', nodeName: 'node-a', containers: [container('app', 3, 12)] }), observedAt: Date.UTC(9999, 0, 1), resourceVersion: '9999' },
  ];
  await producer.send({ topic: kube, acks: -1, messages: await encoded('KubeObject', kubeObjects.map((value) => ({ key: kubeObjectKey(value), value }))) });
  const good = priceUpdate({ sku: 'm5.xlarge', effectiveFrom: T0 - 86_400_000, hourlyUsd: 0.192 });
  const absurd = [priceUpdate({ sku: 'm5.xlarge', effectiveFrom: T0 + MINUTE, hourlyUsd: 1e300 }), priceUpdate({ sku: 'm5.xlarge', effectiveFrom: T0 + 2 * MINUTE, hourlyUsd: -1 })];
  await producer.send({ topic: prices, acks: -1, messages: await encoded('PriceUpdate', [good, ...absurd].map((value) => ({ key: priceKey(value), value }))) });
  costs = await TopicReader.open(kafka, codec, costsTopic, 'PodCost');
  nodeCosts = await TopicReader.open(kafka, codec, nodeCostsTopic, 'NodeCost');
  deadLetters = await TopicReader.open(kafka, codec, deadLetter, 'DeadLetter');
  processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry: new Registry() }, config);
  await processor.start();
}, 60_000);

afterAll(async () => {
  await processor?.stop();
  await Promise.all([costs?.close(), nodeCosts?.close(), deadLetters?.close()]);
  await producer?.disconnect();
  await admin?.disconnect();
});

describe('kcost process with hostile input', () => {
  it('dead-letters each absurd or oversized record with its reason, and prices the rest as if it were not there', async () => {
    const good: UsageSample[] = Array.from({ length: WINDOWS }, (_, m) => usageSample({ podName: 'web', container: 'app', nodeName: 'node-a', windowStart: T0 + m * MINUTE, cpuCores: 0.5, memoryGib: 2 }));
    const absurd: UsageSample[] = [
      { ...usageSample({ podName: 'stranger', container: 'c', nodeName: 'gone', windowStart: T0, cpuCores: 0, memoryGib: 0 }), cpuCoreSeconds: 1e15 },
      usageSample({ podName: 'web', container: 'app', nodeName: 'node-a', windowStart: Date.UTC(9999, 11, 31, 23, 0), cpuCores: 0.5, memoryGib: 2 }),
    ];
    const messages = await encoded('UsageSample', [...good.slice(0, 3), ...absurd, ...good.slice(3)].map((value) => ({ key: podKey(value), value })));
    // 10 MB on the usage topic, between the good samples.
    messages.splice(2, 0, { key: 'prod/uid-web', value: Buffer.alloc(10 * 1024 * 1024, 7) });
    for (const message of messages) await producer.send({ topic: config.topics.usage, acks: -1, messages: [message] });

    await waitFor(() => costs.records.length >= WINDOWS && deadLetters.records.length >= 6, 60_000, 'the good windows priced and six dead letters').catch((error: unknown) => {
      throw new Error(`${String(error)}: ${costs.records.length} costs; dead letters: ${deadLetters.records.map((d) => `${d.reasonCode} ${d.reason}`).join('; ')}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(deadLetters.records.map((d) => d.reasonCode).sort()).toEqual(['OUT_OF_BOUNDS', 'OUT_OF_BOUNDS', 'OUT_OF_BOUNDS', 'RECORD_TOO_LARGE', 'TIME_OUT_OF_RANGE', 'TIME_OUT_OF_RANGE']);
    const tooLarge = deadLetters.records.find((d) => d.reasonCode === 'RECORD_TOO_LARGE');
    expect(tooLarge).toMatchObject({ sourceTopic: config.topics.usage });
    expect(tooLarge?.value?.length).toBe(64 * 1024);
    expect(deadLetters.records.filter((d) => d.sourceTopic === config.topics.prices)).toHaveLength(2);
    expect(deadLetters.records.some((d) => d.sourceTopic === config.topics.kube && d.reasonCode === 'TIME_OUT_OF_RANGE')).toBe(true);

    // Only the good samples were priced, each window at 0.192 $/h with the pod's real request.
    expect(costs.records.map((c) => c.windowStart).sort((a, b) => a - b)).toEqual(good.map((s) => s.windowStart));
    for (const node of nodeCosts.records) expect(node.costUsd).toBeCloseTo(0.192 / 60, 12);
    for (const cost of costs.records) expect(cost.cpuRequestCores).toBe(1);
    // The year-9999 sample does not hold the pricing stage's committed offsets back.
    const [committed] = await admin.fetchOffsets({ groupId: `${config.groupId}.price`, topics: [`${config.groupId}.usage-by-node`] });
    const ends = await admin.fetchTopicOffsets(`${config.groupId}.usage-by-node`);
    for (const p of committed?.partitions ?? []) expect(BigInt(p.offset)).toBeGreaterThanOrEqual(BigInt(ends.find((e) => e.partition === p.partition)?.high ?? '0') - 2n);
    expect(processor?.ready).toBe(true);
  }, 120_000);
});
