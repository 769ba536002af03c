import type { Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Codec } from '../../services/codec/codec.js';
import type { CostAnomaly, KubeObject, NodeCost, PodCost, Recommendation } from '../../services/codec/records.generated.js';
import { buildExporter, type Exporter } from '../../services/exporter/exporter.js';
import { BatchingProducer, type OutgoingRecord } from '../../services/kafka/batching-producer.js';
import { DeadLetterPublisher } from '../../services/kafka/dead-letter.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { createConsumerMetrics } from '../../services/kafka/kafka-metrics.js';
import { anomalyKey, kubeObjectKey, nodeKey, podKey, TOPICS, type TopicSpec } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { recommendation } from '../fixtures/storage/recommendations.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { parseExposition, sampleValue, type Family } from './prometheus-text.js';
import { costAnomaly, DAY_START, MINUTE, nodeCost, podCost } from './records.js';

const TOKEN = 's3cret-token';
const GRACE = 10 * MINUTE;
// A cluster name with every character the exposition format escapes.
const CLUSTER = 'prod "eu"\\west\n2';

const W0 = DAY_START + 10 * 60 * MINUTE;
const volume = (persistentVolume: string, storageClass: string, costUsd: number) => ({ persistentVolume, claim: `claim-${persistentVolume}`, storageClass, capacityBytes: 10 * 2 ** 30, costUsd, providerVolumeId: null });
/** db-0 mounts pv-db alone and shares pv-shared with gone-1. */
const DB_VOLUMES = [volume('pv-db', 'gp3', 0.00015), volume('pv-shared', 'efs', 0.00005)];
const W1 = W0 + MINUTE;
const W2 = W1 + MINUTE;

/** The first window: four pods, three nodes, two anomalies. */
const firstWindow: PodCost[] = [
  podCost({ cluster: CLUSTER, podUid: 'u-web', podName: 'web-1', container: 'app', windowStart: W0, totalCostUsd: 0.002 }),
  podCost({ cluster: CLUSTER, podUid: 'u-web', podName: 'web-1', container: 'sidecar', windowStart: W0, totalCostUsd: 0.0005 }),
  podCost({ cluster: CLUSTER, podUid: 'u-db', podName: 'db-0', namespace: 'data', windowStart: W0, cpuCostUsd: 0.001, memoryCostUsd: 0.001, storageCostUsd: 0.0002, volumes: DB_VOLUMES }),
  podCost({ cluster: CLUSTER, podUid: 'u-spot', podName: 'worker-1', namespace: 'batch', nodeName: 'node-spot', windowStart: W0, totalCostUsd: 0.0003, capacityType: 'SPOT', spotSavingsUsd: 0.0007 }),
  podCost({ cluster: CLUSTER, podUid: 'u-gone', podName: 'gone-1', windowStart: W0, totalCostUsd: 0.004, storageCostUsd: 0.0001, volumes: [volume('pv-shared', 'efs', 0.0001)] }),
];
const nodes: NodeCost[] = [
  nodeCost({ cluster: CLUSTER, nodeName: 'node-a', windowStart: W0, cpuIdleCostUsd: 0.003, memoryIdleCostUsd: 0.001 }),
  nodeCost({ cluster: CLUSTER, nodeName: 'node-spot', windowStart: W0, capacityType: 'SPOT', instanceType: 'c5.large', cpuIdleCostUsd: 0.0002, memoryIdleCostUsd: 0.0001 }),
];
const anomalies: CostAnomaly[] = [
  costAnomaly({ cluster: CLUSTER, key: 'batch/Job/nightly', score: 6.25, windowStart: W0 - 60 * MINUTE }),
  costAnomaly({ cluster: CLUSTER, scope: 'NAMESPACE', key: 'data', namespace: 'data', score: -4.5, windowStart: W0 - 60 * MINUTE }),
];
/** A later window: every pod but gone-1 (deleted) reports again. */
const laterWindow = (windowStart: number): PodCost[] => [
  podCost({ cluster: CLUSTER, podUid: 'u-web', podName: 'web-1', container: 'app', windowStart, totalCostUsd: 0.003 }),
  podCost({ cluster: CLUSTER, podUid: 'u-web', podName: 'web-1', container: 'sidecar', windowStart, totalCostUsd: 0.0005 }),
  podCost({ cluster: CLUSTER, podUid: 'u-db', podName: 'db-0', namespace: 'data', windowStart, cpuCostUsd: 0.001, memoryCostUsd: 0.001, storageCostUsd: 0.0002, volumes: DB_VOLUMES }),
  podCost({ cluster: CLUSTER, podUid: 'u-spot', podName: 'worker-1', namespace: 'batch', nodeName: 'node-spot', windowStart, totalCostUsd: 0.0003, capacityType: 'SPOT', spotSavingsUsd: 0.0007 }),
];

