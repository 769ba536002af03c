import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeCost, PodCost } from '../../services/codec/records.generated.js';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { silentLogger } from '../../services/log/logger.js';
import { BatchWriter, type LoadBatch, type Rejection, type SinkRecord } from '../../services/sink/batch-writer.js';
import { nodeCost, podCost } from '../fixtures/storage/records.js';
import { createTestDatabase } from '../support/database.js';
import { differences, rollupAndOracle } from './rollup-oracle.js';

const MINUTE = 60_000;
// Windows from 22:00 on one day to 02:00 on the next, so batches straddle a day and several hours.
const START = Date.UTC(2026, 10, 21, 22, 0);

function podRecords(count: number, firstOffset = 0): SinkRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    offset: String(firstOffset + i),
    key: null,
    value: podCost({
      windowStart: START + ((firstOffset + i) % 240) * MINUTE,
      namespace: ['shop', 'search', 'batch'][i % 3] as string,
      workloadName: `app-${i % 5}`,
      workloadKind: i % 7 === 0 ? '' : 'Deployment',
      cpuUsageCoresAvg: 0.1 + (i % 13) / 17,
      totalCostUsd: 0.0001 * (1 + (i % 11) / 3),
      cpuCostUsd: 0.00007 * (1 + (i % 5) / 7),
      spotSavingsUsd: i % 2 === 0 ? 0.00003 : 0,
      priceSource: i % 4 === 0 ? 'default' : 'aws-pricing',
      labels: { app: `app-${i % 5}`, note: 'tab\there, "quoted" \\ back' },
    }),
  }));
}

function batch(topic: string, schema: LoadBatch['schema'], records: SinkRecord[], nextOffset?: string): LoadBatch {
  const last = records[records.length - 1];
  return { topic, partition: 0, schema, records, nextOffset: nextOffset ?? String(Number(last?.offset ?? -1) + 1) };
}

