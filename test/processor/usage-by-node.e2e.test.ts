import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordTypes, SchemaName, UsageSample } from '../../services/codec/records.generated.js';
import type { OutgoingRecord } from '../../services/kafka/batching-producer.js';
import { usageRecordsOf } from '../../services/kafka/node-usage.js';
import { TOPICS, kubeObjectKey, podKey, priceKey, usageDestination } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../../services/processor/processor.js';
import { createTestTopics, testCodec, testKafka, waitFor } from '../support/kafka.js';
import { hourOfUsage as hourOfUsageIn, kubeObjects, NODES, PODS, priceUpdates as priceUpdatesFrom } from './by-node-cluster.js';
import { TopicReader } from './topic-reader.js';

// The same usage, published three times: once as older producers do (every
// sample on the usage topic, keyed by pod, so the processor copies it by
// node), once as the simulator and collectors do with --usage-by-node-topic
// (samples that name their node on the by-node usage topic, keyed by node;
// the others still on the usage topic), and once mostly as NodeUsage records
// on the node-window usage topic, as they do with --usage-node-window-topic,
// with some pods' samples still on the other two topics. Each run has a
// processor group and output topics of its own; all must publish the very
// same costs. Some pods' samples take each path in the second and third
// runs, so a node's conservation spans them, and node-6 runs no pod at all,
// so its partition learns the windows only from the announcements of the
// others.

const T0 = Date.UTC(2026, 5, 1, 0);
const HOURS = 6;

const kafka = testKafka('processor-usage-by-node');
const codec = testCodec();
let producer: Producer;

/** An hour of usage; one pod in four leaves its node to the pod state (so it takes the usage topic). */
const hourOfUsage = (hour: number) => hourOfUsageIn(T0, hour, (pod) => pod % 4 === 3);
const priceUpdates = priceUpdatesFrom(T0);

async function publish<N extends SchemaName>(records: ReadonlyArray<{ topic: string; key: string; value: RecordTypes[N] }>, schema: N): Promise<void> {
  await publishRecords(records.map((r) => ({ ...r, schema })));
}

/** Records of any schema, each topic's in order. */
async function publishRecords(records: readonly OutgoingRecord[]): Promise<void> {
  const byTopic = new Map<string, { key: string; value: Buffer }[]>();
  for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { key: r.key, value: await codec.encode(r.schema, r.value) }]);
  for (const [topic, messages] of byTopic) await producer.send({ topic, acks: -1, messages });
}

interface Run {
  readonly config: ProcessorConfig & { topics: { usageByNode: string; usageNodeWindow: string } };
  readonly processor: Processor;
  readonly costs: TopicReader<'PodCost'>;
  readonly nodeCosts: TopicReader<'NodeCost'>;
  readonly deadLetters: TopicReader<'DeadLetter'>;
}

const runs: Run[] = [];

/** A processor with output topics of its own; with `nodeWindow`, it reads a node-window usage topic too. */
async function startRun(kube: string, prices: string, nodeWindow: boolean): Promise<Run> {
  const specs = await createTestTopics(kafka, [{ ...TOPICS.usage, partitions: 4 }, { ...TOPICS.usageByNode, partitions: 4 }, { ...TOPICS.usageNodeWindow, partitions: 4 }, TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter]);
  const [usage, usageByNode, nodeWindowTopic, costs, nodeCosts, anomalies, deadLetter] = specs.map((s) => s.name) as [string, string, string, string, string, string, string];
  const usageNodeWindow = nodeWindow ? nodeWindowTopic : '';
  const config = {
    groupId: `kcost-by-node-${randomUUID().slice(0, 8)}`,
    transactionalId: `kcost-by-node-${randomUUID().slice(0, 8)}`,
    allowedLatenessMillis: 60_000,
    // Short, so the lanes of the topic a run leaves empty stop holding its windows soon.
    idleSourceAfterMillis: 2_000,
    stateRetentionMillis: 7 * 86_400_000,
    bases: { cpu: 'max', memory: 'max' },
    anomaly: DEFAULT_ANOMALY_OPTIONS,
    topics: { kube, prices, usage, usageByNode, usageNodeWindow, costs, nodeCosts, anomalies, deadLetter },
  } satisfies ProcessorConfig;
  const processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry: new Registry() }, config);
  const [costReader, nodeCostReader, deadLetterReader] = await Promise.all([TopicReader.open(kafka, codec, costs, 'PodCost'), TopicReader.open(kafka, codec, nodeCosts, 'NodeCost'), TopicReader.open(kafka, codec, deadLetter, 'DeadLetter')]);
  return { config, processor, costs: costReader, nodeCosts: nodeCostReader, deadLetters: deadLetterReader };
}

