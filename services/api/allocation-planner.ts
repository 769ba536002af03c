import type { AllocationQuery, Aggregate } from './allocation-params.js';
import type { FilterClause, FilterField } from './filter.js';
import { NODE_DAILY, NODE_HOURLY, NODE_RAW, POD_DAILY, POD_HOURLY, POD_RAW, type GroupKey, type Relation } from './relations.js';
import { scopeConditions, type Scope } from './scope.js';
import { bucketExpression, clauseCondition, SqlParams, whereClause, type SqlQuery } from './sql-params.js';
import { DAY_MILLIS, HOUR_MILLIS, isAligned, type TimeWindow } from './time-window.js';

/** One grouping column of the plan's statement, selected as g<index>. */
export interface PlanKey {
  readonly key: GroupKey;
  readonly labelKey?: string;
}

/** The idle side of an allocation: node idle cost per bucket and idle scope. */
export interface IdlePlan {
  readonly source: string;
  /** What idle is grouped by besides the bucket: cluster and/or node_name when the rows are. */
  readonly scope: ReadonlyArray<'cluster' | 'node_name'>;
  readonly query: SqlQuery;
}

/** Everything needed to answer an allocation request: statements, and how to read their rows. */
export interface AllocationPlan {
  /** The relation the rows come from: pod_cost, pod_cost_hourly or pod_cost_daily. */
  readonly source: string;
  /** Bucket length of that relation; 0 for raw rows. */
  readonly grainMillis: number;
  readonly keys: readonly PlanKey[];
  readonly stepMillis: number;
  readonly query: SqlQuery;
  readonly idle?: IdlePlan;
}

const KEYS_OF_AGGREGATE: Readonly<Record<Exclude<Aggregate['dimension'], 'label'>, readonly GroupKey[]>> = {
  cluster: ['cluster'],
  node: ['node_name'],
  namespace: ['namespace'],
  workload: ['namespace', 'workload_kind', 'workload_name'],
  controllerKind: ['workload_kind'],
  pod: ['namespace', 'pod_name'],
  container: ['namespace', 'pod_name', 'container'],
};

const KEY_OF_FILTER: Readonly<Record<FilterField, GroupKey>> = {
  cluster: 'cluster',
  node: 'node_name',
  namespace: 'namespace',
  workload: 'workload_name',
  controllerKind: 'workload_kind',
  pod: 'pod_name',
  container: 'container',
  label: 'label',
};

const STEP_MILLIS = { none: 0, '1h': HOUR_MILLIS, '1d': DAY_MILLIS } as const;

/** The grouping columns of an aggregate list, each once, in first-mentioned order. */
export function planKeys(aggregate: readonly Aggregate[]): PlanKey[] {
  const keys: PlanKey[] = [];
  for (const item of aggregate) {
    const wanted: PlanKey[] = item.dimension === 'label' ? [{ key: 'label', labelKey: item.labelKey ?? '' }] : KEYS_OF_AGGREGATE[item.dimension].map((key) => ({ key }));
    for (const key of wanted) {
      if (!keys.some((k) => k.key === key.key && k.labelKey === key.labelKey)) keys.push(key);
    }
  }
  return keys;
}

/**
 * The finest-grained relation a query can be answered from: daily rollups
 * when the window is whole UTC days (and the step is not hourly), hourly
 * rollups when it is whole hours, raw rows otherwise. Rollups only hold
 * cluster, namespace and workload, so node, pod, container and label
 * aggregates or filters always read raw rows.
 */
export function chooseRelation(window: TimeWindow, stepMillis: number, rollupsHaveKeys: boolean, relations: readonly [Relation, Relation, Relation]): Relation {
  const [raw, hourly, daily] = relations;
  if (!rollupsHaveKeys) return raw;
  if (stepMillis !== HOUR_MILLIS && isAligned(window, DAY_MILLIS)) return daily;
  if (isAligned(window, HOUR_MILLIS)) return hourly;
  return raw;
}

/**
 * Turns a validated allocation request into parameterized statements, kept
 * within the caller's scope (its rows and idle alike). Pure: no I/O.
 */
