import type { CostAnomaly, NodeCost, PodCost, PriceUpdate, RecordTypes, SchemaName } from '../codec/records.generated.js';
import { fieldEncoder } from '../db/copy-text.js';
import { BILLING_LINE_TABLE } from './billing-table.js';
import { RECOMMENDATION_HISTORY_TABLE } from './recommendation-table.js';
import { col, type TableSpec } from './table-spec.js';

export type { ColumnSpec, TableSpec } from './table-spec.js';

export const POD_COST_TABLE: TableSpec<'PodCost'> = {
  table: 'pod_cost',
  schema: 'PodCost',
  partitionTime: (r) => r.windowStart,
  columns: [
    col<PodCost>('cluster', 'text', (r) => r.cluster),
    col<PodCost>('namespace', 'text', (r) => r.namespace),
    col<PodCost>('pod_uid', 'text', (r) => r.podUid),
    col<PodCost>('pod_name', 'text', (r) => r.podName),
    col<PodCost>('container', 'text', (r) => r.container),
    col<PodCost>('node_name', 'text', (r) => r.nodeName),
    col<PodCost>('workload_kind', 'text', (r) => r.workloadKind),
    col<PodCost>('workload_name', 'text', (r) => r.workloadName),
    col<PodCost>('labels', 'jsonb', (r) => r.labels),
    col<PodCost>('window_start', 'timestamptz', (r) => r.windowStart),
    col<PodCost>('window_seconds', 'int4', (r) => r.windowSeconds),
    col<PodCost>('cpu_request_cores', 'float8', (r) => r.cpuRequestCores),
    col<PodCost>('cpu_usage_cores_avg', 'float8', (r) => r.cpuUsageCoresAvg),
    col<PodCost>('cpu_allocated_cores', 'float8', (r) => r.cpuAllocatedCores),
    col<PodCost>('memory_request_bytes', 'float8', (r) => r.memoryRequestBytes),
    col<PodCost>('memory_usage_bytes_avg', 'float8', (r) => r.memoryUsageBytesAvg),
    col<PodCost>('memory_working_set_max_bytes', 'float8', (r) => r.memoryWorkingSetMaxBytes, true),
    col<PodCost>('memory_allocated_bytes', 'float8', (r) => r.memoryAllocatedBytes),
    col<PodCost>('gpu_request', 'float8', (r) => r.gpuRequest),
    col<PodCost>('gpu_allocated', 'float8', (r) => r.gpuAllocated),
    col<PodCost>('cpu_cost_usd', 'float8', (r) => r.cpuCostUsd),
    col<PodCost>('memory_cost_usd', 'float8', (r) => r.memoryCostUsd),
    col<PodCost>('gpu_cost_usd', 'float8', (r) => r.gpuCostUsd),
    col<PodCost>('storage_cost_usd', 'float8', (r) => r.storageCostUsd),
    col<PodCost>('network_cost_usd', 'float8', (r) => r.networkCostUsd),
    col<PodCost>('total_cost_usd', 'float8', (r) => r.totalCostUsd),
    col<PodCost>('on_demand_cost_usd', 'float8', (r) => r.onDemandCostUsd),
    col<PodCost>('spot_savings_usd', 'float8', (r) => r.spotSavingsUsd),
    col<PodCost>('capacity_type', 'text', (r) => r.capacityType),
    col<PodCost>('instance_type', 'text', (r) => r.instanceType),
    col<PodCost>('region', 'text', (r) => r.region),
    col<PodCost>('price_source', 'text', (r) => r.priceSource),
    col<PodCost>('price_effective_from', 'timestamptz', (r) => r.priceEffectiveFrom, true),
    col<PodCost>('flags', 'text[]', (r) => r.flags),
    col<PodCost>('volumes', 'jsonb', (r) => r.volumes),
  ],
};

