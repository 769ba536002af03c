import { oneOf, type AllocationParams, type AllocationQuery } from './allocation-params.js';
import { chooseRelation, filterCondition, planAllocation, timeConditions, type AllocationPlan } from './allocation-planner.js';
import { parseFilter, type FilterClause } from './filter.js';
import { ParameterError } from './parameter-error.js';
import { COST_BASES, type CostBasis } from './reconciled-allocation.js';
import { NODE_DAILY, NODE_DESCRIPTORS, NODE_HOURLY, NODE_RAW } from './relations.js';
import { requireNodeCosts, scopeConditions, type Scope } from './scope.js';
import { bucketExpression, SqlParams, whereClause, type SqlQuery } from './sql-params.js';
import { checkTextParams } from './text-param.js';
import { DAY_MILLIS, HOUR_MILLIS, isAligned, resolveWindow, type TimeWindow } from './time-window.js';

export const FOCUS_AGGREGATES = ['namespace', 'workload'] as const;
export const FOCUS_STEPS = ['1d', '1h'] as const;
export const FOCUS_IDLE_MODES = ['include', 'hide'] as const;
export const FOCUS_FORMATS = ['csv', 'parquet'] as const;
export type FocusFormat = (typeof FOCUS_FORMATS)[number];

/** The raw query string of /v1/focus, after JSON-schema validation (all strings): the allocation API's. */
export type FocusParams = AllocationParams;

/** A validated /v1/focus request. `idle` absent: include when the caller may see node costs, hide otherwise. */
export interface FocusQuery {
  readonly window: TimeWindow;
  readonly aggregate: (typeof FOCUS_AGGREGATES)[number];
  readonly step: (typeof FOCUS_STEPS)[number];
  readonly filter: readonly FilterClause[];
  readonly idle?: (typeof FOCUS_IDLE_MODES)[number];
  readonly format: FocusFormat;
  /** list: kcost's prices (pod_cost and node_cost rollups); reconciled: the tables of kcost reconcile (focus-reconciled-query.ts). */
  readonly costBasis: CostBasis;
}

export const FOCUS_DEFAULTS = { window: 'yesterday', aggregate: 'workload', step: '1d', format: 'csv', costBasis: 'list' } as const;

/** The filter fields of a reconciled export: the coordinates the reconciled tables share. */
const RECONCILED_FILTER_FIELDS = ['cluster', 'namespace'];

/** Compiles /v1/focus parameters; any bad value throws a ParameterError naming it. */
export function compileFocusQuery(params: FocusParams, nowMillis: number): FocusQuery {
  checkTextParams(params);
  const query: FocusQuery = {
    window: resolveWindow(params.window ?? FOCUS_DEFAULTS.window, nowMillis),
    aggregate: oneOf('aggregate', params.aggregate ?? FOCUS_DEFAULTS.aggregate, FOCUS_AGGREGATES),
    step: oneOf('step', params.step ?? FOCUS_DEFAULTS.step, FOCUS_STEPS),
    filter: parseFilter(params.filter ?? ''),
    format: oneOf('format', params.format ?? FOCUS_DEFAULTS.format, FOCUS_FORMATS),
    costBasis: oneOf('costBasis', params.costBasis ?? FOCUS_DEFAULTS.costBasis, COST_BASES),
  };
  if (query.costBasis === 'reconciled') checkReconciledFocus(query);
  return params.idle === undefined ? query : { ...query, idle: oneOf('idle', params.idle, FOCUS_IDLE_MODES) };
}

/** Refuses what the reconciled tables (one figure per UTC day) cannot answer, naming the parameter, as /v1/allocation does. */
function checkReconciledFocus(query: FocusQuery): void {
  if (query.step !== '1d') throw new ParameterError('step', 'costBasis=reconciled has daily figures (reconciliation is per UTC day): step 1d');
  if (!isAligned(query.window, DAY_MILLIS)) throw new ParameterError('window', 'costBasis=reconciled answers whole UTC days: give a window such as 7d, month or a pair of UTC midnights');
  for (const clause of query.filter) {
    if (!RECONCILED_FILTER_FIELDS.includes(clause.field)) throw new ParameterError('filter', `costBasis=reconciled filters on ${RECONCILED_FILTER_FIELDS.join(' and ')} only, not ${clause.field}`);
  }
}