export function planAllocation(query: AllocationQuery, maxRows: number, scope: Scope): AllocationPlan {
  const keys = planKeys(query.aggregate);
  const stepMillis = STEP_MILLIS[query.step];
  const filterKeys = query.filter.map((c) => KEY_OF_FILTER[c.field]);
  const rollupsHaveKeys = [...keys.map((k) => k.key), ...filterKeys].every((key) => POD_HOURLY.columns[key] !== undefined);
  const relation = chooseRelation(query.window, stepMillis, rollupsHaveKeys, [POD_RAW, POD_HOURLY, POD_DAILY]);

  const params = new SqlParams();
  const select: string[] = [];
  if (stepMillis > 0) select.push(`${bucketExpression(relation.timeColumn, stepMillis, relation.grainMillis, params)} AS bucket`);
  keys.forEach((key, i) => select.push(`${keyExpression(relation, key.key, key.labelKey, params)} AS g${i}`));
  const groupCount = select.length;
  select.push(...measureList(relation), `${relation.priceSources} AS price_sources`);
  const conditions = [
    ...timeConditions(relation, query.window, params),
    ...scopeConditions(scope, { cluster: 'cluster', namespace: 'namespace' }, params),
    ...query.filter.map((c) => filterCondition(relation, c, params)),
  ];
  const text = statement(relation, select, conditions, groupCount, params.add(maxRows + 1, '::int'));
  const plan: AllocationPlan = { source: relation.name, grainMillis: relation.grainMillis, keys, stepMillis, query: { text, values: params.values } };
  return query.idle === 'hide' ? plan : { ...plan, idle: planIdle(query, keys, stepMillis, maxRows, scope) };
}

/**
 * Node idle cost over the same buckets, grouped by the rows' cluster and node
 * when the rows carry them. Only cluster and node filters apply: idle belongs
 * to no namespace, workload or label. Only the clusters of grants with node
 * costs: idle belongs to no namespace a team could be given.
 */
function planIdle(query: AllocationQuery, keys: readonly PlanKey[], stepMillis: number, maxRows: number, callerScope: Scope): IdlePlan {
  const relation = chooseRelation(query.window, stepMillis, true, [NODE_RAW, NODE_HOURLY, NODE_DAILY]);
  const scope = (['cluster', 'node_name'] as const).filter((s) => keys.some((k) => k.key === s));
  const params = new SqlParams();
  const select: string[] = [];
  if (stepMillis > 0) select.push(`${bucketExpression(relation.timeColumn, stepMillis, relation.grainMillis, params)} AS bucket`);
  scope.forEach((column, i) => select.push(`${column} AS g${i}`));
  const groupCount = select.length;
  const idleMeasures = ['cpu_idle_cost_usd', 'memory_idle_cost_usd', 'gpu_idle_cost_usd', 'cpu_allocated_cost_usd', 'memory_allocated_cost_usd', 'gpu_allocated_cost_usd'];
  select.push(...idleMeasures.map((m) => `(${relation.measures[m] ?? 'NULL'})::float8 AS ${m}`), `${relation.priceSources} AS price_sources`);
  const conditions = [
    ...timeConditions(relation, query.window, params),
    ...scopeConditions(callerScope, { cluster: 'cluster' }, params),
    ...query.filter.filter((c) => c.field === 'cluster' || c.field === 'node').map((c) => filterCondition(relation, c, params)),
  ];
  return { source: relation.name, scope, query: { text: statement(relation, select, conditions, groupCount, params.add(maxRows + 1, '::int')), values: params.values } };
}

function statement(relation: Relation, select: readonly string[], conditions: readonly string[], groupCount: number, limit: string): string {
  const positions = Array.from({ length: groupCount }, (_, i) => String(i + 1)).join(', ');
  return [
    `SELECT ${select.join(', ')}`,
    `FROM ${relation.name}`,
    whereClause(conditions),
    groupCount > 0 ? `GROUP BY ${positions}` : '',
    'HAVING count(*) > 0',
    groupCount > 0 ? `ORDER BY ${positions}` : '',
    `LIMIT ${limit}`,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** Every measure of the relation, cast to float8 so node-postgres returns numbers, not numeric strings. */
export function measureList(relation: Relation): string[] {
  return Object.entries(relation.measures).map(([alias, expression]) => `(${expression})::float8 AS ${alias}`);
}

export function timeConditions(relation: Relation, window: TimeWindow, params: SqlParams): string[] {
  return [
    `${relation.timeColumn} >= ${params.add(new Date(window.startMillis).toISOString(), '::timestamptz')}`,
    `${relation.timeColumn} < ${params.add(new Date(window.endMillis).toISOString(), '::timestamptz')}`,
  ];
}

export function filterCondition(relation: Relation, clause: FilterClause, params: SqlParams): string {
  return clauseCondition(clause, keyExpression(relation, KEY_OF_FILTER[clause.field], clause.labelKey, params), params);
}

function keyExpression(relation: Relation, key: GroupKey, labelKey: string | undefined, params: SqlParams): string {
  const column = relation.columns[key];
  // The planner chose the relation from the keys, so a missing column is a bug, not bad input.
  if (column === undefined) throw new Error(`${relation.name} has no column for ${key}`);
  return key === 'label' ? `(${column} ->> ${params.add(labelKey, '::text')})` : column;
}