describe('batch writer on plain PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let writer: BatchWriter;
  const rejected: Array<{ batch: LoadBatch; rejections: readonly Rejection[]; committedBefore: boolean }> = [];

  const count = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]?.n);
  const storedOffset = (topic: string) => count(`SELECT next_offset AS n FROM sink_offset WHERE consumer_group = 'sink-test' AND topic = '${topic}'`);

  beforeAll(async () => {
    database = await createTestDatabase('kcost_writer');
    pool = new pg.Pool({ connectionString: database.url, max: 3 });
    const client = await pool.connect();
    await migrate(pgSqlClient(client), { logger: silentLogger() });
    client.release();
    writer = new BatchWriter({
      pool,
      variant: 'postgres',
      group: 'sink-test',
      logger: silentLogger(),
      reject: async (b, rejections) => {
        // Seen from another connection, the batch must not be committed yet when its dead letters go out.
        const committedBefore = (await count(`SELECT count(*) AS n FROM sink_offset WHERE topic = '${b.topic}' AND next_offset >= ${b.nextOffset}`)) > 0;
        rejected.push({ batch: b, rejections, committedBefore });
      },
    });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('loads a batch with COPY, keeps every field, and stores the next offset', async () => {
    const records = podRecords(1000);
    const result = await writer.write(batch('costs', 'PodCost', records));
    expect(result).toMatchObject({ loaded: 1000, skipped: 0, rejected: [] });
    expect(await count('SELECT count(*) AS n FROM pod_cost')).toBe(1000);
    expect(await storedOffset('costs')).toBe(1000);
    const first = records[0]?.value as PodCost;
    const { rows } = await pool.query(
      `SELECT labels, flags, window_start, price_effective_from, total_cost_usd, cpu_usage_cores_avg FROM pod_cost
       WHERE window_start = $1 AND namespace = 'shop' AND workload_name = 'app-0' LIMIT 1`,
      [new Date(first.windowStart)],
    );
    expect(rows[0]).toEqual({
      labels: first.labels,
      flags: [],
      window_start: new Date(first.windowStart),
      price_effective_from: new Date(first.priceEffectiveFrom as number),
      total_cost_usd: first.totalCostUsd,
      cpu_usage_cores_avg: first.cpuUsageCoresAvg,
    });
  });

  it('drops a redelivered batch and the already-loaded head of an overlapping one', async () => {
    expect(await writer.write(batch('costs', 'PodCost', podRecords(1000)))).toMatchObject({ loaded: 0, skipped: 1000 });
    const overlapping = await writer.write(batch('costs', 'PodCost', podRecords(600, 700)));
    expect(overlapping).toMatchObject({ loaded: 300, skipped: 300 });
    expect(await count('SELECT count(*) AS n FROM pod_cost')).toBe(1300);
    expect(await storedOffset('costs')).toBe(1300);
  });

  it('isolates records that fail validation or that the database refuses, and loads the rest', async () => {
    const records = podRecords(50, 1300);
    const nan = records[10] as { value: PodCost };
    nan.value = { ...nan.value, totalCostUsd: Number.NaN };
    const nul = records[20] as { value: PodCost };
    nul.value = { ...nul.value, podName: 'bad\u0000name' };
    const result = await writer.write(batch('costs', 'PodCost', records));
    expect(result.loaded).toBe(48);
    expect(result.isolated).toBe(true);
    expect(result.rejected.map((r) => [r.record.offset, r.code])).toEqual([
      ['1310', 'INVALID_RECORD'],
      ['1320', 'DB_REJECTED'],
    ]);
    expect(result.rejected[1]?.reason).toMatch(/0x00/);
    expect(rejected.at(-1)).toMatchObject({ committedBefore: false });
    expect(await count('SELECT count(*) AS n FROM pod_cost')).toBe(1348);
    expect(await storedOffset('costs')).toBe(1350);
  });

  it('loads node costs, anomalies and prices into their tables', async () => {
    const nodes: SinkRecord[] = Array.from({ length: 200 }, (_, i) => ({
      offset: String(i),
      key: null,
      value: nodeCost({ windowStart: START + (i % 240) * MINUTE, nodeName: `node-${i % 4}`, idleCostUsd: 0.0003 * (1 + (i % 3)) } satisfies Partial<NodeCost>),
    }));
    expect(await writer.write(batch('nodes', 'NodeCost', nodes))).toMatchObject({ loaded: 200 });
    const anomaly = {
      cluster: 'prod-eu', scope: 'WORKLOAD', key: 'shop/Deployment/checkout', namespace: 'shop', windowStart: START, windowSeconds: 3600,
      observedHourlyUsd: 4.2, expectedHourlyUsd: 1.1, score: 6.3, direction: 'UP', severity: 'CRITICAL', baselineHours: 168, detectedAt: START + 3_600_000,
    };
    const price = {
      provider: 'aws', region: 'eu-west-1', zone: null, kind: 'NODE', sku: 'm5.large', capacityType: 'ON_DEMAND', effectiveFrom: Date.UTC(2024, 0, 1),
      hourlyUsd: 0.107, cpuCoreHourUsd: null, memoryGibHourUsd: null, gpuHourUsd: null, storageGibMonthUsd: null, networkGibUsd: null,
      discount: 0, source: 'aws-pricing', sourceRef: 'JRTCKXETXF.6YS6EN2CT7', observedAt: START, vcpus: null, memoryBytes: null, gpus: null, architecture: null,
    };
    // PriceUpdate v2: the instance shape, loaded into its own columns (memory past 2^31 bytes: a bigint).
    const graviton = { ...price, sku: 'm6g.xlarge', hourlyUsd: 0.172, sourceRef: null, vcpus: 4, memoryBytes: 16 * 1024 ** 3, gpus: 0, architecture: 'arm64' };
    const gpu = { ...price, sku: 'g5.xlarge', hourlyUsd: 1.006, sourceRef: null, vcpus: 4, memoryBytes: 16 * 1024 ** 3, gpus: 1, architecture: 'amd64' };
    await writer.write(batch('anomalies', 'CostAnomaly', [{ offset: '0', key: null, value: anomaly }]));
    await writer.write(batch('prices', 'PriceUpdate', [price, graviton, gpu].map((value, i) => ({ offset: String(i), key: null, value }))));
    expect(await count('SELECT count(*) AS n FROM node_cost')).toBe(200);
    expect((await pool.query('SELECT severity, score, detected_at FROM cost_anomaly')).rows).toEqual([{ severity: 'CRITICAL', score: 6.3, detected_at: new Date(START + 3_600_000) }]);
    expect((await pool.query('SELECT sku, hourly_usd, zone, effective_from, vcpus, memory_bytes, gpus, architecture FROM price_history ORDER BY hourly_usd')).rows).toEqual([
      { sku: 'm5.large', hourly_usd: 0.107, zone: null, effective_from: new Date(Date.UTC(2024, 0, 1)), vcpus: null, memory_bytes: null, gpus: null, architecture: null },
      { sku: 'm6g.xlarge', hourly_usd: 0.172, zone: null, effective_from: new Date(Date.UTC(2024, 0, 1)), vcpus: 4, memory_bytes: String(16 * 1024 ** 3), gpus: 0, architecture: 'arm64' },
      { sku: 'g5.xlarge', hourly_usd: 1.006, zone: null, effective_from: new Date(Date.UTC(2024, 0, 1)), vcpus: 4, memory_bytes: String(16 * 1024 ** 3), gpus: 1, architecture: 'amd64' },
    ]);
  });

  it.each(['pod_cost_daily', 'pod_cost_hourly', 'node_cost_daily', 'node_cost_hourly'] as const)(
    '%s equals the sums of the raw rows of each bucket',
    async (relation) => {
      const { rollup, expected } = await rollupAndOracle(pgSqlClient(pool as unknown as pg.ClientBase), relation);
      expect(expected.length).toBeGreaterThan(1);
      expect(differences(rollup, expected)).toEqual([]);
    },
  );

  it('created the partitions of the days it wrote and the day after, in kcost_partitions', async () => {
    const { rows } = await pool.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'kcost_partitions' AND c.relname LIKE 'pod_cost_202611%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.relname)).toEqual(expect.arrayContaining(['pod_cost_20261121', 'pod_cost_20261122', 'pod_cost_20261123']));
  });
});
