import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Producer } from 'kafkajs';
import type { KubeObject, NodeCost, PodCost, PriceUpdate, Recommendation } from '../../services/codec/records.generated.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { watchKubeTopic, type KubeTopicWatcher } from '../../services/kafka/kube-topic-watcher.js';
import { kubeObjectKey, TOPICS } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { adviseCluster } from '../../services/savings/cluster-savings.js';
import { KubeInventory } from '../../services/savings/kube-inventory.js';
import { runSavings, type SavingsRunnerDeps } from '../../services/savings/savings-runner.js';
import { summarizeSavings } from '../../services/savings/savings-summary.js';
import { BatchWriter } from '../../services/sink/batch-writer.js';
import { buildApi, loadThroughSink, type LoadedDatabase } from '../api/api-harness.js';
import { podCost, nodeCost } from '../exporter/records.js';
import { recommendation } from '../fixtures/storage/recommendations.js';
import { SMALL_CLUSTER_OPTIONS, smallCluster, T } from '../fixtures/savings/small-cluster.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { testProducer } from '../support/pipeline.js';

// kcost savings end to end over the real broker and PostgreSQL: the small
// hand-priced cluster of test/fixtures/savings stored as the sink stores the
// processor's output (48 hours of node costs in 10-minute windows, the advice
// hour's pod costs, the price catalog with shapes and the spot history, a
// right-sizing record) and its Kubernetes state on a kube topic. A run must
// publish exactly the advice the pure functions give for that cluster;
// loaded back by the sink's writer, a second run over the same hour must
// publish nothing, and a run over a newer hour must retire the advice of a
// workload that is gone. /v1/savings then adds the stored advice up.

const HOUR = 3_600_000;
const GIB = 1_073_741_824;
const WINDOW = 600_000;
const input = smallCluster();

/** The fixture's nodes in 10-minute windows from T - 47 h to T + 1 h (the partial newest hour), with a fifth on-demand node six hours a day. */
function storedNodes(hours: number): NodeCost[] {
  const out: NodeCost[] = [];
  for (let start = T - 47 * HOUR; start < T + hours * HOUR; start += WINDOW) {
    const hour = Math.floor((start - (T - 47 * HOUR)) / HOUR);
    const nodes = hour % 24 < 6 ? [...input.nodes, { ...input.nodes[0]!, name: 'n5' }] : input.nodes;
    for (const n of nodes) {
      const share = WINDOW / HOUR;
      out.push(
        nodeCost({
          cluster: 'c1',
          nodeName: n.name,
          provider: n.provider,
          instanceType: n.instanceType,
          region: n.region,
          zone: n.zone,
          capacityType: n.capacityType as NodeCost['capacityType'],
          windowStart: start,
          windowSeconds: WINDOW / 1000,
          cpuCores: n.cpuCores,
          memoryBytes: n.memoryBytes,
          cpuAllocatedCostUsd: n.costUsd * share,
          memoryAllocatedCostUsd: 0,
          cpuIdleCostUsd: 0,
          memoryIdleCostUsd: 0,
          onDemandCostUsd: n.onDemandCostUsd * share,
          spotSavingsUsd: (n.onDemandCostUsd - n.costUsd) * share,
          priceSource: 'aws-pricing',
        }),
      );
    }
  }
  return out;
}

