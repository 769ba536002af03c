import { randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, PriceUpdate, RecordTypes, SchemaName, UsageSample } from '../../services/codec/records.generated.js';
import { TOPICS, kubeObjectKey, podKey, priceKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { ClusterState } from '../../services/processor/cluster-state.js';
import { PriceHistory } from '../../services/processor/price-history.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../../services/processor/processor.js';
import { container, nodeObject, podObject, priceUpdate, usageSample } from '../../services/processor/record-builders.js';
import { priceWindow } from '../../services/processor/window-pricer.js';
import { createTestTopics, testCodec, testKafka, waitFor } from '../support/kafka.js';
import { TopicReader } from './topic-reader.js';

// Two processor instances in one consumer group over a 4-partition usage
// topic. Usage is keyed by pod, so each instance reads the pods of about half
// the nodes from each node, yet every node's cost must come out once and
// whole, priced exactly as one instance pricing all samples would, and a
// workload whose pods the two instances price between them must be scored
// on its whole cost.

const T0 = Date.UTC(2026, 5, 1, 0);
const HOUR = 3_600_000;
const HOURS = 13;
const NODES = 6;
const PODS = 30;
const SURGE_HOUR = 10;

const kafka = testKafka('processor-scale-out');
const codec = testCodec();
let producer: Producer;
let admin: Admin;
let config: ProcessorConfig;
let costs: TopicReader<'PodCost'>;
let nodeCosts: TopicReader<'NodeCost'>;
let anomalies: TopicReader<'CostAnomaly'>;
let deadLetters: TopicReader<'DeadLetter'>;
const instances: Array<{ processor: Processor; registry: Registry }> = [];

const nodeName = (n: number) => `node-${n}`;
/** Five pods per node, each node running pods of all three workloads. */
const nodeOfPod = (i: number) => nodeName(Math.floor(i / 5));
// node-6 runs no pod at all: its cost is all idle, and some instance must still publish it.
const kubeObjects: KubeObject[] = [
  ...Array.from({ length: NODES + 1 }, (_, n) => nodeObject({ name: nodeName(n), instanceType: 'm5.4xlarge', capacityType: n % 3 === 0 ? 'SPOT' : 'ON_DEMAND', cores: 16, memoryGib: 64 })),
  ...Array.from({ length: PODS }, (_, i) => {
    const workload = ['web', 'api', 'surge'][i % 3] as string;
    return podObject({ name: `${workload}-${i}`, namespace: workload === 'surge' ? 'data' : 'shop', nodeName: nodeOfPod(i), containers: [container('app', 0.5, 1)], workload: { kind: 'Deployment', name: workload } });
  }),
];
const priceUpdates: PriceUpdate[] = [
  priceUpdate({ sku: 'm5.4xlarge', effectiveFrom: T0 - 86_400_000, hourlyUsd: 0.768 }),
  priceUpdate({ sku: 'm5.4xlarge', capacityType: 'SPOT', source: 'aws-spot', effectiveFrom: T0 - 86_400_000, hourlyUsd: 0.3 }),
  // The spot price moves at 05:30: hours from 06:00 are priced at 0.35.
  priceUpdate({ sku: 'm5.4xlarge', capacityType: 'SPOT', source: 'aws-spot', effectiveFrom: T0 + 5.5 * HOUR, hourlyUsd: 0.35 }),
];

/** One hour of usage of every pod; the surge workload uses six times its request in SURGE_HOUR. Half the samples leave the node to the pod state. */
function hourOfUsage(hour: number, surgeHour = SURGE_HOUR): UsageSample[] {
  return Array.from({ length: PODS }, (_, i) => {
    const workload = ['web', 'api', 'surge'][i % 3] as string;
    const cpuCores = workload === 'surge' && hour === surgeHour ? 3 : 0.25 + (i % 5) * 0.01;
    const sample = usageSample({ podName: `${workload}-${i}`, namespace: workload === 'surge' ? 'data' : 'shop', container: 'app', windowStart: T0 + hour * HOUR, windowSeconds: 3600, cpuCores, memoryGib: 0.5 });
    return { ...sample, nodeName: i % 2 === 0 ? nodeOfPod(i) : null };
  });
}

async function publish<N extends SchemaName>(topic: string, schema: N, records: ReadonlyArray<{ key: string; value: RecordTypes[N] }>): Promise<void> {
  const messages = await Promise.all(records.map(async (r) => ({ key: r.key, value: await codec.encode(schema, r.value) })));
  await producer.send({ topic, acks: -1, messages });
}

/** Waits until every stage's consumer group has both instances as members with partitions assigned. */
async function waitForBothMembers(): Promise<void> {
  const groups = [config.groupId, `${config.groupId}.price`, `${config.groupId}.score`];
  await waitFor(
    async () => {
      const { groups: described } = await admin.describeGroups(groups);
      return described.length === groups.length && described.every((g) => g.state === 'Stable' && g.members.length === 2);
    },
    60_000,
    'both instances in every stage group',
  );
}

beforeAll(async () => {
  const specs = await createTestTopics(kafka, [TOPICS.kube, TOPICS.prices, { ...TOPICS.usage, partitions: 4 }, TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter]);
  const [kube, prices, usage, podCosts, nodeCostsTopic, anomaliesTopic, deadLetter] = specs.map((s) => s.name) as [string, string, string, string, string, string, string];
  config = {
    groupId: `kcost-scale-${randomUUID().slice(0, 8)}`,
    transactionalId: 'unused',
    allowedLatenessMillis: 2 * 60_000,
    stateRetentionMillis: 7 * 86_400_000,
    bases: { cpu: 'max', memory: 'max' },
    // Hourly windows and a short recent-hours baseline, so a dozen hours are enough to score.
    anomaly: { ...DEFAULT_ANOMALY_OPTIONS, recentHours: 8, minRecentPoints: 6 },
    topics: { kube, prices, usage, costs: podCosts, nodeCosts: nodeCostsTopic, anomalies: anomaliesTopic, deadLetter },
  };
  producer = kafka.producer();
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
  await publish(kube, 'KubeObject', kubeObjects.map((value) => ({ key: kubeObjectKey(value), value })));
  await publish(prices, 'PriceUpdate', priceUpdates.map((value) => ({ key: priceKey(value), value })));
  costs = await TopicReader.open(kafka, codec, podCosts, 'PodCost');
  nodeCosts = await TopicReader.open(kafka, codec, nodeCostsTopic, 'NodeCost');
  anomalies = await TopicReader.open(kafka, codec, anomaliesTopic, 'CostAnomaly');
  deadLetters = await TopicReader.open(kafka, codec, deadLetter, 'DeadLetter');
  for (const id of ['a', 'b']) {
    const registry = new Registry();
    const processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry }, { ...config, transactionalId: `${config.groupId}-${id}` });
    instances.push({ processor, registry });
  }
  await Promise.all(instances.map(({ processor }) => processor.start()));
  await waitForBothMembers();
}, 120_000);