export const NODE_COST_TABLE: TableSpec<'NodeCost'> = {
  table: 'node_cost',
  schema: 'NodeCost',
  partitionTime: (r) => r.windowStart,
  columns: [
    col<NodeCost>('cluster', 'text', (r) => r.cluster),
    col<NodeCost>('node_name', 'text', (r) => r.nodeName),
    col<NodeCost>('node_uid', 'text', (r) => r.nodeUid),
    col<NodeCost>('provider', 'text', (r) => r.provider),
    col<NodeCost>('instance_type', 'text', (r) => r.instanceType),
    col<NodeCost>('region', 'text', (r) => r.region),
    col<NodeCost>('zone', 'text', (r) => r.zone),
    col<NodeCost>('capacity_type', 'text', (r) => r.capacityType),
    col<NodeCost>('window_start', 'timestamptz', (r) => r.windowStart),
    col<NodeCost>('window_seconds', 'int4', (r) => r.windowSeconds),
    col<NodeCost>('cpu_cores', 'float8', (r) => r.cpuCores),
    col<NodeCost>('memory_bytes', 'float8', (r) => r.memoryBytes),
    col<NodeCost>('gpu_count', 'float8', (r) => r.gpuCount),
    col<NodeCost>('cpu_cost_usd', 'float8', (r) => r.cpuCostUsd),
    col<NodeCost>('memory_cost_usd', 'float8', (r) => r.memoryCostUsd),
    col<NodeCost>('gpu_cost_usd', 'float8', (r) => r.gpuCostUsd),
    col<NodeCost>('cost_usd', 'float8', (r) => r.costUsd),
    col<NodeCost>('cpu_allocated_cost_usd', 'float8', (r) => r.cpuAllocatedCostUsd),
    col<NodeCost>('memory_allocated_cost_usd', 'float8', (r) => r.memoryAllocatedCostUsd),
    col<NodeCost>('gpu_allocated_cost_usd', 'float8', (r) => r.gpuAllocatedCostUsd),
    col<NodeCost>('cpu_idle_cost_usd', 'float8', (r) => r.cpuIdleCostUsd),
    col<NodeCost>('memory_idle_cost_usd', 'float8', (r) => r.memoryIdleCostUsd),
    col<NodeCost>('gpu_idle_cost_usd', 'float8', (r) => r.gpuIdleCostUsd),
    col<NodeCost>('idle_cost_usd', 'float8', (r) => r.idleCostUsd),
    col<NodeCost>('on_demand_cost_usd', 'float8', (r) => r.onDemandCostUsd),
    col<NodeCost>('spot_savings_usd', 'float8', (r) => r.spotSavingsUsd),
    col<NodeCost>('price_source', 'text', (r) => r.priceSource),
    col<NodeCost>('price_effective_from', 'timestamptz', (r) => r.priceEffectiveFrom, true),
    col<NodeCost>('flags', 'text[]', (r) => r.flags),
    col<NodeCost>('provider_id', 'text', (r) => r.providerId, true),
  ],
};

export const COST_ANOMALY_TABLE: TableSpec<'CostAnomaly'> = {
  table: 'cost_anomaly',
  schema: 'CostAnomaly',
  partitionTime: (r) => r.windowStart,
  columns: [
    col<CostAnomaly>('cluster', 'text', (r) => r.cluster),
    col<CostAnomaly>('scope', 'text', (r) => r.scope),
    col<CostAnomaly>('key', 'text', (r) => r.key),
    col<CostAnomaly>('namespace', 'text', (r) => r.namespace),
    col<CostAnomaly>('window_start', 'timestamptz', (r) => r.windowStart),
    col<CostAnomaly>('window_seconds', 'int4', (r) => r.windowSeconds),
    col<CostAnomaly>('observed_hourly_usd', 'float8', (r) => r.observedHourlyUsd),
    col<CostAnomaly>('expected_hourly_usd', 'float8', (r) => r.expectedHourlyUsd),
    col<CostAnomaly>('score', 'float8', (r) => r.score),
    col<CostAnomaly>('direction', 'text', (r) => r.direction),
    col<CostAnomaly>('severity', 'text', (r) => r.severity),
    col<CostAnomaly>('baseline_hours', 'int4', (r) => r.baselineHours),
    col<CostAnomaly>('detected_at', 'timestamptz', (r) => r.detectedAt),
  ],
};