/** The fixture's pods over [from, to), one row per container and window. */
function storedPods(from: number, to: number, skip: (namespace: string) => boolean = () => false): PodCost[] {
  const nodes = new Map(input.nodes.map((n) => [n.name, n]));
  const out: PodCost[] = [];
  for (let start = from; start < to; start += WINDOW) {
    for (const p of input.pods) {
      if (skip(p.namespace)) continue;
      const node = nodes.get(p.nodeName)!;
      for (const c of p.containers) {
        out.push(
          podCost({
            cluster: 'c1',
            podUid: p.uid,
            podName: p.name,
            namespace: p.namespace,
            container: c.name,
            nodeName: p.nodeName,
            workloadKind: p.workloadKind,
            workloadName: p.workloadName,
            labels: { ...p.labels },
            windowStart: start,
            windowSeconds: WINDOW / 1000,
            cpuRequestCores: c.cpuCores,
            memoryRequestBytes: c.memoryBytes,
            cpuCostUsd: (p.costUsd * WINDOW) / HOUR,
            memoryCostUsd: 0,
            capacityType: node.capacityType as PodCost['capacityType'],
            instanceType: node.instanceType,
            region: node.region,
            volumes: p.persistentVolumes.map((pv) => ({ persistentVolume: pv, claim: `data-${p.name}`, storageClass: 'local-storage', capacityBytes: 10 * GIB, costUsd: 0, providerVolumeId: null })),
          }),
        );
      }
    }
  }
  return out;
}

function prices(): PriceUpdate[] {
  const none = { zone: null, hourlyUsd: null, cpuCoreHourUsd: null, memoryGibHourUsd: null, gpuHourUsd: null, storageGibMonthUsd: null, networkGibUsd: null, discount: 0, sourceRef: null, vcpus: null, memoryBytes: null, gpus: null, architecture: null };
  const catalog = input.catalog.map(
    (e): PriceUpdate => ({ ...none, provider: e.provider, region: e.region, kind: 'NODE', sku: e.instanceType, capacityType: 'ON_DEMAND', effectiveFrom: T - 1000 * HOUR, observedAt: T - 1000 * HOUR, hourlyUsd: e.hourlyUsd, vcpus: e.vcpus, memoryBytes: e.memoryBytes, gpus: e.gpus, architecture: e.architecture, source: e.source }),
  );
  const spot = input.spotPrices.map(
    (p): PriceUpdate => ({ ...none, provider: 'aws', region: 'us-east-1', zone: p.zone, kind: 'NODE', sku: p.instanceType, capacityType: 'SPOT', effectiveFrom: p.effectiveFrom, observedAt: p.effectiveFrom, hourlyUsd: p.hourlyUsd, source: p.source }),
  );
  return [...catalog, ...spot];
}

function kubeObjects(): KubeObject[] {
  const base = { cluster: 'c1', resourceVersion: '1', createdAt: T - 2000 * HOUR, deletedAt: null, observedAt: T, pod: null, node: null, volume: null, claim: null, hpa: null, workload: null, disruptionBudget: null };
  return [
    ...input.nodes.map((n): KubeObject => ({ ...base, kind: 'NODE', uid: `uid-${n.name}`, name: n.name, namespace: null, labels: { ...n.labels } })),
    ...input.workloads.map(
      (w): KubeObject => ({ ...base, kind: 'WORKLOAD', uid: `uid-${w.name}`, name: w.name, namespace: w.namespace, labels: {}, workload: { controllerKind: w.kind, desiredReplicas: w.desiredReplicas, replicas: w.desiredReplicas, readyReplicas: w.desiredReplicas } }),
    ),
    ...input.budgets.map(
      (b): KubeObject => ({
        ...base,
        kind: 'POD_DISRUPTION_BUDGET',
        uid: `uid-pdb-${b.name}`,
        name: b.name,
        namespace: b.namespace,
        labels: {},
        disruptionBudget: { minAvailable: b.minAvailable, maxUnavailable: b.maxUnavailable, matchLabels: { ...b.matchLabels }, matchExpressions: [], disruptionsAllowed: b.disruptionsAllowed, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 },
      }),
    ),
    { ...base, kind: 'PERSISTENT_VOLUME', uid: 'uid-pv-db', name: 'pv-db', namespace: null, labels: {}, volume: { capacityBytes: 10 * GIB, storageClass: 'local-storage', claimNamespace: 'api', claimName: 'data-db-0', driver: 'local', region: '', local: true, providerVolumeId: null } },
  ];
}

