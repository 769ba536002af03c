import type { Aggregate, AllocationQuery } from './allocation-params.js';
import type { AllocationPlan, PlanKey } from './allocation-planner.js';
import { textOf } from './sql-params.js';

/** One row of /v1/allocation: costs, idle, savings, usage and efficiency of one group over one step. */
export interface AllocationRow {
  name: string;
  properties: AllocationProperties;
  start: string;
  end: string;
  cpuCostUsd: number;
  memoryCostUsd: number;
  gpuCostUsd: number;
  storageCostUsd: number;
  networkCostUsd: number;
  /** Idle cost: the node idle shared to this row (idle=share), or the idle itself on __idle__ rows. */
  idleCostUsd: number;
  /** Sum of the resource costs plus idleCostUsd. */
  totalCostUsd: number;
  onDemandCostUsd: number;
  spotSavingsUsd: number;
  cpuCoresRequestedAvg: number;
  cpuCoresUsedAvg: number;
  memoryBytesRequestedAvg: number;
  memoryBytesUsedAvg: number;
  gpuRequestedAvg: number;
  /** Used / requested core-seconds; null when nothing was requested. */
  cpuEfficiency: number | null;
  memoryEfficiency: number | null;
  /** CPU and memory efficiency weighted by their costs. */
  totalEfficiency: number | null;
  priceSources: string[];
  /** Container windows (pod_cost rows) summed into the row; node windows on __idle__ rows. */
  records: number;
}

export interface AllocationProperties {
  cluster?: string;
  node?: string;
  namespace?: string;
  controllerKind?: string;
  controller?: string;
  pod?: string;
  container?: string;
  labels?: Record<string, string | null>;
}

/** A database row of a plan's statement: bucket, g0..gn, measures, price_sources. */
export type DbRow = Record<string, unknown>;

export const IDLE_NAME = '__idle__';
export const UNALLOCATED = '__unallocated__';

/** The property of each grouping key (labels aside). */
export const PROPERTY_OF: Readonly<Record<Exclude<PlanKey['key'], 'label'>, Exclude<keyof AllocationProperties, 'labels'>>> = {
  cluster: 'cluster',
  node_name: 'node',
  namespace: 'namespace',
  workload_kind: 'controllerKind',
  workload_name: 'controller',
  pod_name: 'pod',
  container: 'container',
};

/**
 * Applies the idle mode to API rows (toRow) and idle groups (toIdle) of the
 * same buckets, in place, and sorts them by start and name. hide leaves idle
 * out; include adds one __idle__ row per bucket and idle scope (cluster and
 * node when the rows are grouped by them); share spreads each resource's
 * idle over the rows of its scope in proportion to their cost of that
 * resource. Idle of a resource nothing in its scope was charged for cannot
 * be shared and stays on an __idle__ row.
 */
export function applyIdle(query: AllocationQuery, plan: AllocationPlan, rows: AllocationRow[], idle: readonly IdleGroup[]): AllocationRow[] {
  if (plan.idle && query.idle !== 'hide') {
    const extra = query.idle === 'include' ? idle.map((i) => idleRow(i, i.cpu, i.memory, i.gpu)) : shareIdle(rows, idle, plan.idle.scope);
    for (const row of extra) rows.push(row);
  }
  return rows.sort((a, b) => (a.start === b.start ? compare(a.name, b.name) : compare(a.start, b.start)));
}

/** The cost fields of a row, which the totals of an answer sum. */
export const COST_FIELDS = [
  'cpuCostUsd',
  'memoryCostUsd',
  'gpuCostUsd',
  'storageCostUsd',
  'networkCostUsd',
  'idleCostUsd',
  'totalCostUsd',
  'onDemandCostUsd',
  'spotSavingsUsd',
] as const;

