import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordTypes } from '../../services/codec/records.generated.js';
import { migrate } from '../../services/db/migrations.js';
import { silentLogger } from '../../services/log/logger.js';
import { RECOMMENDATION_HISTORY_TABLE, RECOMMENDATION_TABLE } from '../../services/sink/recommendation-table.js';
import { columnNames, COST_ANOMALY_TABLE, encodeRow, NODE_COST_TABLE, POD_COST_TABLE, type TableSpec } from '../../services/sink/tables.js';
import { createTimescaleDb } from '../storage/timescale-db.js';
import type { Recommendation } from '../../services/codec/records.generated.js';
import { costDatabase, type CostDatabase } from './dashboard-db.js';
import { liveEdge, panelSql, SIMULATION, targets } from './dashboard-panels.js';
import type { TimeRange, VariableValue } from './grafana-sql.js';
import { latestRecommendations, simulatedRecommendations } from './recommendation-data.js';
import { simulatedCosts, type SimulatedCosts } from './simulated-costs.js';

// The same panels over the same simulated costs on both storage paths: plain
// PostgreSQL (rollup tables the sink maintains) and TimescaleDB (continuous
// aggregates with real-time aggregation, in PGlite), for the ranges a user
// picks. Readers never branch on the path, so the answers must agree.

const MINUTE = 60_000;
const RANGES = [15 * MINUTE, 6 * 60 * MINUTE, 7 * 24 * 60 * MINUTE];
// A smaller cluster than the other dashboard tests: PGlite runs PostgreSQL in WebAssembly.
const SMALL = { ...SIMULATION, nodes: 3, pods: 12 };

type Row = Record<string, unknown>;

/** Rows in a form both drivers agree on: numbers (node-postgres gives numeric as text), times in epoch ms, a stable order. */
function canonical(rows: readonly Row[]): string[] {
  const value = (v: unknown): unknown => {
    if (v instanceof Date) return v.getTime();
    if (typeof v === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v)) return Number(Number(v).toPrecision(9));
    if (typeof v === 'number') return Number(v.toPrecision(9));
    return v;
  };
  return rows.map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, value(v)]))).sort();
}

describe('every dashboard panel on the TimescaleDB path answers as on plain PostgreSQL', () => {
  let postgres: CostDatabase;
  let timescale: Awaited<ReturnType<typeof createTimescaleDb>>;
  let now = 0;
  let costs: SimulatedCosts;
  const cluster: VariableValue = { values: [SMALL.cluster], quoted: true };
  let variables: Record<string, VariableValue> = {};

  beforeAll(async () => {
    ({ now, costs } = liveEdge(simulatedCosts(SMALL)));
    const recommendations = simulatedRecommendations(costs.pods);
    postgres = await costDatabase('kcost_dashboards_paths', { ...costs, recommendations, savings: true });
    timescale = await createTimescaleDb();
    await timescale.db.exec("SET TimeZone = 'UTC'");
    await migrate(timescale.client, { logger: silentLogger() });
    // PGlite takes COPY from a blob; the rows are the sink's own COPY text encoding.
    const copy = async <N extends 'PodCost' | 'NodeCost' | 'CostAnomaly' | 'Recommendation'>(table: TableSpec<N>, records: ReadonlyArray<RecordTypes[N]>) => {
      await timescale.db.query(`COPY ${table.table} (${columnNames(table).join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([records.map((r) => encodeRow(table, r)).join('')]) });
    };
    await copy(POD_COST_TABLE, costs.pods);
    await copy(NODE_COST_TABLE, costs.nodes);
    await copy(COST_ANOMALY_TABLE, costs.anomalies);
    // What the sink leaves after the same events: every version in history, the latest per key in recommendation.
    // And the cluster-savings advice kcost savings gave for the same costs on the plain PostgreSQL path.
    const savings = (await postgres.pool.query<{ record: Recommendation }>(`SELECT record FROM recommendation WHERE kind <> 'WORKLOAD_RESOURCES' ORDER BY key`)).rows.map((r) => r.record);
    await copy(RECOMMENDATION_HISTORY_TABLE, [...recommendations.flatMap((e) => (e.value ? [e.value] : [])), ...savings]);
    await copy(RECOMMENDATION_TABLE, [...latestRecommendations(recommendations), ...savings]);
    const namespaces = (await postgres.pool.query<{ namespace: string }>('SELECT DISTINCT namespace FROM pod_cost ORDER BY 1')).rows.map((r) => r.namespace);
    variables = { cluster, namespace: { values: namespaces, quoted: true }, bucket: { values: ['1h'], quoted: false } };
  }, 180_000);

  afterAll(async () => {
    await postgres?.end();
    await timescale?.close();
  });

  it('loaded the same rows into both', async () => {
    const count =
      'SELECT (SELECT count(*) FROM pod_cost) AS pods, (SELECT count(*) FROM node_cost) AS nodes, (SELECT count(*) FROM cost_anomaly) AS anomalies, (SELECT count(*) FROM recommendation) AS advice, (SELECT count(*) FROM recommendation_history) AS versions';
    const [pg] = (await postgres.pool.query<Row>(count)).rows;
    const [ts] = (await timescale.db.query<Row>(count)).rows;
    expect(canonical([ts ?? {}])).toEqual(canonical([pg ?? {}]));
    expect(Number(pg?.pods)).toBe(costs.pods.length);
    expect(Number(pg?.advice)).toBeGreaterThan(0);
  });

  it.each(targets)('$name', async ({ target }) => {
    for (const millis of RANGES) {
      const range: TimeRange = { from: new Date(now - millis), to: new Date(now) };
      const sql = panelSql(target.rawSql, variables, range);
      const [pg, ts] = await Promise.all([postgres.pool.query<Row>(sql), timescale.db.query<Row>(sql)]);
      expect(pg.rows.length, `last ${millis / MINUTE} minutes`).toBeGreaterThan(0);
      expect(canonical(ts.rows), `last ${millis / MINUTE} minutes`).toEqual(canonical(pg.rows));
    }
  });
});
