import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../services/api/csv.js';
import { useLoadedApi } from './api-harness.js';

// The API over a database the real sink loaded from real Kafka topics, checked
// against SQL sums over the raw pod_cost and node_cost rows.

const COST_FIELDS = {
  cpuCostUsd: 'cpu_cost_usd',
  memoryCostUsd: 'memory_cost_usd',
  gpuCostUsd: 'gpu_cost_usd',
  storageCostUsd: 'storage_cost_usd',
  networkCostUsd: 'network_cost_usd',
  totalCostUsd: 'total_cost_usd',
  onDemandCostUsd: 'on_demand_cost_usd',
  spotSavingsUsd: 'spot_savings_usd',
} as const;

type Row = Record<string, unknown> & { name: string; start: string; end: string; properties: Record<string, unknown> };
type Body = { rows: Row[]; source: string; idleSource?: string; totals: Record<string, number>; window: { start: string; end: string } };

const DAYS = '2026-10-30T00:00:00Z,2026-11-02T00:00:00Z';
const UNALIGNED = '2026-10-30T21:10:00Z,2026-11-01T02:50:00Z';
const WINDOWS: Array<[string, string, string]> = [
  // window, its range, the rollup it allows for step none
  [DAYS, DAYS, 'pod_cost_daily'],
  ['24h', '2026-10-31T04:00:00Z,2026-11-01T04:00:00Z', 'pod_cost_hourly'],
  [UNALIGNED, UNALIGNED, 'pod_cost'],
];
const ROLLUP_AGGREGATES = new Set(['cluster', 'namespace', 'workload', 'controllerKind', 'cluster,namespace']);
const AGGREGATES = ['cluster', 'node', 'namespace', 'workload', 'controllerKind', 'pod', 'container', 'label:app', 'cluster,namespace', 'namespace,label:team'];
const STEP_SECONDS = { none: 0, '1h': 3600, '1d': 86_400 } as const;

const loaded = useLoadedApi();

async function get(url: string): Promise<Body> {
  const response = await loaded.api.inject({ method: 'GET', url });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Body>();
}

/** Per-bucket sums of pod_cost in the range, keyed by the bucket start clipped to the range (as the API reports it). */
async function sqlBuckets(range: string, stepSeconds: number, where = 'TRUE', values: unknown[] = []): Promise<Map<string, Record<string, number>>> {
  const [start, end] = range.split(',') as [string, string];
  const bucket = stepSeconds === 0 ? '$1::timestamptz' : `greatest(date_bin(make_interval(secs => ${stepSeconds}), window_start, TIMESTAMPTZ '1970-01-01Z'), $1::timestamptz)`;
  const sums = Object.values(COST_FIELDS).map((c) => `sum(${c})::float8 AS ${c}`);
  const { rows } = await loaded.db.pool.query<Record<string, number> & { bucket: Date }>(
    `SELECT ${bucket} AS bucket, ${sums.join(', ')} FROM pod_cost WHERE window_start >= $1 AND window_start < $2 AND ${where} GROUP BY 1`,
    [start, end, ...values],
  );
  return new Map(rows.map((r) => [r.bucket.toISOString(), r]));
}

function apiBuckets(rows: readonly Row[]): Map<string, Record<string, number>> {
  const buckets = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const sums = buckets.get(row.start) ?? Object.fromEntries(Object.values(COST_FIELDS).map((c) => [c, 0]));
    for (const [field, column] of Object.entries(COST_FIELDS)) sums[column] = (sums[column] ?? 0) + Number(row[field]);
    buckets.set(row.start, sums);
  }
  return buckets;
}

function expectSameBuckets(actual: Map<string, Record<string, number>>, expected: Map<string, Record<string, number>>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [bucket, sums] of expected) {
    for (const column of Object.values(COST_FIELDS)) expect(actual.get(bucket)?.[column], `${bucket} ${column}`).toBeCloseTo(sums[column] ?? 0, 9);
  }
}