/** The API row of one database row of the plan's statement. */
export function toRow(query: AllocationQuery, plan: AllocationPlan, row: DbRow): AllocationRow {
  const { start, end, spanSeconds } = spanOf(query, plan, row);
  const properties = propertiesOf(plan.keys, row);
  const n = (alias: string) => Number(row[alias] ?? 0);
  const cpuEfficiency = ratio(n('cpu_core_seconds_used'), n('cpu_core_seconds_requested'));
  const memoryEfficiency = ratio(n('memory_byte_seconds_used'), n('memory_byte_seconds_requested'));
  return {
    name: nameOf(query.aggregate, properties),
    properties,
    start,
    end,
    cpuCostUsd: n('cpu_cost_usd'),
    memoryCostUsd: n('memory_cost_usd'),
    gpuCostUsd: n('gpu_cost_usd'),
    storageCostUsd: n('storage_cost_usd'),
    networkCostUsd: n('network_cost_usd'),
    idleCostUsd: 0,
    totalCostUsd: n('total_cost_usd'),
    onDemandCostUsd: n('on_demand_cost_usd'),
    spotSavingsUsd: n('spot_savings_usd'),
    cpuCoresRequestedAvg: n('cpu_core_seconds_requested') / spanSeconds,
    cpuCoresUsedAvg: n('cpu_core_seconds_used') / spanSeconds,
    memoryBytesRequestedAvg: n('memory_byte_seconds_requested') / spanSeconds,
    memoryBytesUsedAvg: n('memory_byte_seconds_used') / spanSeconds,
    gpuRequestedAvg: n('gpu_seconds_requested') / spanSeconds,
    cpuEfficiency,
    memoryEfficiency,
    totalEfficiency: weighted([
      [cpuEfficiency, n('cpu_cost_usd')],
      [memoryEfficiency, n('memory_cost_usd')],
    ]),
    priceSources: splitSources(row.price_sources),
    records: n('record_count'),
  };
}

/** The idle cost of one bucket and idle scope, from a row of the plan's idle statement. */
export interface IdleGroup {
  readonly start: string;
  readonly end: string;
  readonly scopeKey: string;
  readonly properties: AllocationProperties;
  readonly cpu: number;
  readonly memory: number;
  readonly gpu: number;
  readonly allocated: { readonly cpu: number; readonly memory: number; readonly gpu: number };
  readonly priceSources: string[];
}

/** The idle group of one database row of the plan's idle statement. */
export function toIdle(query: AllocationQuery, plan: AllocationPlan, row: DbRow): IdleGroup {
  const { start, end } = spanOf(query, plan, row);
  const scope = plan.idle?.scope ?? [];
  const properties: AllocationProperties = {};
  scope.forEach((column, i) => (properties[column === 'cluster' ? 'cluster' : 'node'] = textOf(row[`g${i}`])));
  const n = (alias: string) => Number(row[alias] ?? 0);
  return {
    start,
    end,
    scopeKey: scopeKeyOf(start, scope, properties),
    properties,
    cpu: n('cpu_idle_cost_usd'),
    memory: n('memory_idle_cost_usd'),
    gpu: n('gpu_idle_cost_usd'),
    allocated: { cpu: n('cpu_allocated_cost_usd'), memory: n('memory_allocated_cost_usd'), gpu: n('gpu_allocated_cost_usd') },
    priceSources: splitSources(row.price_sources),
  };
}

function shareIdle(rows: AllocationRow[], idle: readonly IdleGroup[], scope: ReadonlyArray<'cluster' | 'node_name'>): AllocationRow[] {
  const byScope = new Map<string, AllocationRow[]>();
  for (const row of rows) {
    const key = scopeKeyOf(row.start, scope, row.properties);
    byScope.set(key, [...(byScope.get(key) ?? []), row]);
  }
  const unshared: AllocationRow[] = [];
  for (const group of idle) {
    const members = byScope.get(group.scopeKey) ?? [];
    const left = { cpu: 0, memory: 0, gpu: 0 };
    for (const [resource, field] of [
      ['cpu', 'cpuCostUsd'],
      ['memory', 'memoryCostUsd'],
      ['gpu', 'gpuCostUsd'],
    ] as const) {
      const charged = members.reduce((sum, row) => sum + row[field], 0);
      // Rows filtered out still hold their part of `allocated`; rows of pods on unknown nodes may push the sum above it.
      const basis = Math.max(group.allocated[resource], charged);
      if (basis <= 0) {
        left[resource] = group[resource];
        continue;
      }
      for (const row of members) {
        const share = (group[resource] * row[field]) / basis;
        row.idleCostUsd += share;
        row.totalCostUsd += share;
      }
    }
    if (left.cpu + left.memory + left.gpu > 0) unshared.push(idleRow(group, left.cpu, left.memory, left.gpu));
  }
  return unshared;
}

