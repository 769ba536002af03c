import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodCost } from '../../services/codec/records.generated.js';
import { migrate } from '../../services/db/migrations.js';
import { silentLogger } from '../../services/log/logger.js';
import { columnNames, encodeRow, NODE_COST_TABLE, POD_COST_TABLE } from '../../services/sink/tables.js';
import { nodeCost, podCost } from '../fixtures/storage/records.js';
import { createTimescaleDb } from './timescale-db.js';

const MINUTE = 60_000;

// sql/0010 on the TimescaleDB path (PGlite with the real extension): pod_cost is a
// compressed hypertable and the rollups are continuous aggregates, neither of which
// takes row-level security, so a team reads the security-barrier views of
// kcost_scoped. The team role is entered with SET ROLE, as its Grafana login
// would be, with the search_path kcost_grant_team gives it.
describe('team database roles on the TimescaleDB path (scoped views over hypertables and continuous aggregates)', () => {
  let timescale: Awaited<ReturnType<typeof createTimescaleDb>>;
  const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 6 * 3_600_000;
  const pods: PodCost[] = Array.from({ length: 360 }, (_, i) =>
    podCost({
      cluster: i % 2 === 0 ? 'prod' : 'dev',
      namespace: ['shop', 'search', 'batch'][i % 3] as string,
      windowStart: start + (i % 120) * MINUTE,
      totalCostUsd: 0.001 * (1 + (i % 7)),
    }),
  );
  const nodes = Array.from({ length: 60 }, (_, i) => nodeCost({ cluster: i % 2 === 0 ? 'prod' : 'dev', windowStart: start + i * MINUTE }));

  const asTeam = async <T>(run: () => Promise<T>): Promise<T> => {
    await timescale.db.exec(`SET ROLE team_shop; SET search_path = kcost_scoped, public`);
    try {
      return await run();
    } finally {
      await timescale.db.exec(`RESET ROLE; RESET search_path`);
    }
  };
  const query = async <R extends Record<string, unknown>>(sql: string) => (await timescale.client.query<R>(sql)).rows;

  beforeAll(async () => {
    timescale = await createTimescaleDb();
    const { variant } = await migrate(timescale.client, { logger: silentLogger() });
    expect(variant).toBe('timescaledb');
    await timescale.db.query(`COPY pod_cost (${columnNames(POD_COST_TABLE).join(', ')}) FROM '/dev/blob'`, [], {
      blob: new Blob([pods.map((p) => encodeRow(POD_COST_TABLE, p)).join('')]),
    });
    await timescale.db.query(`COPY node_cost (${columnNames(NODE_COST_TABLE).join(', ')}) FROM '/dev/blob'`, [], {
      blob: new Blob([nodes.map((n) => encodeRow(NODE_COST_TABLE, n)).join('')]),
    });
    // Half materialized, half real-time: both parts of an aggregate go through the view.
    await timescale.db.exec(`CALL refresh_continuous_aggregate('pod_cost_hourly', NULL, '${new Date(start + 3_600_000).toISOString()}')`);
    await timescale.db.exec(`SELECT kcost_grant_team('team_shop', ARRAY['shop'], ARRAY['prod'])`);
  });

  afterAll(async () => {
    await timescale?.close();
  });

  it('the team sees only shop in prod in pod_cost and both rollups, and its sums are the sums of those rows', async () => {
    const expected = pods.filter((p) => p.cluster === 'prod' && p.namespace === 'shop').reduce((sum, p) => sum + p.totalCostUsd, 0);
    expect(expected).toBeGreaterThan(0);
    await asTeam(async () => {
      for (const relation of ['pod_cost', 'pod_cost_hourly', 'pod_cost_daily']) {
        const scopes = await query<{ scope: string }>(`SELECT DISTINCT cluster || '/' || namespace AS scope FROM ${relation}`);
        expect(scopes.map((s) => s.scope), relation).toEqual(['prod/shop']);
        const [sum] = await query<{ total: number }>(`SELECT sum(total_cost_usd) AS total FROM ${relation}`);
        expect(Number(sum?.total), relation).toBeCloseTo(expected, 9);
      }
      for (const relation of ['node_cost', 'node_cost_hourly', 'node_cost_daily']) {
        expect(await query(`SELECT 1 FROM ${relation}`), relation).toEqual([]);
      }
    });
  });

  it('the hypertables, the aggregates and their chunks are closed to the team; kcost\'s own role sees everything', async () => {
    const chunk = (await query<{ name: string }>(`SELECT format('%I.%I', chunk_schema, chunk_name) AS name FROM timescaledb_information.chunks WHERE hypertable_name = 'pod_cost' LIMIT 1`))[0]?.name;
    expect(chunk).toBeDefined();
    await asTeam(async () => {
      for (const relation of ['public.pod_cost', 'public.pod_cost_daily', 'public.node_cost', chunk as string]) {
        await expect(query(`SELECT count(*) FROM ${relation}`), relation).rejects.toThrow(/permission denied/);
      }
    });
    const [all] = await query<{ n: number }>('SELECT count(*)::int AS n FROM kcost_scoped.pod_cost');
    expect(all?.n).toBe(pods.length);
  });
});