export const PRICE_HISTORY_TABLE: TableSpec<'PriceUpdate'> = {
  table: 'price_history',
  schema: 'PriceUpdate',
  partitionTime: (r) => r.observedAt,
  columns: [
    col<PriceUpdate>('provider', 'text', (r) => r.provider),
    col<PriceUpdate>('region', 'text', (r) => r.region),
    col<PriceUpdate>('zone', 'text', (r) => r.zone, true),
    col<PriceUpdate>('kind', 'text', (r) => r.kind),
    col<PriceUpdate>('sku', 'text', (r) => r.sku),
    col<PriceUpdate>('capacity_type', 'text', (r) => r.capacityType),
    col<PriceUpdate>('effective_from', 'timestamptz', (r) => r.effectiveFrom),
    col<PriceUpdate>('hourly_usd', 'float8', (r) => r.hourlyUsd, true),
    col<PriceUpdate>('cpu_core_hour_usd', 'float8', (r) => r.cpuCoreHourUsd, true),
    col<PriceUpdate>('memory_gib_hour_usd', 'float8', (r) => r.memoryGibHourUsd, true),
    col<PriceUpdate>('gpu_hour_usd', 'float8', (r) => r.gpuHourUsd, true),
    col<PriceUpdate>('storage_gib_month_usd', 'float8', (r) => r.storageGibMonthUsd, true),
    col<PriceUpdate>('network_gib_usd', 'float8', (r) => r.networkGibUsd, true),
    col<PriceUpdate>('discount', 'float8', (r) => r.discount),
    col<PriceUpdate>('source', 'text', (r) => r.source),
    col<PriceUpdate>('source_ref', 'text', (r) => r.sourceRef, true),
    col<PriceUpdate>('observed_at', 'timestamptz', (r) => r.observedAt),
    col<PriceUpdate>('vcpus', 'float8', (r) => r.vcpus, true),
    col<PriceUpdate>('memory_bytes', 'int8', (r) => r.memoryBytes, true),
    col<PriceUpdate>('gpus', 'float8', (r) => r.gpus, true),
    col<PriceUpdate>('architecture', 'text', (r) => r.architecture, true),
  ],
};

/** Every raw table the sink can load, by the schema of its records. */
export const TABLES_BY_SCHEMA = {
  PodCost: POD_COST_TABLE,
  NodeCost: NODE_COST_TABLE,
  CostAnomaly: COST_ANOMALY_TABLE,
  PriceUpdate: PRICE_HISTORY_TABLE,
  Recommendation: RECOMMENDATION_HISTORY_TABLE,
  BillingLine: BILLING_LINE_TABLE,
} as const;

/** Schemas whose table keeps the latest record per Kafka key, and whose tombstones delete a key. */
export const KEYED_SCHEMAS: ReadonlySet<LoadedSchema> = new Set(['Recommendation', 'BillingLine']);

export type LoadedSchema = keyof typeof TABLES_BY_SCHEMA;

const encoders = new WeakMap<TableSpec<never>, (record: never) => string>();

/** One record as a line of COPY text format, columns in the spec's order. */
export function encodeRow<N extends SchemaName>(spec: TableSpec<N>, record: RecordTypes[N]): string {
  const key = spec as unknown as TableSpec<never>;
  let encode = encoders.get(key);
  if (!encode) {
    const columns = spec.columns.map((column) => ({ get: column.get, encode: fieldEncoder(column.kind) }));
    encode = (value: never) => {
      let line = '';
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i] as (typeof columns)[number];
        line += (i === 0 ? '' : '\t') + column.encode(column.get(value));
      }
      return `${line}\n`;
    };
    encoders.set(key, encode);
  }
  return encode(record as never);
}

/** Column names in COPY order. */
export function columnNames<N extends SchemaName>(spec: TableSpec<N>): string[] {
  return spec.columns.map((c) => c.name);
}
