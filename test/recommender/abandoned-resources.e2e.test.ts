import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, PriceUpdate } from '../../services/codec/records.generated.js';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { BatchingProducer } from '../../services/kafka/batching-producer.js';
import { DeadLetterPublisher } from '../../services/kafka/dead-letter.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { createConsumerMetrics } from '../../services/kafka/kafka-metrics.js';
import { priceKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { compileRecommendationsQuery, planRecommendations, toRecommendation } from '../../services/api/recommendations-query.js';
import { claimAndVolume, container, nodeObject, podObject, priceUpdate } from '../../services/processor/record-builders.js';
import type { Recommendation } from '../../services/recommender/recommendation.js';
import type { RecommenderService } from '../../services/recommender/recommender-service.js';
import { buildSink, type Sink } from '../../services/sink/sink.js';
import { createSinkMetrics } from '../../services/sink/sink-metrics.js';
import { recommendation } from '../fixtures/storage/recommendations.js';
import { createTestDatabase } from '../support/database.js';
import { waitFor } from '../support/kafka.js';
import { GIB, HOUR, Pipeline, Reader, uniqueGroup } from './harness.js';
import { UNRESTRICTED } from '../../services/api/scope.js';

// Orphaned volumes (and DaemonSet-only nodes, and idle workloads) end to end over the real broker and PostgreSQL: kube
// objects and a storage price in, an ORPHANED_VOLUME record on the
// recommendations topic once a claim has gone unmounted for the threshold,
// stored by the sink and served by the API's query, then a tombstone (and the
// row deleted) once a pod mounts the claim again.

const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 5, 1);
const KEY = 'prod/shop/PersistentVolumeClaim/data';
const logger = silentLogger();

const pipeline = new Pipeline();
let reader: Reader<Recommendation>;
let recommender: RecommenderService | null = null;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let sink: Sink | null = null;
let sinkProducer: ReturnType<typeof createProducer> | null = null;

const at = (o: KubeObject, when: number): KubeObject => ({ ...o, createdAt: when, observedAt: when });
/** Moves the cluster's event time: a node observed again, nothing else changes. */
const clock = (when: number): KubeObject => nodeObject({ name: 'node-1', cores: 4, memoryGib: 16, provider: 'aws', region: 'us-east-1', createdAt: T0, observedAt: when });
const mounter = (name: string, from: number, until: number | null, observedAt: number): KubeObject =>
  podObject({ name, namespace: 'shop', nodeName: 'node-1', containers: [container('db', 1, 2)], claimNames: ['data'], createdAt: from, endedAt: until, observedAt });

async function startSink(): Promise<void> {
  const { kafka, codec } = pipeline;
  const registry = new Registry();
  const consumerMetrics = createConsumerMetrics(registry);
  sinkProducer = createProducer(kafka);
  await sinkProducer.connect();
  const deadLetters = new DeadLetterPublisher({ producer: new BatchingProducer({ producer: sinkProducer, codec, logger }), service: 'sink', counter: consumerMetrics.deadLetters, logger, topic: pipeline.topics.deadLetter });
  sink = buildSink(
    { kafka, pool, codec, variant: 'postgres', deadLetters, consumerMetrics, metrics: createSinkMetrics(registry), logger },
    {
      groupId: uniqueGroup('orphan-sink'),
      topics: [{ topic: pipeline.topics.recommendations, schema: 'Recommendation' }],
      maxBatchRows: 1000,
      maxBatchWaitMillis: 100,
      minFetchBytes: 1,
      maxFetchBytesPerPartition: 1024 * 1024,
      sessionTimeoutMillis: 6000,
      retry: { maxAttempts: 3, initialDelayMillis: 100, maxDelayMillis: 1000 },
    },
  );
  await sink.start();
}

/** What GET /v1/recommendations?kind=ORPHANED_VOLUME answers, through the API's own query. */
async function servedOrphans(): Promise<Recommendation[]> {
  const plan = planRecommendations(compileRecommendationsQuery({ kind: 'orphaned_volume', namespace: 'shop' }, 1000), UNRESTRICTED);
  return (await pool.query(plan.text, plan.values as unknown[])).rows.map(toRecommendation);
}