beforeAll(async () => {
  const [kube, prices] = (await createTestTopics(kafka, [TOPICS.kube, TOPICS.prices])).map((s) => s.name) as [string, string];
  producer = kafka.producer();
  await producer.connect();
  await publish(kubeObjects.map((value) => ({ topic: kube, key: kubeObjectKey(value), value })), 'KubeObject');
  await publish(priceUpdates.map((value) => ({ topic: prices, key: priceKey(value), value })), 'PriceUpdate');
  runs.push(await startRun(kube, prices, false), await startRun(kube, prices, false), await startRun(kube, prices, true));
  await Promise.all(runs.map((run) => run.processor.start()));
}, 60_000);

afterAll(async () => {
  for (const run of runs) {
    await run.processor.stop();
    await Promise.all([run.costs.close(), run.nodeCosts.close(), run.deadLetters.close()]);
  }
  await producer?.disconnect();
});

describe('kcost process with usage keyed by node on the by-node and node-window usage topics', () => {
  it('publishes the same costs as with every sample keyed by pod on the usage topic', async () => {
    const [podKeyed, nodeKeyed, nodeWindows] = runs as [Run, Run, Run];
    const samples = Array.from({ length: HOURS }, (_, hour) => hourOfUsage(hour)).flat();
    await publish(samples.map((value) => ({ topic: podKeyed.config.topics.usage, key: podKey(value), value })), 'UsageSample');
    const destinations = samples.map((value) => ({ ...usageDestination(value, nodeKeyed.config.topics), value }));
    // Both paths really are taken in the node-keyed run.
    expect(new Set(destinations.map((d) => d.topic))).toEqual(new Set([nodeKeyed.config.topics.usage, nodeKeyed.config.topics.usageByNode]));
    await publish(destinations, 'UsageSample');
    // One pod in eight keeps its samples on the by-node topic, as a collector not yet upgraded would; the rest that name a node go as NodeUsage.
    const oldProducer = (sample: UsageSample) => Number(sample.podName.split('-')[1]) % 8 === 1;
    const mixed = [
      ...usageRecordsOf(samples.filter(oldProducer), { ...nodeWindows.config.topics, usageNodeWindow: '' }),
      ...usageRecordsOf(samples.filter((s) => !oldProducer(s)), nodeWindows.config.topics),
    ];
    expect(new Set(mixed.map((d) => d.topic))).toEqual(new Set([nodeWindows.config.topics.usage, nodeWindows.config.topics.usageByNode, nodeWindows.config.topics.usageNodeWindow]));
    // About a node window a record: many fewer records than samples.
    expect(mixed.filter((r) => r.schema === 'NodeUsage').length).toBeLessThan(samples.length / 3);
    await publishRecords(mixed);

    // The last hour keeps the watermark below its end: the hours before it close.
    const closedHours = HOURS - 1;
    for (const run of runs) {
      await waitFor(() => run.nodeCosts.records.length >= closedHours * (NODES + 1) && run.costs.records.length >= closedHours * PODS, 45_000, 'the closed hours priced');
    }
    // Time for a cost priced twice to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const run of runs) {
      expect(run.deadLetters.records).toEqual([]);
      expect(run.costs.records).toHaveLength(closedHours * PODS);
      expect(run.nodeCosts.records).toHaveLength(closedHours * (NODES + 1));
    }
    const byPodWindow = (run: Run) => new Map(run.costs.records.map((c) => [`${c.podUid}@${c.windowStart}`, c]));
    const byNodeWindow = (run: Run) => new Map(run.nodeCosts.records.map((n) => [`${n.nodeName}@${n.windowStart}`, n]));
    const expectedCosts = byPodWindow(podKeyed);
    const expectedNodes = byNodeWindow(podKeyed);
    for (const run of [nodeKeyed, nodeWindows]) {
      for (const [key, cost] of byPodWindow(run)) {
        const { offset: _o, ...expected } = expectedCosts.get(key) ?? ({} as never);
        const { offset: _a, ...actual } = cost;
        expect(actual).toEqual(expected);
      }
      for (const [key, node] of byNodeWindow(run)) {
        const { offset: _o, ...expected } = expectedNodes.get(key) ?? ({} as never);
        const { offset: _a, ...actual } = node;
        expect(actual).toEqual(expected);
      }
      // node-6 runs nothing: all idle, in every closed hour.
      expect(run.nodeCosts.records.filter((n) => n.nodeName === 'node-6' && n.idleCostUsd === n.costUsd)).toHaveLength(closedHours);
    }
  }, 60_000);
});