describe('GET /v1/allocation totals equal the raw rows', () => {
  for (const [window, range, rollup] of WINDOWS) {
    for (const step of ['none', '1h', '1d'] as const) {
      it(`every aggregate, window ${window}, step ${step}`, async () => {
        const expected = await sqlBuckets(range, STEP_SECONDS[step]);
        expect(expected.size).toBeGreaterThan(0);
        for (const aggregate of AGGREGATES) {
          const body = await get(`/v1/allocation?window=${encodeURIComponent(window)}&aggregate=${encodeURIComponent(aggregate)}&step=${step}`);
          const source = !ROLLUP_AGGREGATES.has(aggregate) ? 'pod_cost' : step === '1h' && rollup === 'pod_cost_daily' ? 'pod_cost_hourly' : rollup;
          expect(body.source, aggregate).toBe(source);
          expectSameBuckets(apiBuckets(body.rows), expected);
        }
      });
    }
  }

  it('matches SQL group by group: namespace per day from the daily rollup, pod per hour from raw rows, label per window', async () => {
    const cases: Array<[string, string, string]> = [
      ['aggregate=namespace&step=1d', "date_bin('1 day', window_start, TIMESTAMPTZ '1970-01-01Z')", 'namespace'],
      ['aggregate=pod&step=1h', "date_bin('1 hour', window_start, TIMESTAMPTZ '1970-01-01Z')", "namespace || '/' || pod_name"],
      ['aggregate=label:app', '$1::timestamptz', "coalesce(labels->>'app', '__unallocated__')"],
    ];
    for (const [params, bucket, name] of cases) {
      const body = await get(`/v1/allocation?window=${DAYS}&${params}`);
      const { rows } = await loaded.db.pool.query<{ bucket: Date; name: string; total: number; cpu: number }>(
        `SELECT ${bucket} AS bucket, ${name} AS name, sum(total_cost_usd)::float8 AS total, sum(cpu_cost_usd)::float8 AS cpu
         FROM pod_cost WHERE window_start >= $1 AND window_start < $2 GROUP BY 1, 2 ORDER BY 1, 2`,
        DAYS.split(','),
      );
      expect(body.rows.map((r) => `${r.start} ${r.name}`)).toEqual(rows.map((r) => `${r.bucket.toISOString()} ${r.name}`));
      rows.forEach((r, i) => {
        expect(body.rows[i]?.totalCostUsd).toBeCloseTo(r.total, 9);
        expect(body.rows[i]?.cpuCostUsd).toBeCloseTo(r.cpu, 9);
      });
    }
  });

  it('names workloads namespace/kind/name and bare pods namespace/__unallocated__, with their properties', async () => {
    const body = await get(`/v1/allocation?window=${DAYS}&aggregate=workload&filter=${encodeURIComponent('cluster:"c1"')}`);
    expect(body.rows.map((r) => r.name)).toEqual(['api/StatefulSet/db', 'api/__unallocated__', 'web/Deployment/frontend']);
    expect(body.rows[0]?.properties).toEqual({ namespace: 'api', controllerKind: 'StatefulSet', controller: 'db' });
    expect(body.rows[0]?.priceSources).toEqual(['aws-pricing']);
    expect(body.rows[2]?.priceSources).toEqual(['aws-pricing', 'aws-spot']);
  });
});

describe('filters', () => {
  it.each([
    ['namespace:"web"+cluster:"c1"', "namespace = 'web' AND cluster = 'c1'", 'pod_cost_daily'],
    ['workload:"frontend","db"+controllerKind!:"StatefulSet"', "workload_name IN ('frontend', 'db') AND workload_kind <> 'StatefulSet'", 'pod_cost_daily'],
    ['label[app]!:"frontend"', "coalesce(labels->>'app', '') <> 'frontend'", 'pod_cost'],
    ['label[team]:"web","data"+node:"n1","n3"', "labels->>'team' IN ('web', 'data') AND node_name IN ('n1', 'n3')", 'pod_cost'],
    ['container:"app"+pod!:"frontend-c"', "container = 'app' AND pod_name <> 'frontend-c'", 'pod_cost'],
  ])('%s keeps exactly the rows SQL keeps', async (filter, where, source) => {
    const body = await get(`/v1/allocation?window=${DAYS}&aggregate=cluster&step=1d&filter=${encodeURIComponent(filter)}`);
    expect(body.source).toBe(source);
    expectSameBuckets(apiBuckets(body.rows), await sqlBuckets(DAYS, 86_400, where));
  });
});