beforeAll(async () => {
  database = await createTestDatabase('kcost_orphans');
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const client = await pool.connect();
  await migrate(pgSqlClient(client), { logger });
  client.release();
  await pipeline.open();
  const price: PriceUpdate = priceUpdate({ kind: 'STORAGE', sku: 'gp3', capacityType: 'UNKNOWN', effectiveFrom: T0 - DAY, storageGibMonthUsd: 0.08 });
  const nodePrice: PriceUpdate = priceUpdate({ kind: 'NODE', sku: 'm5.large', effectiveFrom: T0 - DAY, hourlyUsd: 0.1 });
  await pipeline.send(pipeline.topics.prices, await Promise.all([price, nodePrice].map(async (p) => ({ key: priceKey(p), value: await pipeline.codec.encode('PriceUpdate', p) }))));
  // "data" (50 GiB) was mounted by db-0 until day 2; "logs" (20 GiB) is mounted by a running pod throughout.
  const data = claimAndVolume({ namespace: 'shop', claim: 'data', volume: 'pv-data', sizeGib: 50 }).map((o) => at(o, T0));
  const logs = claimAndVolume({ namespace: 'shop', claim: 'logs', volume: 'pv-logs', sizeGib: 20 }).map((o) => at(o, T0));
  const logger0 = podObject({ name: 'logger-0', namespace: 'shop', nodeName: 'node-1', containers: [container('app', 0.1, 0.1)], claimNames: ['logs'], createdAt: T0, observedAt: T0 });
  // node-2 runs only kube-proxy (a DaemonSet) from its creation on.
  const node2 = nodeObject({ name: 'node-2', cores: 2, memoryGib: 8, provider: 'aws', region: 'us-east-1', instanceType: 'm5.large', createdAt: T0, observedAt: T0 });
  const proxy = podObject({ name: 'kube-proxy-2', namespace: 'kube-system', nodeName: 'node-2', containers: [container('proxy', 0.1, 0.1)], workload: { kind: 'DaemonSet', name: 'kube-proxy' }, createdAt: T0, observedAt: T0 });
  await pipeline.publishKube([clock(T0), node2, proxy, ...data, ...logs, logger0, mounter('db-0', T0, null, T0), mounter('db-0', T0, T0 + 2 * DAY, T0 + 2 * DAY), clock(T0 + 8 * DAY)]);
  reader = await Reader.open(pipeline, pipeline.topics.recommendations, 'Recommendation');
  await startSink();
}, 120_000);

afterAll(async () => {
  await recommender?.stop();
  await sink?.stop();
  await sinkProducer?.disconnect();
  await reader?.close();
  await pipeline.close();
  await pool?.end();
  await database?.drop();
});

