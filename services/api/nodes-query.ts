import { oneOf, FORMATS, STEPS, type Format, type Step } from './allocation-params.js';
import { chooseRelation, filterCondition, measureList, timeConditions } from './allocation-planner.js';
import { parseFilter, type FilterClause } from './filter.js';
import { ParameterError } from './parameter-error.js';
import { NODE_DAILY, NODE_DESCRIPTORS, NODE_HOURLY, NODE_RAW } from './relations.js';
import { scopeConditions, type Scope } from './scope.js';
import { bucketExpression, SqlParams, whereClause, type SqlQuery } from './sql-params.js';
import { checkTextParams } from './text-param.js';
import { DAY_MILLIS, HOUR_MILLIS, resolveWindow, type TimeWindow } from './time-window.js';

export interface NodesQuery {
  readonly window: TimeWindow;
  readonly step: Step;
  readonly filter: readonly FilterClause[];
  readonly format: Format;
}

/** One node over one step: its cost, what containers were charged, what stayed idle, and its capacity. */
export interface NodeRow {
  cluster: string;
  node: string;
  instanceType: string;
  capacityType: string;
  start: string;
  end: string;
  costUsd: number;
  cpuCostUsd: number;
  memoryCostUsd: number;
  gpuCostUsd: number;
  allocatedCostUsd: number;
  cpuIdleCostUsd: number;
  memoryIdleCostUsd: number;
  gpuIdleCostUsd: number;
  idleCostUsd: number;
  onDemandCostUsd: number;
  spotSavingsUsd: number;
  /** Allocatable capacity averaged over the row's span (a node present half the time counts half). */
  cpuCoresAvg: number;
  memoryBytesAvg: number;
  gpuCountAvg: number;
  priceSources: string[];
  records: number;
}

const STEP_MILLIS = { none: 0, '1h': HOUR_MILLIS, '1d': DAY_MILLIS } as const;

/** Compiles the /v1/nodes query string; only cluster and node filter clauses make sense for nodes. */
export function compileNodesQuery(params: { window?: string; step?: string; filter?: string; format?: string }, nowMillis: number): NodesQuery {
  checkTextParams(params);
  const filter = parseFilter(params.filter ?? '');
  const other = filter.find((c) => c.field !== 'cluster' && c.field !== 'node');
  if (other) throw new ParameterError('filter', `nodes can be filtered by cluster and node only, not by ${other.field}`);
  return {
    window: resolveWindow(params.window ?? '24h', nowMillis),
    step: oneOf('step', params.step ?? 'none', STEPS),
    filter,
    format: oneOf('format', params.format ?? 'json', FORMATS),
  };
}

/** The nodes of the window, of the clusters whose node costs the scope holds. */
export function planNodes(query: NodesQuery, maxRows: number, scope: Scope): { source: string; grainMillis: number; stepMillis: number; query: SqlQuery } {
  const stepMillis = STEP_MILLIS[query.step];
  const relation = chooseRelation(query.window, stepMillis, true, [NODE_RAW, NODE_HOURLY, NODE_DAILY]);
  const params = new SqlParams();
  const select: string[] = [];
  if (stepMillis > 0) select.push(`${bucketExpression(relation.timeColumn, stepMillis, relation.grainMillis, params)} AS bucket`);
  select.push('cluster', 'node_name', ...NODE_DESCRIPTORS);
  const groupCount = select.length;
  select.push(...measureList(relation), `${relation.priceSources} AS price_sources`);
  const conditions = [...timeConditions(relation, query.window, params), ...scopeConditions(scope, { cluster: 'cluster' }, params), ...query.filter.map((c) => filterCondition(relation, c, params))];
  const positions = Array.from({ length: groupCount }, (_, i) => String(i + 1)).join(', ');
  const text = [
    `SELECT ${select.join(', ')}`,
    `FROM ${relation.name}`,
    whereClause(conditions),
    `GROUP BY ${positions}`,
    `ORDER BY ${positions}`,
    `LIMIT ${params.add(maxRows + 1, '::int')}`,
  ].join('\n');
  return { source: relation.name, grainMillis: relation.grainMillis, stepMillis, query: { text, values: params.values } };
}

export function toNodeRow(query: NodesQuery, stepMillis: number, row: Record<string, unknown>): NodeRow {
  let startMillis = query.window.startMillis;
  let endMillis = query.window.endMillis;
  if (stepMillis > 0) {
    const bucket = new Date(row.bucket as Date | string).getTime();
    startMillis = Math.max(bucket, startMillis);
    endMillis = Math.min(bucket + stepMillis, endMillis);
  }
  const span = (endMillis - startMillis) / 1000;
  const n = (alias: string) => Number(row[alias] ?? 0);
  return {
    cluster: String(row.cluster),
    node: String(row.node_name),
    instanceType: String(row.instance_type),
    capacityType: String(row.capacity_type),
    start: new Date(startMillis).toISOString(),
    end: new Date(endMillis).toISOString(),
    costUsd: n('cost_usd'),
    cpuCostUsd: n('cpu_cost_usd'),
    memoryCostUsd: n('memory_cost_usd'),
    gpuCostUsd: n('gpu_cost_usd'),
    allocatedCostUsd: n('cpu_allocated_cost_usd') + n('memory_allocated_cost_usd') + n('gpu_allocated_cost_usd'),
    cpuIdleCostUsd: n('cpu_idle_cost_usd'),
    memoryIdleCostUsd: n('memory_idle_cost_usd'),
    gpuIdleCostUsd: n('gpu_idle_cost_usd'),
    idleCostUsd: n('idle_cost_usd'),
    onDemandCostUsd: n('on_demand_cost_usd'),
    spotSavingsUsd: n('spot_savings_usd'),
    cpuCoresAvg: n('cpu_core_seconds') / span,
    memoryBytesAvg: n('memory_byte_seconds') / span,
    gpuCountAvg: n('gpu_seconds') / span,
    priceSources: typeof row.price_sources === 'string' && row.price_sources !== '' ? [...new Set(row.price_sources.split(','))].sort() : [],
    records: n('record_count'),
  };
}