describe('idle', () => {
  async function nodeIdle(range: string): Promise<number> {
    const { rows } = await loaded.db.pool.query<{ idle: number }>('SELECT sum(idle_cost_usd)::float8 AS idle FROM node_cost WHERE window_start >= $1 AND window_start < $2', range.split(','));
    return rows[0]?.idle ?? Number.NaN;
  }

  it.each(WINDOWS)('include and share add exactly the node idle to the total (window %s)', async (window, range) => {
    const pods = (await sqlBuckets(range, 0)).values().next().value?.total_cost_usd ?? Number.NaN;
    const idle = await nodeIdle(range);
    expect(idle).toBeGreaterThan(0);
    for (const aggregate of ['namespace', 'cluster', 'node', 'cluster,pod']) {
      const q = `window=${encodeURIComponent(window)}&aggregate=${aggregate}`;
      expect((await get(`/v1/allocation?${q}&idle=hide`)).totals.totalCostUsd).toBeCloseTo(pods, 9);
      const include = await get(`/v1/allocation?${q}&idle=include`);
      expect(include.totals.totalCostUsd).toBeCloseTo(pods + idle, 9);
      expect(include.rows.filter((r) => r.name.endsWith('__idle__')).length).toBeGreaterThan(0);
      const share = await get(`/v1/allocation?${q}&idle=share`);
      expect(share.totals.totalCostUsd, aggregate).toBeCloseTo(pods + idle, 9);
      expect(share.rows.some((r) => r.name.endsWith('__idle__'))).toBe(false);
    }
  });

  it('include per node gives each node its own idle', async () => {
    const body = await get(`/v1/allocation?window=${DAYS}&aggregate=node&idle=include`);
    const { rows } = await loaded.db.pool.query<{ node_name: string; idle: number }>(
      'SELECT node_name, sum(idle_cost_usd)::float8 AS idle FROM node_cost GROUP BY 1 ORDER BY 1',
    );
    expect(body.idleSource).toBe('node_cost_daily');
    for (const r of rows) expect(body.rows.find((row) => row.name === `${r.node_name}/__idle__`)?.idleCostUsd).toBeCloseTo(r.idle, 9);
  });
});

describe('CSV', () => {
  it.each([
    `window=${DAYS}&aggregate=namespace,label:team&step=1h&idle=include`,
    `window=${UNALIGNED}&aggregate=container&idle=share`,
  ])('carries the same rows and values as JSON (%s)', async (query) => {
    const json = await get(`/v1/allocation?${query}`);
    const response = await loaded.api.inject({ method: 'GET', url: `/v1/allocation?${query}&format=csv` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...lines] = parseCsv(response.body);
    expect(lines).toHaveLength(json.rows.length);
    lines.forEach((line, i) => {
      const row = json.rows[i] as Row;
      const record = Object.fromEntries((header ?? []).map((h, j) => [h, line[j]]));
      expect(record.name).toBe(row.name);
      expect(record.start).toBe(row.start);
      for (const field of [...Object.keys(COST_FIELDS), 'idleCostUsd', 'cpuCoresUsedAvg', 'memoryBytesRequestedAvg']) expect(Number(record[field]), field).toBe(row[field]);
      const efficiency = typeof row.cpuEfficiency === 'number' ? String(row.cpuEfficiency) : '';
      expect(record.cpuEfficiency).toBe(efficiency);
      expect(record.priceSources).toBe((row.priceSources as string[]).join(';'));
      for (const [key, value] of Object.entries(row.properties)) {
        if (key !== 'labels') expect(record[key]).toBe(value);
      }
    });
  });
});