afterAll(async () => {
  for (const { processor } of instances) await processor.stop();
  await Promise.all([costs?.close(), nodeCosts?.close(), anomalies?.close(), deadLetters?.close()]);
  await producer?.disconnect();
  await admin?.disconnect();
});

describe('kcost process with two instances in one consumer group', () => {
  it('publishes every node cost once, whole and conserved, exactly as one instance pricing everything would', async () => {
    const samples = Array.from({ length: HOURS }, (_, hour) => hourOfUsage(hour)).flat();
    await publish(config.topics.usage, 'UsageSample', samples.map((value) => ({ key: podKey(value), value })));
    // The 12:00 window keeps the watermark below its end: hours 0 to 11 close.
    const closedHours = HOURS - 1;
    await waitFor(() => nodeCosts.records.length >= closedHours * (NODES + 1) && costs.records.length >= closedHours * PODS, 90_000, 'twelve hours of costs');

    expect(deadLetters.records).toEqual([]);
    const nodeWindows = nodeCosts.records.map((n) => `${n.nodeName}@${n.windowStart}`);
    expect(new Set(nodeWindows).size).toBe(nodeWindows.length);
    expect(nodeCosts.records).toHaveLength(closedHours * (NODES + 1));
    expect(costs.records).toHaveLength(closedHours * PODS);

    // Both instances priced windows: the work was really shared.
    for (const { registry } of instances) {
      const priced = (await registry.getSingleMetric('kcost_process_windows_priced_total')?.get())?.values[0]?.value ?? 0;
      expect(priced).toBeGreaterThan(0);
    }

    // The reference: all samples of each hour priced together, in-process, with the same state and prices.
    const state = new ClusterState();
    for (const object of kubeObjects) state.apply(object);
    const history = new PriceHistory();
    for (const update of priceUpdates) history.add(update);
    for (let hour = 0; hour < closedHours; hour++) {
      const windowStart = T0 + hour * HOUR;
      const expected = priceWindow({ windowStart, windowSeconds: 3600, samples: hourOfUsage(hour) }, state, history, config.bases);
      for (const node of expected.nodeCosts) {
        const actual = nodeCosts.records.find((n) => n.nodeName === node.nodeName && n.windowStart === windowStart);
        expect(actual?.costUsd).toBeCloseTo(node.costUsd, 12);
        expect(actual?.idleCostUsd).toBeCloseTo(node.idleCostUsd, 12);
        const onNode = costs.records.filter((c) => c.nodeName === node.nodeName && c.windowStart === windowStart);
        const allocated = onNode.reduce((s, c) => s + c.cpuCostUsd + c.memoryCostUsd + c.gpuCostUsd, 0);
        expect(Math.abs(allocated + (actual?.idleCostUsd ?? Number.NaN) - node.costUsd) / node.costUsd).toBeLessThan(1e-9);
      }
      for (const pod of expected.podCosts) {
        const actual = costs.records.find((c) => c.podUid === pod.podUid && c.windowStart === windowStart);
        expect(actual?.totalCostUsd).toBeCloseTo(pod.totalCostUsd, 12);
        expect(actual).toMatchObject({ nodeName: pod.nodeName, priceSource: pod.priceSource, priceEffectiveFrom: pod.priceEffectiveFrom });
      }
    }
    const empty = nodeCosts.records.filter((n) => n.nodeName === 'node-6');
    expect(empty).toHaveLength(closedHours);
    for (const n of empty) expect(n.idleCostUsd).toBeCloseTo(n.costUsd, 12);
    expect(empty.find((n) => n.windowStart === T0)?.costUsd).toBeCloseTo(0.3, 12);
  }, 120_000);

  it('scores a workload priced by both instances on its whole hourly cost', async () => {
    await waitFor(() => anomalies.records.length >= 2, 60_000, 'the surge anomalies');
    // Give a wrongly split score time to show up too.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const surgeHour = T0 + SURGE_HOUR * HOUR;
    expect(anomalies.records.map((a) => `${a.scope} ${a.key} ${a.direction} ${new Date(a.windowStart).toISOString()}`).sort()).toEqual([
      `NAMESPACE data UP ${new Date(surgeHour).toISOString()}`,
      `WORKLOAD data/Deployment/surge UP ${new Date(surgeHour).toISOString()}`,
    ]);
    const surgeCost = costs.records.filter((c) => c.workloadName === 'surge' && c.windowStart === surgeHour).reduce((s, c) => s + c.onDemandCostUsd, 0);
    const nodesOfSurge = new Set(costs.records.filter((c) => c.workloadName === 'surge').map((c) => c.nodeName));
    expect(nodesOfSurge.size).toBe(NODES);
    for (const anomaly of anomalies.records) expect(anomaly.observedHourlyUsd).toBeCloseTo(surgeCost, 12);
  }, 90_000);

  it('loses and doubles nothing when one instance leaves mid-stream and the other takes over its partitions', async () => {
    const more = Array.from({ length: 6 }, (_, i) => hourOfUsage(HOURS + i)).flat();
    await publish(config.topics.usage, 'UsageSample', more.map((value) => ({ key: podKey(value), value })));
    const leaving = instances[1] as { processor: Processor };
    await leaving.processor.stop();
    // Hours 0 to 17 are closed once the 18:00 window is read.
    const closedHours = HOURS + 5;
    await waitFor(() => nodeCosts.records.length >= closedHours * (NODES + 1) && costs.records.length >= closedHours * PODS, 90_000, 'eighteen hours of costs');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const podWindows = costs.records.map((c) => `${c.podUid}@${c.windowStart}`);
    const nodeWindows = nodeCosts.records.map((n) => `${n.nodeName}@${n.windowStart}`);
    expect(podWindows.length - new Set(podWindows).size).toBe(0);
    expect(nodeWindows.length - new Set(nodeWindows).size).toBe(0);
    expect(costs.records).toHaveLength(closedHours * PODS);
    expect(nodeCosts.records).toHaveLength(closedHours * (NODES + 1));
    expect(deadLetters.records).toEqual([]);
  }, 120_000);

  it('a new instance takes the anomaly baselines back from the changelog and scores the next surge at once', async () => {
    await (instances[0] as { processor: Processor }).processor.stop();
    const registry = new Registry();
    const replacement = buildProcessor({ kafka, codec, logger: silentLogger(), registry }, { ...config, transactionalId: `${config.groupId}-c` });
    instances.push({ processor: replacement, registry });
    await replacement.start();
    // Without the changelog it would have history for 19:00 to 21:00 only: too little (6 hours) to score 22:00.
    const secondSurge = HOURS + 9;
    const hours = Array.from({ length: 5 }, (_, i) => hourOfUsage(HOURS + 6 + i, secondSurge)).flat();
    await publish(config.topics.usage, 'UsageSample', hours.map((value) => ({ key: podKey(value), value })));
    await waitFor(() => anomalies.records.some((a) => a.windowStart === T0 + secondSurge * HOUR && a.scope === 'WORKLOAD'), 90_000, 'the second surge anomaly');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(anomalies.records.filter((a) => a.windowStart > T0 + SURGE_HOUR * HOUR).map((a) => `${a.scope} ${a.key} ${a.direction} ${(a.windowStart - T0) / HOUR}`).sort()).toEqual([
      `NAMESPACE data UP ${secondSurge}`,
      `WORKLOAD data/Deployment/surge UP ${secondSurge}`,
    ]);
    expect(anomalies.records.find((a) => a.scope === 'WORKLOAD' && a.windowStart === T0 + secondSurge * HOUR)?.baselineHours).toBeGreaterThanOrEqual(6);
  }, 150_000);

  it('dead-letters an unreadable record on its internal topics, and scores on', async () => {
    const costRates = `${config.groupId}.cost-rates`;
    await producer.send({ topic: costRates, acks: -1, messages: [{ key: 'junk', value: Buffer.from('not a cost-rate record'), partition: 0 }] });
    await waitFor(() => deadLetters.records.some((d) => d.sourceTopic === costRates), 60_000, 'the dead letter of the junk record');
    expect(deadLetters.records.find((d) => d.sourceTopic === costRates)).toMatchObject({ reasonCode: 'MALFORMED_INTERNAL_RECORD', sourcePartition: 0, service: 'process' });
    expect(instances.at(-1)?.processor.ready).toBe(true);
  }, 90_000);
});