/** Whether an export holds idle rows: asked for (a 403 without node costs), or by default for a caller given node costs. */
export function exportsIdle(query: FocusQuery, scope: Scope): boolean {
  if (query.idle === 'include') requireNodeCosts(scope, 'idle=include: idle cost');
  return query.idle === 'include' || (query.idle === undefined && scope.grants.some((g) => g.nodeCosts));
}

/** The idle statement of an export: node idle cost per bucket, cluster, node, instance type and capacity type. */
export interface FocusIdlePlan {
  readonly source: string;
  readonly query: SqlQuery;
}

/** What answering an export takes: the allocation statement (the allocation API's own plan), and the idle one when idle is in. */
export interface FocusPlan {
  /** The allocation request the rows are exactly the rows of (aggregate cluster plus namespace or workload, step, filter). */
  readonly allocation: AllocationQuery;
  readonly pods: AllocationPlan;
  readonly idle?: FocusIdlePlan;
}

const STEP_MILLIS = { '1d': DAY_MILLIS, '1h': HOUR_MILLIS } as const;

/**
 * Plans an export within the caller's scope. The allocation rows are those
 * of /v1/allocation?aggregate=cluster,<aggregate>&step=<step> with the same
 * filter, statement and all, so the two never disagree. Idle is added per
 * node only for a scope that holds node costs (a 403 when asked for
 * explicitly without them); like the allocation API's idle, only cluster and
 * node filter clauses narrow it: idle belongs to no namespace.
 */
export function planFocus(query: FocusQuery, maxRows: number, scope: Scope): FocusPlan {
  const allocation: AllocationQuery = {
    window: query.window,
    aggregate: [{ dimension: 'cluster' }, { dimension: query.aggregate }],
    step: query.step,
    filter: query.filter,
    idle: 'hide',
    format: 'json',
  };
  const pods = planAllocation(allocation, maxRows, scope);
  return exportsIdle(query, scope) ? { allocation, pods, idle: planFocusIdle(query, maxRows, scope) } : { allocation, pods };
}

function planFocusIdle(query: FocusQuery, maxRows: number, scope: Scope): FocusIdlePlan {
  const stepMillis = STEP_MILLIS[query.step];
  const relation = chooseRelation(query.window, stepMillis, true, [NODE_RAW, NODE_HOURLY, NODE_DAILY]);
  const params = new SqlParams();
  const groups = [`${bucketExpression(relation.timeColumn, stepMillis, relation.grainMillis, params)} AS bucket`, 'cluster', 'node_name', ...NODE_DESCRIPTORS];
  const measures = ['cpu_idle_cost_usd', 'memory_idle_cost_usd', 'gpu_idle_cost_usd', 'seconds'].map((m) => `(${relation.measures[m] ?? 'NULL'})::float8 AS ${m}`);
  const conditions = [
    ...timeConditions(relation, query.window, params),
    ...scopeConditions(scope, { cluster: 'cluster' }, params),
    ...query.filter.filter((c) => c.field === 'cluster' || c.field === 'node').map((c) => filterCondition(relation, c, params)),
  ];
  const positions = groups.map((_g, i) => String(i + 1)).join(', ');
  const text = [
    `SELECT ${[...groups, ...measures, `${relation.priceSources} AS price_sources`].join(', ')}`,
    `FROM ${relation.name}`,
    whereClause(conditions),
    `GROUP BY ${positions}`,
    `ORDER BY ${positions}`,
    `LIMIT ${params.add(maxRows + 1, '::int')}`,
  ].join('\n');
  return { source: relation.name, query: { text, values: params.values } };
}
