import type { NodeCost, PodCost } from '../codec/records.generated.js';
import { textArrayLiteral } from '../db/copy-text.js';

/**
 * A rollup table of the plain PostgreSQL path: rows of one raw table summed
 * per time bucket and key. Its columns mirror the continuous aggregate of the
 * TimescaleDB path (sql/0003_rollups.*.sql), in the same order.
 */
export interface RollupSpec<T> {
  readonly table: string;
  readonly bucketMillis: number;
  readonly keys: ReadonlyArray<{ readonly name: string; readonly get: (record: T) => string }>;
  /** Integer sum of window seconds (bigint). */
  readonly secondsColumn: string;
  readonly sums: ReadonlyArray<{ readonly name: string; readonly get: (record: T) => number }>;
}

/** One summed row of a rollup, before it is merged into the table. */
export interface RollupRow {
  readonly bucketStart: number;
  readonly keys: readonly string[];
  count: number;
  seconds: number;
  readonly sums: number[];
  readonly priceSources: Set<string>;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

const podKeys: RollupSpec<PodCost>['keys'] = [
  { name: 'cluster', get: (r) => r.cluster },
  { name: 'namespace', get: (r) => r.namespace },
  { name: 'workload_kind', get: (r) => r.workloadKind },
  { name: 'workload_name', get: (r) => r.workloadName },
];

const podSums: RollupSpec<PodCost>['sums'] = [
  { name: 'cpu_core_seconds_requested', get: (r) => r.cpuRequestCores * r.windowSeconds },
  { name: 'cpu_core_seconds_used', get: (r) => r.cpuUsageCoresAvg * r.windowSeconds },
  { name: 'cpu_core_seconds_allocated', get: (r) => r.cpuAllocatedCores * r.windowSeconds },
  { name: 'memory_byte_seconds_requested', get: (r) => r.memoryRequestBytes * r.windowSeconds },
  { name: 'memory_byte_seconds_used', get: (r) => r.memoryUsageBytesAvg * r.windowSeconds },
  { name: 'memory_byte_seconds_allocated', get: (r) => r.memoryAllocatedBytes * r.windowSeconds },
  { name: 'gpu_seconds_requested', get: (r) => r.gpuRequest * r.windowSeconds },
  { name: 'gpu_seconds_allocated', get: (r) => r.gpuAllocated * r.windowSeconds },
  { name: 'cpu_cost_usd', get: (r) => r.cpuCostUsd },
  { name: 'memory_cost_usd', get: (r) => r.memoryCostUsd },
  { name: 'gpu_cost_usd', get: (r) => r.gpuCostUsd },
  { name: 'storage_cost_usd', get: (r) => r.storageCostUsd },
  { name: 'network_cost_usd', get: (r) => r.networkCostUsd },
  { name: 'total_cost_usd', get: (r) => r.totalCostUsd },
  { name: 'on_demand_cost_usd', get: (r) => r.onDemandCostUsd },
  { name: 'spot_savings_usd', get: (r) => r.spotSavingsUsd },
];

const nodeKeys: RollupSpec<NodeCost>['keys'] = [
  { name: 'cluster', get: (r) => r.cluster },
  { name: 'node_name', get: (r) => r.nodeName },
  { name: 'instance_type', get: (r) => r.instanceType },
  { name: 'capacity_type', get: (r) => r.capacityType },
];

const nodeSums: RollupSpec<NodeCost>['sums'] = [
  { name: 'cpu_core_seconds', get: (r) => r.cpuCores * r.windowSeconds },
  { name: 'memory_byte_seconds', get: (r) => r.memoryBytes * r.windowSeconds },
  { name: 'gpu_seconds', get: (r) => r.gpuCount * r.windowSeconds },
  { name: 'cpu_cost_usd', get: (r) => r.cpuCostUsd },
  { name: 'memory_cost_usd', get: (r) => r.memoryCostUsd },
  { name: 'gpu_cost_usd', get: (r) => r.gpuCostUsd },
  { name: 'cost_usd', get: (r) => r.costUsd },
  { name: 'cpu_allocated_cost_usd', get: (r) => r.cpuAllocatedCostUsd },
  { name: 'memory_allocated_cost_usd', get: (r) => r.memoryAllocatedCostUsd },
  { name: 'gpu_allocated_cost_usd', get: (r) => r.gpuAllocatedCostUsd },
  { name: 'cpu_idle_cost_usd', get: (r) => r.cpuIdleCostUsd },
  { name: 'memory_idle_cost_usd', get: (r) => r.memoryIdleCostUsd },
  { name: 'gpu_idle_cost_usd', get: (r) => r.gpuIdleCostUsd },
  { name: 'idle_cost_usd', get: (r) => r.idleCostUsd },
  { name: 'on_demand_cost_usd', get: (r) => r.onDemandCostUsd },
  { name: 'spot_savings_usd', get: (r) => r.spotSavingsUsd },
];

/** The rollups maintained for pod_cost rows on plain PostgreSQL. */
export const POD_ROLLUPS: ReadonlyArray<RollupSpec<PodCost>> = [
  { table: 'pod_cost_hourly', bucketMillis: HOUR, keys: podKeys, secondsColumn: 'container_seconds', sums: podSums },
  { table: 'pod_cost_daily', bucketMillis: DAY, keys: podKeys, secondsColumn: 'container_seconds', sums: podSums },
];

/** The rollups maintained for node_cost rows on plain PostgreSQL. */
export const NODE_ROLLUPS: ReadonlyArray<RollupSpec<NodeCost>> = [
  { table: 'node_cost_hourly', bucketMillis: HOUR, keys: nodeKeys, secondsColumn: 'node_seconds', sums: nodeSums },
  { table: 'node_cost_daily', bucketMillis: DAY, keys: nodeKeys, secondsColumn: 'node_seconds', sums: nodeSums },
];

/** Buckets start at multiples of the bucket length since the epoch, in UTC, as time_bucket() does. */
export function bucketStart(timeMillis: number, bucketMillis: number): number {
  return Math.floor(timeMillis / bucketMillis) * bucketMillis;
}

type Rollable = { windowStart: number; windowSeconds: number; priceSource: string };

/**
 * Sums records per bucket and key as they stream past. Rows come out sorted
 * by key and bucket, so concurrent sinks upsert in the same order and do not
 * deadlock.
 */
export class RollupAccumulator<T extends Rollable> {
  private readonly rows = new Map<string, RollupRow>();

