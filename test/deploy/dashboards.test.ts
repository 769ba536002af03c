import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costHistory } from './cost-data.js';
import { costDatabase, type CostDatabase } from './dashboard-db.js';
import type { TimeRange, VariableValue } from './grafana-sql.js';
import { dashboards, LIVE_EDGE_MINUTES_PAST_HOUR, liveEdge, panelSql, SIMULATION, sqlOf, targets } from './dashboard-panels.js';
import { simulatedRecommendations } from './recommendation-data.js';
import { asOf, simulatedCosts, type SimulatedCosts } from './simulated-costs.js';
import { storeForecasts } from '../../services/forecast/forecast-writer.js';
import { silentLogger } from '../../services/log/logger.js';

const DAY = 86_400_000;
const DATA_START = Date.UTC(2026, 9, 1);
const DATA_DAYS = 35;
// Grafana's range: the last 14 days of data, ending mid-day so partial days are in play.
const RANGE: TimeRange = { from: new Date(DATA_START + 20 * DAY + 6 * 3_600_000), to: new Date(DATA_START + 34 * DAY + 6 * 3_600_000) };

const isNumeric = (value: unknown) => (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value));

/** A panel's SQL as Grafana would send it for `range`, run on the database. */
async function runPanel(database: CostDatabase, sql: string, variables: Record<string, VariableValue>, range: TimeRange): Promise<Array<Record<string, unknown>>> {
  return (await database.pool.query<Record<string, unknown>>(panelSql(sql, variables, range))).rows;
}

/** What Grafana would offer for $cluster and $namespace (All), from the dashboards' own variable queries. */
async function variableValues(database: CostDatabase): Promise<{ clusters: string[]; namespaces: string[] }> {
  const variables = dashboards[0]?.dashboard.templating.list ?? [];
  const query = (name: string) => variables.find((v) => v.name === name)?.query ?? '';
  const far = { from: new Date(0), to: new Date(0) };
  const clusters = (await runPanel(database, query('cluster'), {}, far)).map((r) => String(Object.values(r)[0]));
  const namespaces = (await runPanel(database, query('namespace'), { cluster: { values: clusters, quoted: true } }, far)).map((r) => String(Object.values(r)[0]));
  return { clusters, namespaces };
}


