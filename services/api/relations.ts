// The relations the API reads, with the expressions it may write into SQL.
// Every identifier in a statement comes from these tables; request values are
// always bind parameters.

import { DAY_MILLIS, HOUR_MILLIS } from './time-window.js';

/** Grain 0 is raw rows (a window of any length); otherwise the rollup's bucket length. */
export interface Relation {
  readonly name: string;
  readonly timeColumn: string;
  readonly grainMillis: number;
  /** Output alias → aggregate expression. */
  readonly measures: Readonly<Record<string, string>>;
  /** Group or filter key → column, for the keys this relation has. */
  readonly columns: Readonly<Partial<Record<GroupKey, string>>>;
  /** Aggregate expression of the comma-joined distinct price sources. */
  readonly priceSources: string;
}

/** Keys rows can be grouped or filtered by. `label` is the labels JSON object (raw pod_cost only). */
export type GroupKey = 'cluster' | 'namespace' | 'workload_kind' | 'workload_name' | 'node_name' | 'pod_name' | 'container' | 'label';

const POD_SUMS = [
  'cpu_cost_usd',
  'memory_cost_usd',
  'gpu_cost_usd',
  'storage_cost_usd',
  'network_cost_usd',
  'total_cost_usd',
  'on_demand_cost_usd',
  'spot_savings_usd',
] as const;

const POD_RESOURCE_SECONDS: Readonly<Record<string, string>> = {
  cpu_core_seconds_requested: 'cpu_request_cores',
  cpu_core_seconds_used: 'cpu_usage_cores_avg',
  cpu_core_seconds_allocated: 'cpu_allocated_cores',
  memory_byte_seconds_requested: 'memory_request_bytes',
  memory_byte_seconds_used: 'memory_usage_bytes_avg',
  memory_byte_seconds_allocated: 'memory_allocated_bytes',
  gpu_seconds_requested: 'gpu_request',
  gpu_seconds_allocated: 'gpu_allocated',
};

const sumAll = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, `sum(${n})`]));

const podRollupMeasures = {
  record_count: 'sum(record_count)',
  seconds: 'sum(container_seconds)',
  ...sumAll(Object.keys(POD_RESOURCE_SECONDS)),
  ...sumAll(POD_SUMS),
};

const ROLLUP_KEYS = { cluster: 'cluster', namespace: 'namespace', workload_kind: 'workload_kind', workload_name: 'workload_name' } as const;
const ROLLUP_PRICE_SOURCES = "string_agg(DISTINCT array_to_string(price_sources, ','), ',')";

export const POD_RAW: Relation = {
  name: 'pod_cost',
  timeColumn: 'window_start',
  grainMillis: 0,
  measures: {
    record_count: 'count(*)',
    seconds: 'sum(window_seconds)',
    ...Object.fromEntries(Object.entries(POD_RESOURCE_SECONDS).map(([alias, column]) => [alias, `sum(${column} * window_seconds)`])),
    ...sumAll(POD_SUMS),
  },
  columns: { ...ROLLUP_KEYS, node_name: 'node_name', pod_name: 'pod_name', container: 'container', label: 'labels' },
  priceSources: "string_agg(DISTINCT price_source, ',')",
};

export const POD_HOURLY: Relation = {
  name: 'pod_cost_hourly',
  timeColumn: 'bucket_start',
  grainMillis: HOUR_MILLIS,
  measures: podRollupMeasures,
  columns: ROLLUP_KEYS,
  priceSources: ROLLUP_PRICE_SOURCES,
};

export const POD_DAILY: Relation = { ...POD_HOURLY, name: 'pod_cost_daily', grainMillis: DAY_MILLIS };

const NODE_SUMS = [
  'cpu_cost_usd',
  'memory_cost_usd',
  'gpu_cost_usd',
  'cost_usd',
  'cpu_allocated_cost_usd',
  'memory_allocated_cost_usd',
  'gpu_allocated_cost_usd',
  'cpu_idle_cost_usd',
  'memory_idle_cost_usd',
  'gpu_idle_cost_usd',
  'idle_cost_usd',
  'on_demand_cost_usd',
  'spot_savings_usd',
] as const;

const NODE_KEYS = { cluster: 'cluster', node_name: 'node_name' } as const;

export const NODE_RAW: Relation = {
  name: 'node_cost',
  timeColumn: 'window_start',
  grainMillis: 0,
  measures: {
    record_count: 'count(*)',
    seconds: 'sum(window_seconds)',
    cpu_core_seconds: 'sum(cpu_cores * window_seconds)',
    memory_byte_seconds: 'sum(memory_bytes * window_seconds)',
    gpu_seconds: 'sum(gpu_count * window_seconds)',
    ...sumAll(NODE_SUMS),
  },
  columns: NODE_KEYS,
  priceSources: "string_agg(DISTINCT price_source, ',')",
};

export const NODE_HOURLY: Relation = {
  name: 'node_cost_hourly',
  timeColumn: 'bucket_start',
  grainMillis: HOUR_MILLIS,
  measures: {
    record_count: 'sum(record_count)',
    seconds: 'sum(node_seconds)',
    ...sumAll(['cpu_core_seconds', 'memory_byte_seconds', 'gpu_seconds']),
    ...sumAll(NODE_SUMS),
  },
  columns: NODE_KEYS,
  priceSources: ROLLUP_PRICE_SOURCES,
};

export const NODE_DAILY: Relation = { ...NODE_HOURLY, name: 'node_cost_daily', grainMillis: DAY_MILLIS };

/** Extra columns /v1/nodes groups by besides cluster and node (both present in raw and rollups). */
export const NODE_DESCRIPTORS = ['instance_type', 'capacity_type'] as const;