/** A namespace as kcost collect kube publishes it. */
const namespaceObject = (name: string, labels: Record<string, string>, observedAt: number, deletedAt: number | null = null): KubeObject => ({
  cluster: CLUSTER, kind: 'NAMESPACE', uid: `ns-${name}`, name, namespace: null, labels, resourceVersion: String(observedAt), createdAt: 0, deletedAt, observedAt, pod: null, node: null, volume: null, claim: null, hpa: null, workload: null, disruptionBudget: null,
});
const asKube = (topic: string, records: KubeObject[]): OutgoingRecord[] => records.map((value) => ({ topic, key: kubeObjectKey(value), schema: 'KubeObject', value }));
const asPods = (topic: string, records: PodCost[]): OutgoingRecord[] => records.map((value) => ({ topic, key: podKey(value), schema: 'PodCost', value }));
const asRecommendations = (topic: string, records: Recommendation[]): OutgoingRecord[] => records.map((value) => ({ topic, key: value.key, schema: 'Recommendation', value }));
const MIB = 1_048_576;
const ADVISED_AT = DAY_START - 86_400_000;
/** Right-sizing advice: two versions for checkout, one for cart (no memory advice), and a kind this exporter does not know. */
const checkoutAdvice = recommendation({ target: { cluster: CLUSTER, workloadName: 'checkout' }, generatedAt: ADVISED_AT + 60_000, savingUsd: 41.25, risk: 'MEDIUM' });
const checkoutOlder = recommendation({ target: { cluster: CLUSTER, workloadName: 'checkout' }, generatedAt: ADVISED_AT, savingUsd: 99, risk: 'LOW' });
const cartAdvice = recommendation({ target: { cluster: CLUSTER, workloadName: 'cart' }, generatedAt: ADVISED_AT, savingUsd: -3.5, memory: { action: 'NONE', recommendedRequest: null, recommendedLimit: null } });
const newerKind: Recommendation = { ...recommendation({ target: { cluster: CLUSTER, workloadName: 'pool' } }), kind: 'UNKNOWN', workloadResources: null };
const asNodes = (topic: string, records: NodeCost[]): OutgoingRecord[] => records.map((value) => ({ topic, key: nodeKey(value), schema: 'NodeCost', value }));