function idleRow(group: IdleGroup, cpu: number, memory: number, gpu: number): AllocationRow {
  const scopeNames = [group.properties.cluster, group.properties.node].filter((v): v is string => v !== undefined);
  return {
    name: [...scopeNames, IDLE_NAME].join('/'),
    properties: group.properties,
    start: group.start,
    end: group.end,
    cpuCostUsd: cpu,
    memoryCostUsd: memory,
    gpuCostUsd: gpu,
    storageCostUsd: 0,
    networkCostUsd: 0,
    idleCostUsd: cpu + memory + gpu,
    totalCostUsd: cpu + memory + gpu,
    onDemandCostUsd: 0,
    spotSavingsUsd: 0,
    cpuCoresRequestedAvg: 0,
    cpuCoresUsedAvg: 0,
    memoryBytesRequestedAvg: 0,
    memoryBytesUsedAvg: 0,
    gpuRequestedAvg: 0,
    cpuEfficiency: null,
    memoryEfficiency: null,
    totalEfficiency: null,
    priceSources: group.priceSources,
    records: 0,
  };
}

function spanOf(query: AllocationQuery, plan: AllocationPlan, row: DbRow): { start: string; end: string; spanSeconds: number } {
  let startMillis = query.window.startMillis;
  let endMillis = query.window.endMillis;
  if (plan.stepMillis > 0) {
    const bucket = new Date(row.bucket as Date | string).getTime();
    startMillis = Math.max(bucket, startMillis);
    endMillis = Math.min(bucket + plan.stepMillis, endMillis);
  }
  return { start: new Date(startMillis).toISOString(), end: new Date(endMillis).toISOString(), spanSeconds: (endMillis - startMillis) / 1000 };
}

function propertiesOf(keys: readonly PlanKey[], row: DbRow): AllocationProperties {
  const properties: AllocationProperties = {};
  keys.forEach((key, i) => {
    const value = row[`g${i}`];
    if (key.key === 'label') {
      properties.labels = { ...properties.labels, [key.labelKey ?? '']: value === null || value === undefined ? null : textOf(value) };
    } else {
      properties[PROPERTY_OF[key.key]] = textOf(value);
    }
  });
  return properties;
}

/** The row's name: each aggregate's value (workload as namespace/kind/name), joined by "/". */
export function nameOf(aggregate: readonly Aggregate[], p: AllocationProperties): string {
  const part = (value: string | null | undefined) => (value === undefined || value === null || value === '' ? UNALLOCATED : value);
  return aggregate
    .map((item) => {
      switch (item.dimension) {
        case 'cluster':
          return part(p.cluster);
        case 'node':
          return part(p.node);
        case 'namespace':
          return part(p.namespace);
        case 'controllerKind':
          return part(p.controllerKind);
        case 'workload':
          return p.controllerKind || p.controller ? `${part(p.namespace)}/${part(p.controllerKind)}/${part(p.controller)}` : `${part(p.namespace)}/${UNALLOCATED}`;
        case 'pod':
          return `${part(p.namespace)}/${part(p.pod)}`;
        case 'container':
          return `${part(p.namespace)}/${part(p.pod)}/${part(p.container)}`;
        case 'label':
          return part(p.labels?.[item.labelKey ?? '']);
      }
    })
    .join('/');
}

function scopeKeyOf(start: string, scope: ReadonlyArray<'cluster' | 'node_name'>, properties: AllocationProperties): string {
  return JSON.stringify([start, ...scope.map((s) => (s === 'cluster' ? properties.cluster : properties.node))]);
}

function splitSources(value: unknown): string[] {
  if (typeof value !== 'string' || value === '') return [];
  return [...new Set(value.split(','))].sort();
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

function weighted(pairs: ReadonlyArray<readonly [number | null, number]>): number | null {
  let sum = 0;
  let weight = 0;
  for (const [value, w] of pairs) {
    if (value === null || w <= 0) continue;
    sum += value * w;
    weight += w;
  }
  return weight > 0 ? sum / weight : null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