describe('kcost recommend: orphaned volumes', () => {
  it('advises deleting a claim unmounted for the threshold, stores and serves it, and retires it once a pod mounts the claim again', async () => {
    recommender = await pipeline.start(pipeline.config({ groupId: uniqueGroup('orphans'), orphanedVolumeAfterMillis: 5 * DAY }));
    await waitFor(() => reader.records.some((r) => r.key === KEY && r.value !== null), 60_000, 'an orphaned-volume recommendation');
    const advice = reader.records.find((r) => r.key === KEY && r.value !== null)?.value as Recommendation;
    expect(advice).toMatchObject({
      kind: 'ORPHANED_VOLUME',
      key: KEY,
      generatedAt: T0 + 8 * DAY,
      reasons: ['UNMOUNTED'],
      risk: 'MEDIUM',
      workloadResources: null,
      orphanedVolume: { target: { namespace: 'shop', claimName: 'data', persistentVolume: 'pv-data' }, storageClass: 'gp3', capacityBytes: 50 * GIB, unmountedSince: T0 + 2 * DAY, lastMountedAt: T0 + 2 * DAY, lastMountedBy: 'db-0' },
    });
    // 50 GiB at the published 0.08 $/GiB-month; 6 of 5 days unmounted: confidence 0.6.
    expect(advice.saving).toEqual({ currentMonthlyUsd: 4, recommendedMonthlyUsd: 0, monthlySavingsUsd: 4, priceSources: ['aws-pricing'] });
    expect(advice.confidence).toBeCloseTo(0.6, 12);
    // The claim a running pod mounts gets no advice (at most the tombstone of a fresh owner's sweep).
    expect(reader.records.filter((r) => r.key.endsWith('/logs')).every((r) => r.value === null)).toBe(true);

    await waitFor(async () => (await servedOrphans()).length === 1, 60_000, 'the sink to store the advice');
    expect(await servedOrphans()).toEqual([advice]);
    const row = (await pool.query<Record<string, unknown>>('SELECT namespace, workload_kind, cpu_action, monthly_savings_usd FROM recommendation WHERE key = $1', [KEY])).rows[0];
    expect(row).toEqual({ namespace: 'shop', workload_kind: null, cpu_action: null, monthly_savings_usd: 4 });

    const before = reader.records.length;
    await pipeline.publishKube([mounter('db-1', T0 + 8 * DAY + HOUR, null, T0 + 8 * DAY + HOUR)]);
    await waitFor(() => reader.records.slice(before).some((r) => r.key === KEY && r.value === null), 60_000, 'the tombstone');
    await waitFor(async () => (await servedOrphans()).length === 0, 60_000, 'the sink to delete the row');
    expect(reader.records.slice(before).filter((r) => r.key === KEY && r.value !== null)).toEqual([]);
  }, 240_000);

  it('advises removing a node that ran only DaemonSet pods, and retires it once a workload pod runs there', async () => {
    const NODE_KEY = 'prod/Node/node-2';
    await waitFor(() => reader.records.some((r) => r.key === NODE_KEY && r.value !== null), 60_000, 'a DaemonSet-only node recommendation');
    const advice = reader.records.find((r) => r.key === NODE_KEY && r.value !== null)?.value as Recommendation;
    expect(advice).toMatchObject({
      kind: 'DAEMONSET_ONLY_NODE',
      reasons: ['ONLY_DAEMONSETS'],
      saving: { recommendedMonthlyUsd: 0, priceSources: ['aws-pricing'] },
      daemonSetOnlyNode: { target: { cluster: 'prod', node: 'node-2' }, instanceType: 'm5.large', daemonSetsOnlySince: T0, lastWorkloadPod: null, daemonSets: ['kube-system/kube-proxy'] },
    });
    // 0.1 $/h for the node × 730 h.
    expect(advice.saving.monthlySavingsUsd).toBeCloseTo(73, 9);
    const plan = planRecommendations(compileRecommendationsQuery({ kind: 'DAEMONSET_ONLY_NODE' }, 1000), UNRESTRICTED);
    await waitFor(async () => (await pool.query(plan.text, plan.values as unknown[])).rows.length === 1, 60_000, 'the sink to store the node advice');

    const before = reader.records.length;
    const web = podObject({ name: 'web-7', namespace: 'shop', nodeName: 'node-2', containers: [container('app', 0.5, 1)], workload: { kind: 'Deployment', name: 'web' }, createdAt: T0 + 9 * DAY, observedAt: T0 + 9 * DAY });
    await pipeline.publishKube([web]);
    await waitFor(() => reader.records.slice(before).some((r) => r.key === NODE_KEY && r.value === null), 60_000, 'the node tombstone');
    await waitFor(async () => (await pool.query(plan.text, plan.values as unknown[])).rows.length === 0, 60_000, 'the sink to delete the node row');
  }, 240_000);

  it('flags a workload whose every container record shows it idle, superseding those records, and retires it once one is busy', async () => {
    const IDLE_KEY = 'prod/shop/Deployment/checkout';
    const idle = { percentiles: { p50: 0.01, p90: 0.01, p95: 0.01, p99: 0.01, max: 0.011 } };
    const flat = { percentiles: { p50: 100e6, p90: 101e6, p95: 102e6, p99: 102e6, max: 105e6 } };
    const records = ['app', 'sidecar'].map((name) => recommendation({ target: { cluster: 'prod', container: name }, generatedAt: T0 + 8 * DAY, cpu: idle, memory: flat }));
    const publish = async (list: Recommendation[]) =>
      pipeline.send(pipeline.topics.recommendations, await Promise.all(list.map(async (r) => ({ key: r.key, value: await pipeline.codec.encode('Recommendation', r) }))));
    await publish(records);
    await waitFor(() => reader.records.some((r) => r.key === IDLE_KEY && r.value !== null), 60_000, 'an idle-workload recommendation');
    const advice = reader.records.find((r) => r.key === IDLE_KEY && r.value !== null)?.value as Recommendation;
    expect(advice).toMatchObject({
      kind: 'IDLE_WORKLOAD',
      generatedAt: T0 + 8 * DAY,
      reasons: ['IDLE'],
      saving: { currentMonthlyUsd: 241, monthlySavingsUsd: 241 },
      idleWorkload: { target: { workloadKind: 'Deployment', workloadName: 'checkout' }, supersedes: records.map((r) => r.key) },
    });
    const before = reader.records.length;
    const busy = recommendation({ target: { cluster: 'prod', container: 'sidecar' }, generatedAt: T0 + 8 * DAY + HOUR, memory: flat });
    await publish([busy]);
    await waitFor(() => reader.records.slice(before).some((r) => r.key === IDLE_KEY && r.value === null), 60_000, 'the idle-workload tombstone');
  }, 240_000);
});

describe('kcost recommend over a recommendations topic whose last transaction was aborted', () => {
  it('still reads it to its end and becomes ready', async () => {
    // A stage that lost its partitions mid-commit leaves aborted records and their marker at a partition's tail;
    // read_committed, they never reach a handler, so only the end of kafkajs's batch says the partition was read.
    const { recommendations } = await pipeline.freshOutputs();
    const producer = pipeline.kafka.producer({ transactionalId: uniqueGroup('aborted'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const transaction = await producer.transaction();
      const value = await pipeline.codec.encode('Recommendation', recommendation({ target: { cluster: 'prod', container: 'app' } }));
      await transaction.send({ topic: recommendations, messages: [0, 1, 2, 3, 4, 5].map((partition) => ({ partition, key: `aborted-${partition}`, value })) });
      await transaction.abort();
    } finally {
      await producer.disconnect();
    }
    const service = await pipeline.start(pipeline.config({ groupId: uniqueGroup('after-abort'), recommendations }));
    try {
      await waitFor(() => service.ready, 60_000, 'the recommender to be ready');
    } finally {
      await service.stop();
    }
  }, 120_000);
});