const frontendAdvice = () =>
  recommendation({
    target: { cluster: 'c1', namespace: 'web', workloadName: 'frontend', container: 'app' },
    generatedAt: T,
    cpu: { action: 'CHANGE', currentRequest: 1, recommendedRequest: 0.5 },
    memory: { action: 'CHANGE', currentRequest: 2 * GIB, recommendedRequest: GIB },
  });

describe('kcost savings over the real broker and database', () => {
  const kafka = testKafka('kcost-savings-test');
  const codec = testCodec();
  let db: LoadedDatabase;
  let kubeTopic = '';
  let recommendationsTopic = '';
  let watcher: KubeTopicWatcher;
  let producer: Producer;
  let consumer: Consumer;
  const published: Array<{ key: string; value: Recommendation | null }> = [];
  const inventory = new KubeInventory();

  beforeAll(async () => {
    db = await loadThroughSink({ pods: storedPods(T, T + HOUR), nodes: storedNodes(1).concat(storedNodes(2).filter((n) => n.windowStart === T + HOUR)), anomalies: [], prices: prices(), recommendations: [frontendAdvice()] });
    const [kube, recommendations] = await createTestTopics(kafka, [TOPICS.kube, TOPICS.recommendations]);
    kubeTopic = kube!.name;
    recommendationsTopic = recommendations!.name;
    const { producer: kubeProducer, disconnect } = await testProducer(kafka, codec);
    await kubeProducer.publish(kubeObjects().map((value) => ({ topic: kubeTopic, key: kubeObjectKey(value), schema: 'KubeObject' as const, value })));
    await disconnect();
    watcher = await watchKubeTopic({ kafka, codec, topic: kubeTopic, groupId: uniqueName('savings-kube'), observe: (key, object) => inventory.observe(key, object), logger: silentLogger() });
    await watcher.caughtUp;
    producer = createProducer(kafka);
    await producer.connect();
    consumer = kafka.consumer({ groupId: uniqueName('savings-read') });
    await consumer.connect();
    await consumer.subscribe({ topic: recommendationsTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        published.push({ key: message.key?.toString() ?? '', value: message.value === null ? null : await codec.decodeAs('Recommendation', message.value) });
      },
    });
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await watcher?.stop();
    await db?.close();
  });

  const deps = (): SavingsRunnerDeps => ({ db: db.pool, inventory, producer, codec, topic: recommendationsTopic, logger: silentLogger(), options: SMALL_CLUSTER_OPTIONS, commitmentLookbackHours: 720, spotLookbackMillis: 168 * HOUR });
  /** What the sink does with the published records: the real writer, offsets after the ones loaded before. */
  let loadedUpTo = 0;
  const loadPublished = async () => {
    const writer = new BatchWriter({ pool: db.pool, variant: 'postgres', group: 'savings-test', logger: silentLogger(), reject: async () => undefined });
    const batch = published.slice(loadedUpTo);
    await writer.write({ topic: recommendationsTopic, partition: 0, schema: 'Recommendation', records: batch.map((e, i) => ({ offset: String(loadedUpTo + i), key: e.key, value: e.value })), nextOffset: String(published.length) });
    loadedUpTo = published.length;
  };

  it('publishes exactly the advice the pure functions give for the stored hour and state', async () => {
    const runs = await runSavings(deps());
    const expected = adviseCluster(input, SMALL_CLUSTER_OPTIONS);
    expect(runs).toEqual([expect.objectContaining({ cluster: 'c1', hourStart: T, published: expected.length, retired: 0 })]);
    await waitFor(() => published.length >= expected.length, 30_000, `${expected.length} records on the topic`);
    const got = new Map(published.map((e) => [e.key, e.value]));
    expect([...got.keys()].sort()).toEqual(expected.map((r) => r.key).sort());
    for (const want of expected) {
      const record = got.get(want.key)!;
      expect(record.kind, want.key).toBe(want.kind);
      expect(record.generatedAt, want.key).toBe(T + HOUR);
      expect(record.saving.monthlySavingsUsd, want.key).toBeCloseTo(want.saving.monthlySavingsUsd, 6);
      expect(record.confidence, want.key).toBeCloseTo(want.confidence, 9);
      expect(record.reasons, want.key).toEqual(want.reasons);
    }
    expect(got.get('c1/web/Deployment/frontend/Spot')?.spotWorkload?.suitable).toBe(true);
    expect(got.get('c1/NodePool/general')?.nodePool?.rightSizedContainers).toBe(3);
  }, 60_000);

  it('publishes nothing again for an hour whose advice is stored', async () => {
    await loadPublished();
    const before = published.length;
    expect(await runSavings(deps())).toEqual([expect.objectContaining({ published: 0, retired: 0 })]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(published.length).toBe(before);
  }, 60_000);

  it('adds the stored advice up in /v1/savings, each dollar once', async () => {
    const api = await buildApi(db.pool, T + 2 * HOUR);
    try {
      const response = await api.inject({ method: 'GET', url: '/v1/savings?cluster=c1' });
      expect(response.statusCode, response.body).toBe(200);
      const answer = response.json<{ totalMonthlySavingsUsd: number; recommendations: Array<{ key: string; countedMonthlySavingsUsd: number }> }>();
      const { rows } = await db.pool.query<{ record: Recommendation }>('SELECT record FROM recommendation WHERE cluster = $1 ORDER BY key', ['c1']);
      const summary = summarizeSavings(rows.map((r) => r.record));
      expect(answer.totalMonthlySavingsUsd).toBeCloseTo(summary.totalMonthlySavingsUsd, 9);
      expect(answer.recommendations.map((l) => l.key)).toEqual(summary.lines.map((l) => l.key));
      // The frontend's right-sizing record is in the total beside the cluster-savings advice.
      expect(answer.recommendations.some((l) => l.key === 'c1/web/Deployment/frontend/app')).toBe(true);
      const csv = await api.inject({ method: 'GET', url: '/v1/savings?format=csv' });
      expect(csv.body.split('\r\n')[0]).toBe('key,kind,cluster,monthlySavingsUsd,countedMonthlySavingsUsd,confidence,risk,note');
    } finally {
      await api.close();
    }
  }, 60_000);

  it('retires the advice of a workload gone in a newer hour', async () => {
    // The next hour holds every pod but the shop's cart, and the hour after begins: the advice moves to T + 1 h.
    const writer = new BatchWriter({ pool: db.pool, variant: 'postgres', group: 'savings-test-costs', logger: silentLogger(), reject: async () => undefined });
    const nodes = storedNodes(3).filter((n) => n.windowStart >= T + HOUR + WINDOW);
    const pods = storedPods(T + HOUR, T + 2 * HOUR, (namespace) => namespace === 'shop');
    await writer.write({ topic: 'node-costs', partition: 0, schema: 'NodeCost', records: nodes.map((value, i) => ({ offset: String(i), key: null, value })), nextOffset: String(nodes.length) });
    await writer.write({ topic: 'costs', partition: 0, schema: 'PodCost', records: pods.map((value, i) => ({ offset: String(i), key: null, value })), nextOffset: String(pods.length) });
    const before = published.length;
    const [run] = await runSavings(deps());
    expect(run).toEqual(expect.objectContaining({ hourStart: T + HOUR, retired: 2 }));
    await waitFor(() => published.length >= before + run!.published + 2, 30_000, 'the new advice and two tombstones');
    const tombstones = published.slice(before).filter((e) => e.value === null).map((e) => e.key).sort();
    expect(tombstones).toEqual(['c1/shop/Deployment/cart/Arm', 'c1/shop/Deployment/cart/Spot']);
    expect(published.slice(before).every((e) => e.value === null || e.value.generatedAt === T + 2 * HOUR)).toBe(true);
  }, 60_000);
});
