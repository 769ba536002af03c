import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageRecordsOf } from '../../services/kafka/node-usage.js';
import { TOPICS, kubeObjectKey, priceKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { ClusterState } from '../../services/processor/cluster-state.js';
import { decodeIdleMark, DIRECT_SOURCE, isIdleMark, NODE_WINDOW_SOURCE } from '../../services/processor/internal-records.js';
import { PriceHistory } from '../../services/processor/price-history.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../../services/processor/processor.js';
import { priceWindow } from '../../services/processor/window-pricer.js';
import { createTestTopics, testCodec, testKafka, waitFor } from '../support/kafka.js';
import { hourOfUsage as hourOfUsageIn, kubeObjects, NODES, PODS, priceUpdates as priceUpdatesFrom } from './by-node-cluster.js';
import { TopicReader } from './topic-reader.js';

// Producers on all three usage topics (samples that name their node keyed by
// node on the by-node usage topic, or, for one pod in three, as NodeUsage
// records on the node-window usage topic; the others keyed by pod on the
// usage topic), and a pause in the feed: every lane of every by-node
// partition is reported idle. One run's processor is then replaced, and the feed resumes with
// three hours at once, while it is down. The replacement reads the idle
// marks again, and the two topics in another interleaving than before; the
// other run goes on uninterrupted. Both must publish every window once,
// whole, with no sample dead-lettered, exactly as one pricing of each window
// with all its samples would.

const T0 = Date.UTC(2026, 6, 1, 0);
const HOUR = 3_600_000;
const PARTITIONS = 4;
/** Published before the pause: hours 0 to 2 close, hour 3 stays open across the restart. */
const BEFORE_PAUSE = 4;
const HOURS = 7;

const kafka = testKafka('processor-usage-by-node-restart');
const codec = testCodec();
let producer: Producer;

/** An hour of usage; one pod in three leaves its node to the pod state (so it takes the usage topic). */
const hourOfUsage = (hour: number) => hourOfUsageIn(T0, hour, (pod) => pod % 3 === 1);
const priceUpdates = priceUpdatesFrom(T0);

interface Run {
  readonly config: ProcessorConfig & { topics: { usageByNode: string; usageNodeWindow: string } };
  processor: Processor;
  readonly costs: TopicReader<'PodCost'>;
  readonly nodeCosts: TopicReader<'NodeCost'>;
  readonly deadLetters: TopicReader<'DeadLetter'>;
  /** `byNodePartition/source` of every idle mark on the internal by-node topic. */
  readonly idleMarks: Set<string>;
  markReader?: Consumer;
}

const runs: Run[] = [];

async function startRun(kube: string, prices: string): Promise<Run> {
  const specs = await createTestTopics(kafka, [{ ...TOPICS.usage, partitions: PARTITIONS }, { ...TOPICS.usageByNode, partitions: PARTITIONS }, { ...TOPICS.usageNodeWindow, partitions: PARTITIONS }, TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter]);
  const [usage, usageByNode, usageNodeWindow, costs, nodeCosts, anomalies, deadLetter] = specs.map((s) => s.name) as [string, string, string, string, string, string, string];
  const config = {
    groupId: `kcost-by-node-restart-${randomUUID().slice(0, 8)}`,
    transactionalId: `kcost-by-node-restart-${randomUUID().slice(0, 8)}`,
    // Long enough that a pause of a few seconds closes nothing by itself (every lane idle for the lateness).
    allowedLatenessMillis: 60_000,
    idleSourceAfterMillis: 1_000,
    stateRetentionMillis: 7 * 86_400_000,
    bases: { cpu: 'max', memory: 'max' },
    anomaly: DEFAULT_ANOMALY_OPTIONS,
    topics: { kube, prices, usage, usageByNode, usageNodeWindow, costs, nodeCosts, anomalies, deadLetter },
  } satisfies ProcessorConfig;
  const processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry: new Registry() }, config);
  const [costReader, nodeCostReader, deadLetterReader] = await Promise.all([TopicReader.open(kafka, codec, costs, 'PodCost'), TopicReader.open(kafka, codec, nodeCosts, 'NodeCost'), TopicReader.open(kafka, codec, deadLetter, 'DeadLetter')]);
  return { config, processor, costs: costReader, nodeCosts: nodeCostReader, deadLetters: deadLetterReader, idleMarks: new Set() };
}