describe('Grafana dashboards', () => {
  it('are the six kcost dashboards, each on the PostgreSQL datasource variable with cluster, namespace and window variables', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual(
      ['kcost-anomalies-forecast', 'kcost-executive-summary', 'kcost-namespace-deep-dive', 'kcost-resource-efficiency', 'kcost-rightsizing', 'kcost-spot'],
    );
    for (const { dashboard } of dashboards) {
      const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
      expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'grafana-postgresql-datasource' });
      for (const name of ['cluster', 'namespace']) expect(variables.get(name), `${dashboard.uid} $${name}`).toMatchObject({ type: 'query', multi: true, includeAll: true });
      expect(variables.get('bucket')?.type).toBe('custom');
      expect(dashboard.panels.length).toBeGreaterThan(3);
      for (const panel of dashboard.panels) {
        // Grafana's own variable syntax, not a template literal.
        // eslint-disable-next-line no-template-curly-in-string
        expect(panel.datasource.uid, `${dashboard.uid} / ${panel.title}`).toBe('${datasource}');
        expect(panel.targets.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('every dashboard query on the real schema with simulated costs', () => {
  let database: CostDatabase;
  // The values Grafana would offer for $cluster and $namespace, from the dashboards' own variable queries.
  let clusters: string[] = [];
  let namespaces: string[] = [];

  const all = (): Record<string, VariableValue> => ({
    cluster: { values: clusters, quoted: true },
    namespace: { values: namespaces, quoted: true },
    bucket: { values: ['1d'], quoted: false },
  });

  const run = (sql: string, variables: Record<string, VariableValue>, range = RANGE) => runPanel(database, sql, variables, range);

  beforeAll(async () => {
    const history = costHistory(DATA_START, DATA_DAYS);
    database = await costDatabase('kcost_dashboards', { ...history, recommendations: simulatedRecommendations(history.pods), savings: true });
    // What kcost forecast stores when it runs at the end of the range (the forecast panels read it).
    await storeForecasts(database.pool, RANGE.to.getTime(), { history: '90d', horizonDays: 31, maxRows: 1_000_000 }, silentLogger());
    ({ clusters, namespaces } = await variableValues(database));
  });

  afterAll(async () => {
    await database?.end();
  });

  it('offers every simulated cluster and namespace in the variables', () => {
    expect(clusters).toEqual(['prod-eu', 'staging-us']);
    expect(namespaces).toEqual(['batch', 'ci', 'kube-system', 'search', 'shop']);
  });

  it.each(targets)('$name returns rows with numbers for All clusters and namespaces', async ({ target }) => {
    const rows = await run(target.rawSql, all());
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => Object.values(row).some(isNumeric))).toBe(true);
    if (target.format === 'time_series') {
      expect(Object.keys(rows[0] ?? {})).toContain('time');
      expect(Object.keys(rows[0] ?? {}).length).toBeGreaterThan(1);
    }
  });

  it.each(targets)('$name runs for one cluster, one namespace and hourly buckets', async ({ target }) => {
    const one = { cluster: { values: ['prod-eu'], quoted: true }, namespace: { values: ['shop'], quoted: true }, bucket: { values: ['1h'], quoted: false } };
    await expect(run(target.rawSql, one)).resolves.toBeInstanceOf(Array);
  });

  it('draws the stored forecast of kcost forecast after the actual cost, not a line of its own', async () => {
    const rows = await run(sqlOf('kcost-anomalies-forecast', 'Daily cost and 30-day forecast'), all());
    const actual = rows.filter((r) => r.Actual !== null);
    const forecast = rows.filter((r) => r.Forecast !== null);
    // 06:00 on day 20 to 06:00 on day 34 in daily buckets: days 20 (from 06:00) to 34 (to 06:00).
    expect(actual.map((r) => Number(r.time) * 1000)).toEqual(Array.from({ length: 15 }, (_, i) => DATA_START + (20 + i) * DAY));
    // A complete day's rate is that day's cost.
    const day25 = await run(sqlOf('kcost-executive-summary', 'Workload spend'), all(), { from: new Date(DATA_START + 25 * DAY), to: new Date(DATA_START + 26 * DAY) });
    expect(Number(actual[5]?.Actual)).toBeCloseTo(Number(day25[0]?.['Workload spend']), 6);
    // kcost forecast ran at the range's end: 31 days from that day, each the sum of the namespaces' stored forecasts.
    expect(forecast.map((r) => Number(r.time) * 1000)).toEqual(Array.from({ length: 31 }, (_, i) => DATA_START + (34 + i) * DAY));
    const { rows: stored } = await database.pool.query<{ usd: number }>("SELECT sum(cost_usd)::float8 AS usd FROM cost_forecast WHERE namespace <> '' AND day = $1", [new Date(DATA_START + 40 * DAY)]);
    expect(Number(forecast[6]?.Forecast)).toBeCloseTo(stored[0]?.usd as number, 6);
    for (const row of forecast) {
      expect(Number(row['Forecast 80 % low'])).toBeLessThanOrEqual(Number(row.Forecast));
      expect(Number(row['Forecast 80 % high'])).toBeGreaterThanOrEqual(Number(row.Forecast));
    }
    const [next30] = await run(sqlOf('kcost-anomalies-forecast', 'Forecast: next 30 days'), all());
    expect(Number(next30?.['Next 30 days'])).toBeCloseTo(forecast.slice(0, 30).reduce((sum, r) => sum + Number(r.Forecast), 0), 4);
  });

  it('compares the range with the period of the same length before it', async () => {
    const [row] = await run(sqlOf('kcost-executive-summary', 'Change vs previous period'), all());
    expect(row?.['Previous period']).toBeGreaterThan(0);
    expect(row?.['This period']).toBeGreaterThan(row?.['Previous period'] as number);
    expect(row?.['Change %']).toBeGreaterThan(0);
  });

  it('narrows to the selected namespaces', async () => {
    const rows = await run(sqlOf('kcost-executive-summary', 'Top namespaces'), { ...all(), namespace: { values: ['shop', 'ci'], quoted: true } });
    expect(rows.map((r) => r.Namespace).sort()).toEqual(['ci', 'shop']);
  });
});

const MINUTE = 60_000;
const HOUR = 3_600_000;
const RANGES = [
  { range: '15 minutes', millis: 15 * MINUTE },
  { range: '6 hours', millis: 6 * HOUR },
  { range: '7 days', millis: 7 * DAY },
];
const BUCKETS = ['1h', '1d'];
const overlapping = <R extends { windowStart: number; windowSeconds: number }>(records: readonly R[], range: TimeRange): R[] =>
  records.filter((r) => r.windowStart < range.to.getTime() && r.windowStart + r.windowSeconds * 1000 > range.from.getTime());
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const relativeError = (actual: unknown, expected: number) => Math.abs(Number(actual) - expected) / Math.abs(expected);

describe("every dashboard panel over the simulator's data, at the live edge", () => {
  let database: CostDatabase;
  let costs: SimulatedCosts;
  let now = 0;
  let variables: Record<string, VariableValue> = {};
  const lastRange = (millis: number): TimeRange => ({ from: new Date(now - millis), to: new Date(now) });
  const cases = RANGES.flatMap((r) => BUCKETS.flatMap((bucket) => targets.map((t) => ({ ...r, bucket, ...t }))));

  beforeAll(async () => {
    ({ now, costs } = liveEdge(simulatedCosts(SIMULATION)));
    database = await costDatabase('kcost_dashboards_sim', { ...costs, recommendations: simulatedRecommendations(costs.pods), savings: true });
    const { clusters, namespaces } = await variableValues(database);
    variables = { cluster: { values: clusters, quoted: true }, namespace: { values: namespaces, quoted: true } };
  });

  afterAll(async () => {
    await database?.end();
  });

  it('ends the run in a part-hour, after a week of data', () => {
    expect(now % HOUR).toBe(LIVE_EDGE_MINUTES_PAST_HOUR * MINUTE);
    expect(now - SIMULATION.startMillis).toBeGreaterThan(7 * DAY);
    expect(costs.pods.at(-1)?.windowStart).toBe(now - 5 * MINUTE);
    expect(variables.cluster?.values).toEqual(['sim-eu']);
  });

  it.each(cases)('$name returns rows with numbers for the last $range in $bucket buckets', async ({ millis, bucket, panel, target }) => {
    const rows = await runPanel(database, target.rawSql, { ...variables, bucket: { values: [bucket], quoted: false } }, lastRange(millis));
    if (panel === 'Forecast: next 30 days') {
      // Eight days of history, short of the 21 a forecast needs: kcost forecast would store none, and none is drawn.
      expect(rows).toEqual([{ 'Next 30 days': null }]);
      return;
    }
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => Object.values(row).some(isNumeric))).toBe(true);
    if (target.format === 'time_series') expect(Object.keys(rows[0] ?? {})).toContain('time');
  });

  it.each(RANGES)('charges exactly the windows that overlap the last $range, whole hours from the rollups and part-hours from the raw rows', async ({ millis }) => {
    const range = lastRange(millis);
    const previous = { from: new Date(now - 2 * millis), to: range.from };
    const pods = sum(overlapping(costs.pods, range).map((c) => c.totalCostUsd));
    const nodes = sum(overlapping(costs.nodes, range).map((c) => c.costUsd));
    const hourly = { ...variables, bucket: { values: ['1h'], quoted: false } };
    const [workload] = await runPanel(database, sqlOf('kcost-executive-summary', 'Workload spend'), hourly, range);
    const [node] = await runPanel(database, sqlOf('kcost-executive-summary', 'Cluster spend (nodes)'), hourly, range);
    const series = await runPanel(database, sqlOf('kcost-executive-summary', 'Spend over time'), hourly, range);
    const [change] = await runPanel(database, sqlOf('kcost-executive-summary', 'Change vs previous period'), hourly, range);
    expect(relativeError(workload?.['Workload spend'], pods)).toBeLessThan(1e-9);
    expect(relativeError(node?.['Node spend'], nodes)).toBeLessThan(1e-9);
    expect(relativeError(sum(series.map((r) => Number(r.Workloads))), pods)).toBeLessThan(1e-9);
    expect(relativeError(change?.['This period'], pods)).toBeLessThan(1e-9);
    // The window that straddles the boundary counts in both periods, as each range's overlap.
    expect(relativeError(change?.['Previous period'], sum(overlapping(costs.pods, previous).map((c) => c.totalCostUsd)))).toBeLessThan(1e-9);
  });

  it.each(targets.filter((t) => /\b(pod|node)_cost\b/.test(t.target.rawSql)))('$name reads raw windows only from the partitions of the range', async ({ uid, panel, target }) => {
    const range = lastRange(7 * DAY);
    const sql = panelSql(target.rawSql, { ...variables, bucket: { values: ['1d'], quoted: false } }, range);
    const [plan] = (await database.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`)).rows;
    const scanned = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const relation = (node as Record<string, unknown>)['Relation Name'];
        if (typeof relation === 'string' && /^(pod|node)_cost_\d{8}$/.test(relation)) scanned.add(relation.replace(/^.*_(\d{8})$/, '$1'));
        Object.values(node).forEach(walk);
      }
    };
    walk(plan?.['QUERY PLAN']);
    const day = (millis: number) => new Date(millis).toISOString().slice(0, 10).replace(/-/g, '');
    // The per-pod table reads raw windows across the range; every other panel only the part-hours at its ends.
    const allowed =
      uid === 'kcost-namespace-deep-dive' && panel === 'Pods'
        ? new Set(Array.from({ length: 9 }, (_, i) => day(range.from.getTime() - HOUR + i * DAY)))
        : new Set([day(range.from.getTime() - HOUR), day(range.from.getTime()), day(range.to.getTime())]);
    expect([...scanned].filter((d) => !allowed.has(d))).toEqual([]);
  });

  it('lists the anomaly raised in the last 15 minutes, for the hour it was scored on', async () => {
    const rows = await runPanel(database, sqlOf('kcost-anomalies-forecast', 'Anomalies'), variables, lastRange(15 * MINUTE));
    const latest = costs.anomalies.filter((a) => a.detectedAt > now - 15 * MINUTE);
    expect(latest.length).toBeGreaterThan(0);
    expect(rows.map((r) => `${String(r.What)} ${(r.Time as Date).getTime()}`).sort()).toEqual(latest.map((a) => `${a.key} ${a.windowStart}`).sort());
  });
});

describe('every dashboard panel for a cluster three hours old', () => {
  let database: CostDatabase;
  let variables: Record<string, VariableValue> = {};
  const now = SIMULATION.startMillis + 3 * HOUR + 10 * MINUTE;
  const cases = RANGES.flatMap((r) => targets.map((t) => ({ ...r, ...t })));

  beforeAll(async () => {
    const young = asOf(simulatedCosts({ ...SIMULATION, durationMillis: 4 * HOUR }), now);
    database = await costDatabase('kcost_dashboards_young', { ...young, recommendations: simulatedRecommendations(young.pods), savings: true });
    const { clusters, namespaces } = await variableValues(database);
    variables = { cluster: { values: clusters, quoted: true }, namespace: { values: namespaces, quoted: true }, bucket: { values: ['1h'], quoted: false } };
  });

  afterAll(async () => {
    await database?.end();
  });

  it.each(cases)('$name shows what there is for the last $range', async ({ millis, uid, panel, target }) => {
    const rows = await runPanel(database, target.rawSql, variables, { from: new Date(now - millis), to: new Date(now) });
    if (uid === 'kcost-anomalies-forecast' && panel === 'Anomalies') {
      // No baseline yet, so nothing was raised: rightly empty.
      expect(rows).toEqual([]);
      return;
    }
    if (uid === 'kcost-anomalies-forecast' && panel === 'Forecast: next 30 days') {
      // Nor is there the history a forecast needs (21 days): no number rather than a made-up one.
      expect(rows).toEqual([{ 'Next 30 days': null }]);
      return;
    }
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => Object.values(row).some(isNumeric))).toBe(true);
  });
});
