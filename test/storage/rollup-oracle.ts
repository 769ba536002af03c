import type { SqlClient } from '../../services/db/sql-client.js';

/**
 * Independent oracles for the rollups: the same figures computed straight
 * from the raw rows with GROUP BY, written out here rather than derived from
 * the code under test.
 */
const POD_FROM_RAW = (bucket: string) => `
  SELECT date_bin(INTERVAL '${bucket}', window_start, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket_start,
    cluster, namespace, workload_kind, workload_name,
    count(*) AS record_count, sum(window_seconds) AS container_seconds,
    sum(cpu_request_cores * window_seconds) AS cpu_core_seconds_requested,
    sum(cpu_usage_cores_avg * window_seconds) AS cpu_core_seconds_used,
    sum(cpu_allocated_cores * window_seconds) AS cpu_core_seconds_allocated,
    sum(memory_request_bytes * window_seconds) AS memory_byte_seconds_requested,
    sum(memory_usage_bytes_avg * window_seconds) AS memory_byte_seconds_used,
    sum(memory_allocated_bytes * window_seconds) AS memory_byte_seconds_allocated,
    sum(gpu_request * window_seconds) AS gpu_seconds_requested,
    sum(gpu_allocated * window_seconds) AS gpu_seconds_allocated,
    sum(cpu_cost_usd) AS cpu_cost_usd, sum(memory_cost_usd) AS memory_cost_usd, sum(gpu_cost_usd) AS gpu_cost_usd,
    sum(storage_cost_usd) AS storage_cost_usd, sum(network_cost_usd) AS network_cost_usd,
    sum(total_cost_usd) AS total_cost_usd, sum(on_demand_cost_usd) AS on_demand_cost_usd, sum(spot_savings_usd) AS spot_savings_usd,
    array_agg(DISTINCT price_source ORDER BY price_source) AS price_sources
  FROM pod_cost GROUP BY 1, 2, 3, 4, 5`;

const NODE_FROM_RAW = (bucket: string) => `
  SELECT date_bin(INTERVAL '${bucket}', window_start, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket_start,
    cluster, node_name, instance_type, capacity_type,
    count(*) AS record_count, sum(window_seconds) AS node_seconds,
    sum(cpu_cores * window_seconds) AS cpu_core_seconds, sum(memory_bytes * window_seconds) AS memory_byte_seconds,
    sum(gpu_count * window_seconds) AS gpu_seconds,
    sum(cpu_cost_usd) AS cpu_cost_usd, sum(memory_cost_usd) AS memory_cost_usd, sum(gpu_cost_usd) AS gpu_cost_usd, sum(cost_usd) AS cost_usd,
    sum(cpu_allocated_cost_usd) AS cpu_allocated_cost_usd, sum(memory_allocated_cost_usd) AS memory_allocated_cost_usd,
    sum(gpu_allocated_cost_usd) AS gpu_allocated_cost_usd, sum(cpu_idle_cost_usd) AS cpu_idle_cost_usd,
    sum(memory_idle_cost_usd) AS memory_idle_cost_usd, sum(gpu_idle_cost_usd) AS gpu_idle_cost_usd, sum(idle_cost_usd) AS idle_cost_usd,
    sum(on_demand_cost_usd) AS on_demand_cost_usd, sum(spot_savings_usd) AS spot_savings_usd,
    array_agg(DISTINCT price_source ORDER BY price_source) AS price_sources
  FROM node_cost GROUP BY 1, 2, 3, 4, 5`;

type Row = Record<string, unknown>;

/** A rollup's rows and the oracle's rows for the same relation, both keyed and sorted alike. */
export async function rollupAndOracle(client: SqlClient, relation: 'pod_cost_hourly' | 'pod_cost_daily' | 'node_cost_hourly' | 'node_cost_daily') {
  const bucket = relation.endsWith('hourly') ? '1 hour' : '1 day';
  const oracle = relation.startsWith('pod') ? POD_FROM_RAW(bucket) : NODE_FROM_RAW(bucket);
  const order = 'ORDER BY 2, 3, 4, 5, 1';
  const normalise = (rows: Row[]) =>
    rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'bigint' || (typeof v === 'string' && /count|seconds$/.test(k) && /^\d+$/.test(v)) ? Number(v) : v]),
      ),
    );
  const rollup = normalise((await client.query(`SELECT * FROM ${relation} ${order}`)).rows);
  const expected = normalise((await client.query(`SELECT * FROM (${oracle}) AS o ${order}`)).rows);
  return { rollup, expected };
}

const INTEGER_COLUMNS = new Set(['record_count', 'container_seconds', 'node_seconds']);

/** Compares rows field by field: counts and texts exactly, sums of doubles to 1e-12 relative (summation order differs). */
export function differences(actual: Row[], expected: Row[]): string[] {
  const problems: string[] = [];
  if (actual.length !== expected.length) problems.push(`${actual.length} rows, expected ${expected.length}`);
  expected.forEach((want, i) => {
    const got = actual[i] ?? {};
    for (const [key, value] of Object.entries(want)) {
      const have = got[key];
      const close =
        typeof value === 'number' && typeof have === 'number' && !INTEGER_COLUMNS.has(key)
          ? Math.abs(have - value) <= 1e-12 * Math.max(1, Math.abs(value))
          : JSON.stringify(have) === JSON.stringify(value);
      if (!close) problems.push(`row ${i} ${key}: ${JSON.stringify(have)}, expected ${JSON.stringify(value)}`);
    }
  });
  return problems;
}