describe('kcost export over a real broker', () => {
  let kafka: Kafka;
  let codec: Codec;
  let raw: Producer;
  let producer: BatchingProducer;
  let topics: Record<'costs' | 'nodeCosts' | 'anomalies' | 'deadLetter' | 'kube' | 'recommendations', TopicSpec>;
  let exporter: Exporter;
  const clock = { now: Date.now() };

  const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => fetch(`http://127.0.0.1:${exporter.port()}/metrics`, { headers });
  const scrapeParsed = async (): Promise<Map<string, Family>> => {
    const response = await scrape();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(await response.text());
  };
  const value = (families: Map<string, Family>, name: string, labels: Record<string, string>) => sampleValue(families, name, { cluster: CLUSTER, ...labels });

  beforeAll(async () => {
    kafka = testKafka('kcost-export-test');
    codec = testCodec();
    const [costs, nodeCosts, anomalyTopic, deadLetter, kube, recommendations] = await createTestTopics(kafka, [TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter, TOPICS.kube, TOPICS.recommendations]);
    topics = { costs: costs as TopicSpec, nodeCosts: nodeCosts as TopicSpec, anomalies: anomalyTopic as TopicSpec, deadLetter: deadLetter as TopicSpec, kube: kube as TopicSpec, recommendations: recommendations as TopicSpec };
    raw = createProducer(kafka);
    await raw.connect();
    producer = new BatchingProducer({ producer: raw, codec, logger: silentLogger() });

    // checkout's newer version, written two days before the replay position (broker time) and before its older version:
    // the compacted topic is read whole all the same, and the older version read after it does not win.
    await raw.send({
      topic: topics.recommendations.name,
      messages: [{ key: checkoutAdvice.key, value: await codec.encode('Recommendation', checkoutAdvice), timestamp: String(Date.now() - 2 * 86_400_000) }],
    });
    const web = firstWindow[0] as PodCost;
    await producer.publish([
      ...asPods(topics.costs.name, firstWindow),
      // A redelivery of the same container-window, as a producer retry or a processor restart gives.
      ...asPods(topics.costs.name, [web]),
      ...asNodes(topics.nodeCosts.name, nodes),
      // The next window, so that the first is known complete; it is not itself complete yet.
      ...asPods(topics.costs.name, laterWindow(W1)),
      ...asNodes(topics.nodeCosts.name, nodes.map((n) => ({ ...n, windowStart: W1 }))),
      ...anomalies.map((value): OutgoingRecord => ({ topic: topics.anomalies.name, key: anomalyKey(value), schema: 'CostAnomaly', value })),
      // Budgets from namespace labels; the kube topic is read whole, and its pods are of no interest here.
      ...asKube(topics.kube.name, [
        namespaceObject('shop', { 'kcost.io/monthly-budget-usd': '1000' }, 1),
        namespaceObject('data', { 'kcost.io/monthly-budget-usd': 'lots' }, 1),
        namespaceObject('batch', { team: 'etl' }, 1),
        { ...namespaceObject('web-1', {}, 1), kind: 'POD', namespace: 'shop' },
      ]),
      ...asRecommendations(topics.recommendations.name, [checkoutOlder, cartAdvice, newerKind]),
    ]);
    await raw.send({ topic: topics.costs.name, messages: [{ key: podKey(web), value: Buffer.from('not an avro record') }] });
    // An aborted transaction leaves records a read-committed consumer never sees and ends its partitions with a marker.
    const aborted = podCost({ cluster: CLUSTER, podUid: 'u-aborted', podName: 'aborted-1', windowStart: W0 });
    const transactional = createProducer(kafka, { transactionalId: uniqueName('kcost-export-test-tx') });
    await transactional.connect();
    try {
      const transaction = await transactional.transaction();
      await transaction.send({ topic: topics.costs.name, messages: [{ key: podKey(aborted), value: await codec.encode('PodCost', aborted) }] });
      await transaction.abort();
    } finally {
      await transactional.disconnect();
    }

    const registry = new Registry();
    const consumerMetrics = createConsumerMetrics(registry);
    exporter = buildExporter(
      {
        kafka,
        codec,
        deadLetters: new DeadLetterPublisher({ producer, service: 'export', counter: consumerMetrics.deadLetters, logger: silentLogger(), topic: topics.deadLetter.name }),
        consumerMetrics,
        registry,
        logger: silentLogger(),
        now: () => clock.now,
      },
      {
        groupId: uniqueName('kcost-export-test'),
        costsTopic: topics.costs.name,
        nodeCostsTopic: topics.nodeCosts.name,
        anomaliesTopic: topics.anomalies.name,
        kubeTopic: topics.kube.name,
        recommendationsTopic: topics.recommendations.name,
        replayFrom: 'today',
        graceMillis: GRACE,
        port: 0,
        host: '127.0.0.1',
        token: TOKEN,
      },
    );
    await exporter.start();
    await waitFor(() => exporter.isReady(), 60_000, 'the exporter to catch up');
  });

  afterAll(async () => {
    await exporter?.stop();
    await raw?.disconnect();
  });

  it('serves the latest complete window of the records it read, in a format a Prometheus parser reads', async () => {
    const families = await scrapeParsed();
    for (const [name, type] of Object.entries({
      kube_cost_pod_hourly_usd: 'GAUGE',
      kube_cost_pod_pv_monthly_usd: 'GAUGE',
      kube_cost_pv_monthly_usd: 'GAUGE',
      kube_cost_namespace_daily_usd: 'GAUGE',
      kube_cost_spot_savings_usd_total: 'COUNTER',
      kube_cost_node_hourly_usd: 'GAUGE',
      kube_cost_idle_hourly_usd: 'GAUGE',
      kube_cost_anomaly_score: 'GAUGE',
      kube_cost_namespace_budget_usd: 'GAUGE',
      kube_cost_spot_savings_hourly_usd: 'GAUGE',
      kube_cost_window_start_seconds: 'GAUGE',
    })) {
      expect(families.get(name)?.type, name).toBe(type);
      expect(families.get(name)?.help, name).not.toBe('');
    }
    // The first window is complete (the second was read after it), the second is not yet.
    expect(value(families, 'kube_cost_window_start_seconds', {})).toBe(W0 / 1000);
    // Per hour = per-minute window cost × 60; web-1's app record arrived twice and counts once.
    expect(value(families, 'kube_cost_pod_hourly_usd', { namespace: 'shop', pod: 'web-1', node: 'node-a' })).toBeCloseTo(0.0025 * 60, 12);
    expect(value(families, 'kube_cost_pod_hourly_usd', { namespace: 'data', pod: 'db-0' })).toBeCloseTo(0.0022 * 60, 12);
    expect(value(families, 'kube_cost_pod_hourly_usd', { namespace: 'batch', pod: 'worker-1', node: 'node-spot' })).toBeCloseTo(0.0003 * 60, 12);
    expect(value(families, 'kube_cost_pod_hourly_usd', { pod: 'gone-1' })).toBeCloseTo(0.004 * 60, 12);
    expect(value(families, 'kube_cost_pod_hourly_usd', { pod: 'aborted-1' })).toBeUndefined();
    expect(value(families, 'kube_cost_pod_pv_monthly_usd', { namespace: 'data', pod: 'db-0' })).toBeCloseTo(0.0002 * 60 * 730, 9);
    expect(families.get('kube_cost_pod_pv_monthly_usd')?.samples).toHaveLength(2);
    // Per volume: the shares of every pod mounting it, per 730-hour month.
    expect(value(families, 'kube_cost_pv_monthly_usd', { cluster: CLUSTER, persistentvolume: 'pv-db', storage_class: 'gp3' })).toBeCloseTo(0.00015 * 60 * 730, 9);
    expect(value(families, 'kube_cost_pv_monthly_usd', { cluster: CLUSTER, persistentvolume: 'pv-shared', storage_class: 'efs' })).toBeCloseTo((0.00005 + 0.0001) * 60 * 730, 9);
    expect(families.get('kube_cost_pv_monthly_usd')?.samples).toHaveLength(2);
    // The sums count every window read, complete or not.
    expect(value(families, 'kube_cost_namespace_daily_usd', { namespace: 'shop' })).toBeCloseTo(0.0025 + 0.004 + 0.0035, 12);
    expect(value(families, 'kube_cost_namespace_daily_usd', { namespace: 'data' })).toBeCloseTo(2 * 0.0022, 12);
    expect(value(families, 'kube_cost_spot_savings_usd_total', { namespace: 'batch' })).toBeCloseTo(0.0014, 12);
    expect(value(families, 'kube_cost_spot_savings_hourly_usd', { namespace: 'batch' })).toBeCloseTo(0.0007 * 60, 12);
    expect(value(families, 'kube_cost_spot_savings_hourly_usd', { namespace: 'shop' })).toBe(0);
    expect(value(families, 'kube_cost_node_hourly_usd', { node: 'node-spot', instance_type: 'c5.large', capacity_type: 'SPOT' })).toBeCloseTo(
      (nodes[1] as NodeCost).costUsd * 60,
      12,
    );
    expect(value(families, 'kube_cost_idle_hourly_usd', { node: 'node-a', resource: 'cpu' })).toBeCloseTo(0.003 * 60, 12);
    expect(value(families, 'kube_cost_idle_hourly_usd', { node: 'node-a', resource: 'memory' })).toBeCloseTo(0.001 * 60, 12);
    expect(value(families, 'kube_cost_anomaly_score', { scope: 'WORKLOAD', key: 'batch/Job/nightly' })).toBe(6.25);
    expect(value(families, 'kube_cost_anomaly_score', { scope: 'NAMESPACE', key: 'data' })).toBe(-4.5);
    // Only shop has a usable budget label: "lots" is refused, batch has none.
    expect(families.get('kube_cost_namespace_budget_usd')?.samples.map((s) => [s.labels.namespace, s.value])).toEqual([['shop', 1000]]);
    expect(sampleValue(families, 'kube_cost_exporter_records_consumed_total', { topic: topics.kube.name, outcome: 'invalid' })).toBe(1);

    // The exporter's own health, on the same page.
    expect(sampleValue(families, 'kube_cost_exporter_up', {})).toBe(1);
    expect(sampleValue(families, 'kube_cost_exporter_records_consumed_total', { topic: topics.costs.name, outcome: 'duplicate' })).toBe(1);
    expect(sampleValue(families, 'kcost_dead_letters_total', { service: 'export', topic: topics.costs.name })).toBe(1);
    expect(families.get('kube_cost_exporter_consumer_lag')?.samples.every((s) => s.value === 0)).toBe(true);
  });

  it('drops a deleted pod as soon as a window without it is complete, without waiting for a grace period', async () => {
    await producer.publish([...asPods(topics.costs.name, laterWindow(W2)), ...asNodes(topics.nodeCosts.name, nodes.map((n) => ({ ...n, windowStart: W2 })))]);
    await waitFor(async () => value(await scrapeParsed(), 'kube_cost_window_start_seconds', {}) === W1 / 1000, 30_000, 'the second window to be served');
    const families = await scrapeParsed();
    expect(families.get('kube_cost_pod_hourly_usd')?.samples.map((s) => s.labels.pod).sort()).toEqual(['db-0', 'web-1', 'worker-1']);
    expect(value(families, 'kube_cost_pod_hourly_usd', { pod: 'web-1' })).toBeCloseTo(0.0035 * 60, 12);
    expect(value(families, 'kube_cost_namespace_daily_usd', { namespace: 'shop' })).toBeCloseTo(0.0025 + 0.004 + 2 * 0.0035, 12);
    expect(value(families, 'kube_cost_spot_savings_usd_total', { namespace: 'batch' })).toBeCloseTo(0.0021, 12);
    expect(families.get('kube_cost_node_hourly_usd')?.samples).toHaveLength(2);
    // gone-1's share of pv-shared went with it; db-0's shares are those of the second window.
    expect(value(families, 'kube_cost_pv_monthly_usd', { persistentvolume: 'pv-shared' })).toBeCloseTo(0.00005 * 60 * 730, 9);
    expect(value(families, 'kube_cost_pv_monthly_usd', { persistentvolume: 'pv-db' })).toBeCloseTo(0.00015 * 60 * 730, 9);
    // Anomalies are kept for their scored hour, which has not passed on the exporter clock.
    expect(families.get('kube_cost_anomaly_score')?.samples).toHaveLength(2);
  });

  it('answers 401 to a scrape without the bearer token or with a wrong one; probes need none', async () => {
    expect((await scrape({})).status).toBe(401);
    const wrong = await scrape({ authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="kcost"');
    expect(await wrong.text()).not.toContain('kube_cost');
    expect((await scrape({ authorization: TOKEN })).status).toBe(401);
    const base = `http://127.0.0.1:${exporter.port()}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('follows budget label changes and deleted namespaces, and ignores an older observation', async () => {
    await producer.publish(
      asKube(topics.kube.name, [
        namespaceObject('shop', { 'kcost.io/monthly-budget-usd': '1500.50' }, 3),
        namespaceObject('shop', { 'kcost.io/monthly-budget-usd': '10' }, 2),
        namespaceObject('batch', { 'kcost.io/monthly-budget-usd': '200' }, 2),
        namespaceObject('batch', { 'kcost.io/monthly-budget-usd': '200' }, 3, 3),
      ]),
    );
    const kubeRecordsRead = (families: Map<string, Family>) =>
      (families.get('kube_cost_exporter_records_consumed_total')?.samples ?? []).filter((s) => s.labels.topic === topics.kube.name).reduce((sum, s) => sum + s.value, 0);
    await waitFor(async () => kubeRecordsRead(await scrapeParsed()) === 8, 30_000, 'the four new kube records');
    const families = await scrapeParsed();
    expect(value(families, 'kube_cost_namespace_budget_usd', { namespace: 'shop' })).toBe(1500.5);
    expect(value(families, 'kube_cost_namespace_budget_usd', { namespace: 'batch' })).toBeUndefined();
    expect(sampleValue(families, 'kube_cost_exporter_records_consumed_total', { topic: topics.kube.name, outcome: 'duplicate' })).toBe(1);
  });

  it('serves the latest right-sizing advice per workload container, and drops it on a tombstone', async () => {
    const recommendationsRead = (families: Map<string, Family>) =>
      (families.get('kube_cost_exporter_records_consumed_total')?.samples ?? []).filter((s) => s.labels.topic === topics.recommendations.name).reduce((sum, s) => sum + s.value, 0);
    let families = await scrapeParsed();
    // Read whole before the exporter said it was ready.
    expect(recommendationsRead(families)).toBe(4);
    expect(families.get('kube_cost_recommendation_monthly_savings_usd')?.type).toBe('GAUGE');
    const target = (workload: string) => ({ namespace: 'shop', workload_kind: 'Deployment', workload, container: 'app' });
    // checkout's newer version stands; the newer kind is left out.
    expect(families.get('kube_cost_recommendation_monthly_savings_usd')?.samples.map((s) => [s.labels.workload, s.labels.risk, s.labels.kind, s.value]).sort()).toEqual([
      ['cart', 'LOW', 'WORKLOAD_RESOURCES', -3.5],
      ['checkout', 'MEDIUM', 'WORKLOAD_RESOURCES', 41.25],
    ]);
    expect(value(families, 'kube_cost_recommendation_container_resource_requests', { ...target('checkout'), resource: 'cpu', unit: 'core' })).toBe(0.45);
    expect(value(families, 'kube_cost_recommendation_current_container_resource_requests', { ...target('checkout'), resource: 'cpu', unit: 'core' })).toBe(1);
    expect(value(families, 'kube_cost_recommendation_container_resource_requests', { ...target('checkout'), resource: 'memory', unit: 'byte' })).toBe(700 * MIB);
    expect(value(families, 'kube_cost_recommendation_container_resource_limits', { ...target('checkout'), resource: 'memory', unit: 'byte' })).toBe(840 * MIB);
    expect(value(families, 'kube_cost_recommendation_container_resource_limits', { ...target('checkout'), resource: 'cpu' })).toBeUndefined();
    // cart has no memory advice (NONE): only its CPU figures.
    expect(families.get('kube_cost_recommendation_container_resource_requests')?.samples.filter((s) => s.labels.workload === 'cart').map((s) => s.labels.resource)).toEqual(['cpu']);
    expect(sampleValue(families, 'kube_cost_exporter_records_consumed_total', { topic: topics.recommendations.name, outcome: 'ignored' })).toBe(1);
    expect(sampleValue(families, 'kube_cost_exporter_records_consumed_total', { topic: topics.recommendations.name, outcome: 'duplicate' })).toBe(1);

    // The workload is deleted: the recommender retires its key with a tombstone.
    await raw.send({ topic: topics.recommendations.name, messages: [{ key: checkoutAdvice.key, value: null }] });
    await waitFor(async () => recommendationsRead(await scrapeParsed()) === 5, 30_000, 'the tombstone');
    families = await scrapeParsed();
    expect(families.get('kube_cost_recommendation_monthly_savings_usd')?.samples.map((s) => s.labels.workload)).toEqual(['cart']);
    for (const name of ['kube_cost_recommendation_container_resource_requests', 'kube_cost_recommendation_container_resource_limits', 'kube_cost_recommendation_current_container_resource_requests', 'kube_cost_recommendation_current_container_resource_limits']) {
      expect((families.get(name)?.samples ?? []).filter((s) => s.labels.workload === 'checkout'), name).toEqual([]);
    }

    // cart deleted and created again at once: its tombstone, then its new advice, read in one batch, in that order.
    const recreated = recommendation({ target: { cluster: CLUSTER, workloadName: 'cart' }, generatedAt: ADVISED_AT - 60_000, savingUsd: 7 });
    await raw.send({ topic: topics.recommendations.name, messages: [{ key: cartAdvice.key, value: null }, { key: recreated.key, value: await codec.encode('Recommendation', recreated) }] });
    await waitFor(async () => recommendationsRead(await scrapeParsed()) === 7, 30_000, 'the tombstone and the new advice');
    families = await scrapeParsed();
    expect(families.get('kube_cost_recommendation_monthly_savings_usd')?.samples.map((s) => [s.labels.workload, s.value])).toEqual([['cart', 7]]);
  });
});
