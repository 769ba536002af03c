import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeCost, PodCost } from '../../services/codec/records.generated.js';
import { migrate } from '../../services/db/migrations.js';
import { silentLogger } from '../../services/log/logger.js';
import { columnNames, encodeRow, NODE_COST_TABLE, POD_COST_TABLE } from '../../services/sink/tables.js';
import { nodeCost, podCost } from '../fixtures/storage/records.js';
import { differences, rollupAndOracle } from './rollup-oracle.js';
import { createTimescaleDb } from './timescale-db.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('rollups on the TimescaleDB path (continuous aggregates in PGlite + TimescaleDB)', () => {
  let timescale: Awaited<ReturnType<typeof createTimescaleDb>>;
  // Recent windows over two UTC days, inside the refresh policies' window and the retention.
  const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
  const start = dayStart + 20 * HOUR;

  const pods: PodCost[] = Array.from({ length: 1500 }, (_, i) =>
    podCost({
      windowStart: start + (i % 480) * MINUTE,
      namespace: ['shop', 'search', 'batch'][i % 3] as string,
      workloadName: `app-${i % 4}`,
      workloadKind: i % 6 === 0 ? '' : 'Deployment',
      cpuUsageCoresAvg: 0.05 + (i % 9) / 7,
      totalCostUsd: 0.0001 * (1 + (i % 11) / 3),
      storageCostUsd: 0.00001 * (i % 3),
      priceSource: i % 5 === 0 ? 'default' : 'aws-pricing',
    }),
  );
  const nodes: NodeCost[] = Array.from({ length: 400 }, (_, i) =>
    nodeCost({ windowStart: start + (i % 480) * MINUTE, nodeName: `node-${i % 3}`, idleCostUsd: 0.0002 * (1 + (i % 7)) }),
  );

  beforeAll(async () => {
    timescale = await createTimescaleDb();
    await migrate(timescale.client, { logger: silentLogger() });
    // PGlite takes COPY from a blob instead of a socket; the rows are the sink's own COPY text encoding.
    await timescale.db.query(`COPY pod_cost (${columnNames(POD_COST_TABLE).join(', ')}) FROM '/dev/blob'`, [], {
      blob: new Blob([pods.map((p) => encodeRow(POD_COST_TABLE, p)).join('')]),
    });
    await timescale.db.query(`COPY node_cost (${columnNames(NODE_COST_TABLE).join(', ')}) FROM '/dev/blob'`, [], {
      blob: new Blob([nodes.map((n) => encodeRow(NODE_COST_TABLE, n)).join('')]),
    });
  });

  afterAll(async () => {
    await timescale?.close();
  });

  const relations = ['pod_cost_daily', 'pod_cost_hourly', 'node_cost_daily', 'node_cost_hourly'] as const;

  it.each(relations)('%s, by real-time aggregation before any refresh, equals the sums of the raw rows', async (relation) => {
    const { rollup, expected } = await rollupAndOracle(timescale.client, relation);
    expect(expected.length).toBeGreaterThan(1);
    expect(differences(rollup, expected)).toEqual([]);
  });

  it.each(relations)('%s, once materialized by a refresh, still equals the sums of the raw rows', async (relation) => {
    await timescale.db.exec(`CALL refresh_continuous_aggregate('${relation}', NULL, NULL)`);
    const { rows } = await timescale.client.query<{ schema: string; name: string }>(
      `SELECT materialization_hypertable_schema AS schema, materialization_hypertable_name AS name
       FROM timescaledb_information.continuous_aggregates WHERE view_name = $1`,
      [relation],
    );
    const materialized = await timescale.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${rows[0]?.schema}"."${rows[0]?.name}"`);
    expect(materialized.rows[0]?.n).toBeGreaterThan(0);
    const { rollup, expected } = await rollupAndOracle(timescale.client, relation);
    expect(differences(rollup, expected)).toEqual([]);
  });

  it('the daily rollup of one day equals the sum of that day\'s raw rows', async () => {
    const day = new Date(dayStart + 86_400_000);
    const daily = await timescale.client.query<{ total: number; n: number }>(
      'SELECT sum(total_cost_usd) AS total, sum(record_count)::int AS n FROM pod_cost_daily WHERE bucket_start = $1',
      [day],
    );
    const raw = pods.filter((p) => p.windowStart >= day.getTime() && p.windowStart < day.getTime() + 86_400_000);
    expect(raw.length).toBeGreaterThan(0);
    expect(daily.rows[0]?.n).toBe(raw.length);
    expect(daily.rows[0]?.total).toBeCloseTo(raw.reduce((sum, p) => sum + p.totalCostUsd, 0), 12);
  });

  it('after a refresh, new buckets show up at once and late rows in materialized buckets at the next refresh', async () => {
    const copy = (record: PodCost) =>
      timescale.db.query(`COPY pod_cost (${columnNames(POD_COST_TABLE).join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([encodeRow(POD_COST_TABLE, record)]) });
    const total = async (namespace: string) =>
      (await timescale.client.query<{ total: number }>('SELECT sum(total_cost_usd) AS total FROM pod_cost_hourly WHERE namespace = $1', [namespace])).rows[0]?.total ?? null;
    await copy(podCost({ windowStart: start + 9 * HOUR, namespace: 'fresh', totalCostUsd: 0.5 }));
    expect(await total('fresh')).toBe(0.5);
    await copy(podCost({ windowStart: start, namespace: 'late', totalCostUsd: 0.25 }));
    expect(await total('late')).toBeNull();
    await timescale.db.exec(`CALL refresh_continuous_aggregate('pod_cost_hourly', NULL, NULL)`);
    expect(await total('late')).toBe(0.25);
  });
});