  constructor(readonly spec: RollupSpec<T>) {}

  add(record: T): void {
    const { spec } = this;
    const bucket = bucketStart(record.windowStart, spec.bucketMillis);
    let id = '';
    for (const key of spec.keys) id += `${key.get(record)}\u0000`;
    id += bucket;
    let row = this.rows.get(id);
    if (!row) {
      row = { bucketStart: bucket, keys: spec.keys.map((k) => k.get(record)), count: 0, seconds: 0, sums: spec.sums.map(() => 0), priceSources: new Set() };
      this.rows.set(id, row);
    }
    row.count += 1;
    row.seconds += record.windowSeconds;
    const sums = spec.sums;
    for (let i = 0; i < sums.length; i++) row.sums[i] = (row.sums[i] as number) + (sums[i] as (typeof sums)[number]).get(record);
    row.priceSources.add(record.priceSource);
  }

  result(): RollupRow[] {
    return [...this.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  }
}

/** Sums a batch's records per bucket and key (see RollupAccumulator). */
export function summarize<T extends Rollable>(spec: RollupSpec<T>, records: readonly T[]): RollupRow[] {
  const accumulator = new RollupAccumulator(spec);
  for (const record of records) accumulator.add(record);
  return accumulator.result();
}

/**
 * The statement that merges summed rows into a rollup table: one INSERT of
 * unnest()ed column arrays, adding to the row of the same bucket and key when
 * it exists. Price sources merge as a sorted set, as array_agg(DISTINCT ...
 * ORDER BY ...) gives on the TimescaleDB path.
 */
export function upsertStatement(spec: RollupSpec<never>): string {
  const keyNames = spec.keys.map((k) => k.name);
  const sumNames = spec.sums.map((s) => s.name);
  const inputs = [
    'bucket_start timestamptz',
    ...keyNames.map((k) => `${k} text`),
    'record_count bigint',
    `${spec.secondsColumn} bigint`,
    ...sumNames.map((s) => `${s} float8`),
    'price_sources text',
  ];
  const arrays = inputs.map((input, i) => `$${i + 1}::${input.split(' ')[1] as string}[]`);
  const columns = inputs.map((input) => input.split(' ')[0] as string);
  const sorted = (expr: string) => `ARRAY(SELECT DISTINCT s FROM unnest(${expr}) AS s ORDER BY s)`;
  const selected = columns.map((c) => (c === 'price_sources' ? sorted('u.price_sources::text[]') : `u.${c}`));
  const additive = ['record_count', spec.secondsColumn, ...sumNames].map((c) => `${c} = ${spec.table}.${c} + EXCLUDED.${c}`);
  return `INSERT INTO ${spec.table} (${columns.join(', ')})
SELECT ${selected.join(', ')}
FROM unnest(${arrays.join(', ')}) AS u(${columns.join(', ')})
ON CONFLICT (${[...keyNames, 'bucket_start'].join(', ')}) DO UPDATE SET
  ${[...additive, `price_sources = ${sorted(`${spec.table}.price_sources || EXCLUDED.price_sources`)}`].join(',\n  ')}`;
}

/** The parameters of upsertStatement for summed rows: one array per column. */
export function upsertParameters(spec: RollupSpec<never>, rows: readonly RollupRow[]): unknown[][] {
  return [
    rows.map((r) => new Date(r.bucketStart).toISOString()),
    ...spec.keys.map((_, i) => rows.map((r) => r.keys[i])),
    rows.map((r) => r.count),
    rows.map((r) => r.seconds),
    ...spec.sums.map((_, i) => rows.map((r) => r.sums[i])),
    rows.map((r) => textArrayLiteral([...r.priceSources])),
  ];
}