/** Follows the idle marks on a run's internal by-node topic (which its processor creates on start). */
async function followIdleMarks(run: Run): Promise<void> {
  const consumer = kafka.consumer({ groupId: `test-marks-${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [`${run.config.groupId}.usage-by-node`], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (isIdleMark(message.headers) && message.value) run.idleMarks.add(`${partition}/${decodeIdleMark(message.value).source}`);
    },
  });
  run.markReader = consumer;
}

/** Publishes the hours to every run in one request, so no partition of any topic has its records before another. */
async function publishHours(from: number, until: number): Promise<void> {
  const samples = Array.from({ length: until - from }, (_, i) => hourOfUsage(from + i)).flat();
  const nodeWindowPod = (sample: { podName: string }) => Number(sample.podName.split('-')[1]) % 3 === 2;
  const byTopic = new Map<string, { key: string; value: Buffer }[]>();
  for (const run of runs) {
    const records = [
      ...usageRecordsOf(samples.filter((s) => !nodeWindowPod(s)), { ...run.config.topics, usageNodeWindow: '' }),
      ...usageRecordsOf(samples.filter(nodeWindowPod), run.config.topics),
    ];
    for (const { topic, key, schema, value } of records) byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key, value: await codec.encode(schema, value) }]);
  }
  await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
}

const pricedThrough = (run: Run, hours: number) => run.nodeCosts.records.filter((n) => n.windowStart < T0 + hours * HOUR).length >= hours * (NODES + 1) && run.costs.records.filter((c) => c.windowStart < T0 + hours * HOUR).length >= hours * PODS;

beforeAll(async () => {
  const [kube, prices] = (await createTestTopics(kafka, [TOPICS.kube, TOPICS.prices])).map((s) => s.name) as [string, string];
  producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: kube, acks: -1, messages: await Promise.all(kubeObjects.map(async (value) => ({ key: kubeObjectKey(value), value: await codec.encode('KubeObject', value) }))) });
  await producer.send({ topic: prices, acks: -1, messages: await Promise.all(priceUpdates.map(async (value) => ({ key: priceKey(value), value: await codec.encode('PriceUpdate', value) }))) });
  runs.push(await startRun(kube, prices), await startRun(kube, prices));
  await Promise.all(runs.map((run) => run.processor.start()));
  await Promise.all(runs.map(followIdleMarks));
}, 60_000);

afterAll(async () => {
  for (const run of runs) {
    await run.processor.stop();
    await Promise.all([run.costs.close(), run.nodeCosts.close(), run.deadLetters.close(), run.markReader?.disconnect()]);
  }
  await producer?.disconnect();
});

describe('kcost process with producers on all three usage topics, restarted at a pause in the feed', () => {
  it('prices every window once and whole, as an uninterrupted run does', async () => {
    const [steady, restarted] = runs as [Run, Run];
    await publishHours(0, BEFORE_PAUSE);
    for (const run of runs) await waitFor(() => pricedThrough(run, BEFORE_PAUSE - 1), 30_000, 'the hours before the pause priced');
    // The pause: every lane (each usage partition, and the by-node and node-window usage topics' own) reported idle on every by-node partition.
    const lanes = [...Array.from({ length: PARTITIONS }, (_, source) => source), DIRECT_SOURCE, NODE_WINDOW_SOURCE];
    for (const run of runs) await waitFor(() => lanes.every((source) => Array.from({ length: PARTITIONS }, (_, p) => p).every((p) => run.idleMarks.has(`${p}/${source}`))), 30_000, 'every lane idle');

    await restarted.processor.stop();
    await publishHours(BEFORE_PAUSE, HOURS);
    restarted.processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry: new Registry() }, restarted.config);
    await restarted.processor.start();

    // The last hour keeps the watermark below its end: the hours before it close.
    const closedHours = HOURS - 1;
    for (const run of runs) {
      await waitFor(() => pricedThrough(run, closedHours), 45_000, `the closed hours priced (${run === steady ? 'steady' : 'restarted'}: ${run.costs.records.length} pod costs, ${run.deadLetters.records.length} dead letters)`);
    }
    // Time for a cost priced twice to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const state = new ClusterState();
    for (const object of kubeObjects) state.apply(object);
    const history = new PriceHistory();
    for (const update of priceUpdates) history.add(update);
    for (const run of runs) {
      expect(run.deadLetters.records.map((d) => `${d.reasonCode}: ${d.reason}`)).toEqual([]);
      const podWindows = run.costs.records.map((c) => `${c.podUid}@${c.windowStart}`);
      const nodeWindows = run.nodeCosts.records.map((n) => `${n.nodeName}@${n.windowStart}`);
      expect(podWindows.length - new Set(podWindows).size).toBe(0);
      expect(nodeWindows.length - new Set(nodeWindows).size).toBe(0);
      for (let hour = 0; hour < closedHours; hour++) {
        const windowStart = T0 + hour * HOUR;
        const expected = priceWindow({ windowStart, windowSeconds: 3600, samples: hourOfUsage(hour) }, state, history, run.config.bases);
        const pods = run.costs.records.filter((c) => c.windowStart === windowStart);
        const nodes = run.nodeCosts.records.filter((n) => n.windowStart === windowStart);
        expect(pods).toHaveLength(PODS);
        expect(nodes).toHaveLength(NODES + 1);
        for (const pod of expected.podCosts) expect(pods.find((c) => c.podUid === pod.podUid)?.totalCostUsd).toBeCloseTo(pod.totalCostUsd, 12);
        for (const node of expected.nodeCosts) {
          const actual = nodes.find((n) => n.nodeName === node.nodeName);
          expect(actual?.costUsd).toBeCloseTo(node.costUsd, 12);
          expect(actual?.idleCostUsd).toBeCloseTo(node.idleCostUsd, 12);
        }
      }
    }
    // And the restarted run's records are the uninterrupted one's, field for field.
    const byPodWindow = (run: Run) => new Map(run.costs.records.filter((c) => c.windowStart < T0 + closedHours * HOUR).map(({ offset: _o, ...c }) => [`${c.podUid}@${c.windowStart}`, c]));
    expect(byPodWindow(restarted)).toEqual(byPodWindow(steady));
  }, 120_000);
});
