// Query API latency: p50 and p99 of GET /v1/allocation over HTTP next to the
// very statement the API runs, sent straight through pg, same server, same run.
//  - 30-day namespace × day: served from pod_cost_daily.
//  - 7-day workload × hour of one namespace: served from pod_cost_hourly.
// The data is generated straight into the rollup tables of a fresh database
// with generate_series (not through the sink: 90 days of 10k pods would take
// far longer to load than to query): 10,000 pods as 1,000 Deployments of 10
// pods in 40 namespaces, 90 days of daily and hourly rollup rows.
import { Registry } from 'prom-client';
import { build } from '../services/api/app.js';
import { compileAllocationQuery } from '../services/api/allocation-params.js';
import { planAllocation } from '../services/api/allocation-planner.js';
import { silentLogger } from '../services/log/logger.js';
import { compared, type Benchmark, type Figure } from './bench-types.js';
import { createBenchDatabase, percentile } from './pipeline-harness.js';
import { UNRESTRICTED } from '../services/api/scope.js';

const WORKLOADS = 1_000;
const PODS_PER_WORKLOAD = 10;
const NAMESPACES = 40;
const DAYS = 90;
const WARMUP = 5;
const ROUNDS = 60;
const DAY = 86_400_000;

// One workload-bucket row: PODS_PER_WORKLOAD pods of 0.5 core and 1 GiB, priced at the default rates, varied per workload.
function rollupInsert(table: string, bucket: string, bucketSeconds: number): string {
  const pods = PODS_PER_WORKLOAD;
  const vary = '(1 + (w % 7) / 10.0)';
  return `
    INSERT INTO ${table}
    SELECT b, 'bench', 'ns-' || lpad((w % ${NAMESPACES})::text, 2, '0'), 'Deployment', 'app-' || w,
      ${pods} * ${bucketSeconds / 60}, ${pods} * ${bucketSeconds},
      ${pods} * 0.5 * ${bucketSeconds}, ${pods} * 0.3 * ${bucketSeconds} * ${vary}, ${pods} * 0.5 * ${bucketSeconds},
      ${pods} * 1073741824.0 * ${bucketSeconds}, ${pods} * 805306368.0 * ${bucketSeconds}, ${pods} * 1073741824.0 * ${bucketSeconds},
      0, 0,
      ${pods} * 0.5 * 0.031611 * ${bucketSeconds / 3600} * ${vary}, ${pods} * 0.004237 * ${bucketSeconds / 3600} * ${vary}, 0,
      ${pods} * 0.0001 * ${bucketSeconds / 3600}, 0,
      ${pods} * (0.5 * 0.031611 + 0.004237 + 0.0001) * ${bucketSeconds / 3600} * ${vary},
      ${pods} * (0.5 * 0.031611 + 0.004237 + 0.0001) * ${bucketSeconds / 3600} * ${vary}, 0,
      ARRAY['aws-pricing']
    FROM generate_series($1::timestamptz, $2::timestamptz - ${bucket}::interval, ${bucket}::interval) AS b,
         generate_series(0, ${WORKLOADS - 1}) AS w`;
}

async function timeIt(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

const benchmark: Benchmark = async ({ databaseUrl, log }) => {
  const { pool, drop } = await createBenchDatabase(databaseUrl, 'kcost_bench_query', { maxConnections: 4, log });
  try {
    const today = Math.floor(Date.now() / DAY) * DAY;
    const range = [new Date(today - DAYS * DAY).toISOString(), new Date(today).toISOString()];
    let started = Date.now();
    await pool.query(rollupInsert('pod_cost_daily', "'1 day'", 86_400), range);
    await pool.query(rollupInsert('pod_cost_hourly', "'1 hour'", 3600), range);
    await pool.query('ANALYZE pod_cost_daily; ANALYZE pod_cost_hourly');
    const { rows: counts } = await pool.query<{ daily: string; hourly: string }>(
      'SELECT (SELECT count(*) FROM pod_cost_daily) AS daily, (SELECT count(*) FROM pod_cost_hourly) AS hourly',
    );
    log(`generated ${counts[0]?.daily} daily and ${counts[0]?.hourly} hourly rollup rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const now = Date.now();
    const app = await build(
      {
        runQuery: async (query) => (await pool.query(query.text, [...query.values])).rows as Array<Record<string, unknown>>,
        ping: async () => void (await pool.query('SELECT 1')),
        clock: () => now,
        logger: silentLogger(),
        registry: new Registry(),
      },
      { token: '', maxRows: 100_000, rateLimitPerMinute: 0, maxUrlLength: 8192 },
    );
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const figures: Figure[] = [];
    const notes: string[] = [];
    try {
      const cases: Array<{ label: string; params: Record<string, string> }> = [
        {
          label: '30-day namespace × day',
          params: { window: `${new Date(today - 30 * DAY).toISOString()},${new Date(today).toISOString()}`, aggregate: 'namespace', step: '1d' },
        },
        {
          label: '7-day workload × hour, one namespace',
          params: { window: `${new Date(today - 7 * DAY).toISOString()},${new Date(today).toISOString()}`, aggregate: 'workload', step: '1h', filter: 'namespace:"ns-07"' },
        },
      ];
      for (const { label, params } of cases) {
        const plan = planAllocation(compileAllocationQuery(params, now), 100_000, UNRESTRICTED);
        const url = `${base}/v1/allocation?${new URLSearchParams(params).toString()}`;
        const check = (await (await fetch(url)).json()) as { rows: unknown[]; source: string };
        started = Date.now();
        const sql = await timeIt(() => pool.query(plan.query.text, [...plan.query.values]));
        const api = await timeIt(async () => {
          const response = await fetch(url);
          await response.arrayBuffer();
        });
        log(`${label}: ${check.rows.length} rows from ${check.source}; API p50 ${api.p50.toFixed(2)} ms p99 ${api.p99.toFixed(2)} ms; SQL p50 ${sql.p50.toFixed(2)} ms p99 ${sql.p99.toFixed(2)} ms`);
        figures.push(
          compared(`${label}: API p50`, 'ms', 'lower', api.p50, { label: 'same SQL through pg, p50', value: sql.p50 }),
          compared(`${label}: API p99`, 'ms', 'lower', api.p99, { label: 'same SQL through pg, p99', value: sql.p99 }),
        );
        notes.push(`${label}: ${check.rows.length} rows read from ${check.source}.`);
      }
    } finally {
      await app.close();
    }
    notes.push(
      `Data: ${WORKLOADS * PODS_PER_WORKLOAD} pods as ${WORKLOADS} Deployments of ${PODS_PER_WORKLOAD} pods in ${NAMESPACES} namespaces, ${DAYS} days of rollups (${counts[0]?.daily} daily, ${counts[0]?.hourly} hourly rows) generated with generate_series straight into pod_cost_daily and pod_cost_hourly of a fresh plain-PostgreSQL database, not loaded through the sink.`,
      `Each figure: ${ROUNDS} sequential requests after ${WARMUP} warm-up ones. The API is timed over HTTP on 127.0.0.1 (request to last byte of the JSON answer); the baseline is the statement the API runs, sent with its parameters through a pg pool. Ratio = baseline / API (1.0 would be no API overhead).`,
    );
    return {
      name: 'query',
      description: 'GET /v1/allocation latency over 10k pods × 90 days of rollups, next to the same SQL through pg.',
      figures,
      notes,
    };
  } finally {
    await drop();
  }
};

export default benchmark;
