// /v1/allocation?costBasis=reconciled: per cluster, namespace, workload or
// node, the cost reconciled with the cloud bill (kcost reconcile,
// docs/billing.md) beside its list-price figure, the out-of-cluster
// (external) cost allocated to the namespace, and the reconciled idle
// (idle=include as __idle__ rows, idle=share spread over the pods of each
// node-day). The reconciled tables are daily, so this basis answers whole
// UTC days only; the default basis (list) is untouched.
import type { AllocationQuery } from './allocation-params.js';
import { IDLE_NAME, UNALLOCATED } from './allocation-rows.js';
import { csvLine } from './csv.js';
import { ParameterError } from './parameter-error.js';
import type { RowCursor } from './row-cursor.js';
import { RowReader } from './row-cursor.js';
import { scopeConditions, type Scope, type ScopeColumns } from './scope.js';
import { clauseCondition, SqlParams, textOf, type SqlQuery } from './sql-params.js';
import { DAY_MILLIS, isAligned } from './time-window.js';

export const COST_BASES = ['list', 'reconciled'] as const;
export type CostBasis = (typeof COST_BASES)[number];

const DIMENSIONS = ['cluster', 'namespace', 'workload', 'node'] as const;
type Dimension = (typeof DIMENSIONS)[number];
const FILTER_FIELDS = ['cluster', 'namespace'] as const;

/**
 * External cost belongs to a namespace, not to a workload or node: grouped
 * by workload or node it lies on a row of this name (per namespace and
 * cluster when those are grouped too), so every grouping sums to the same total.
 */
export const EXTERNAL_NAME = '__external__';

/**
 * The scope columns of external_cost_daily. `__unallocated__` rows are cost
 * no rule gave to a namespace: like idle, they are shown only to callers
 * given node costs, never to a team as if they were its namespace's.
 */
export const EXTERNAL_SCOPE: ScopeColumns = { cluster: 'cluster', namespace: `NULLIF(namespace, '${UNALLOCATED}')` };

/** One row of a reconciled allocation. */
export interface ReconciledRow {
  name: string;
  properties: { cluster?: string; namespace?: string; node?: string; controllerKind?: string; controller?: string };
  start: string;
  end: string;
  /** The pods' cost at list prices (what costBasis=list answers as totalCostUsd, less idle). */
  listCostUsd: number;
  /** The pods' cost after reconciliation: compute scaled by their node-day factors, storage and network at list. */
  reconciledCostUsd: number;
  /** Out-of-cluster billing lines allocated to the row (external_cost_daily). */
  externalCostUsd: number;
  /** Reconciled idle: on __idle__ rows (idle=include, and what idle=share could not share), or the pods' share of it (idle=share). */
  idleCostUsd: number;
  /** reconciledCostUsd + externalCostUsd + idleCostUsd. */
  totalCostUsd: number;
}

export const RECONCILED_COST_FIELDS = ['listCostUsd', 'reconciledCostUsd', 'externalCostUsd', 'idleCostUsd', 'totalCostUsd'] as const;

/** Refuses what the reconciled tables cannot answer, naming the parameter. */
export function checkReconciledQuery(query: AllocationQuery): readonly Dimension[] {
  if (!isAligned(query.window, DAY_MILLIS)) throw new ParameterError('window', 'costBasis=reconciled answers whole UTC days (reconciliation is per day): give a window such as 7d, month or a pair of UTC midnights');
  const dimensions = query.aggregate.map((a) => a.dimension);
  for (const d of dimensions) {
    if (!(DIMENSIONS as readonly string[]).includes(d)) throw new ParameterError('aggregate', `costBasis=reconciled groups by ${DIMENSIONS.join(', ')} only, not ${JSON.stringify(d)}`);
  }
  for (const clause of query.filter) {
    if (!(FILTER_FIELDS as readonly string[]).includes(clause.field)) throw new ParameterError('filter', `costBasis=reconciled filters on ${FILTER_FIELDS.join(' and ')} only, not ${clause.field}`);
  }
  if (query.step === '1h') throw new ParameterError('step', 'costBasis=reconciled has daily figures: step none or 1d');
  return dimensions as Dimension[];
}

/** The first and last-exclusive UTC day of a day-aligned window, as bind parameters. */
export function dayRange(query: { window: { startMillis: number; endMillis: number } }, params: SqlParams): { from: string; to: string } {
  return {
    from: params.add(new Date(query.window.startMillis).toISOString().slice(0, 10), '::date'),
    to: params.add(new Date(query.window.endMillis).toISOString().slice(0, 10), '::date'),
  };
}

/**
 * The statement of a reconciled allocation, within the caller's scope, at
 * most maxRows + 1 rows. Pods, external cost and idle are unioned with their
 * coordinates (external cost with node and workload __external__, idle
 * with no namespace or workload) and grouped by the dimensions asked for.
 * idle=share gives each pod row of a node-day the node-day's reconciled idle
 * × its reconciled cost / the reconciled cost of all the node-day's pods
 * (all of them, whatever the caller may see, so a team gets its share and
 * no more); a node-day whose pods cost nothing keeps its idle on an
 * __idle__ row, so the total is the same as with idle=include.
 */
export function planReconciled(query: AllocationQuery, scope: Scope, maxRows: number): SqlQuery {
  const dimensions = checkReconciledQuery(query);
  const params = new SqlParams();
  const { from, to } = dayRange(query, params);
  const inWindow = (alias = '') => [`${alias}day >= ${from}`, `${alias}day < ${to}`];
  const namespaced = (columns: ScopeColumns): string => {
    const conditions = [...inWindow(), ...scopeConditions(scope, columns, params)];
    for (const clause of query.filter) conditions.push(clauseCondition(clause, clause.field, params));
    return conditions.join(' AND ');
  };
  const ofNodes = (): string => {
    const conditions = [...inWindow(), ...scopeConditions(scope, { cluster: 'cluster' }, params)];
    for (const clause of query.filter) if (clause.field === 'cluster') conditions.push(clauseCondition(clause, 'cluster', params));
    return conditions.join(' AND ');
  };
  const columns = 'day, idle, cluster, namespace, node_name, workload_kind, workload_name, list, reconciled, external, idle_cost';
  const parts = [`SELECT day, false, cluster, namespace, '${EXTERNAL_NAME}', '', '${EXTERNAL_NAME}', 0, 0, cost_usd, 0 FROM external_cost_daily WHERE ${namespaced(EXTERNAL_SCOPE)}`];
  if (query.idle === 'share') {
    parts.unshift(
      `SELECT day, false, cluster, namespace, node_name, workload_kind, workload_name, p.list_cost_usd, p.reconciled_cost_usd, 0,
  CASE WHEN node_pods > 0 THEN coalesce(n.reconciled_idle_cost_usd, 0) * p.reconciled_cost_usd / node_pods ELSE 0 END
FROM (SELECT *, sum(reconciled_cost_usd) OVER (PARTITION BY day, cluster, node_name) AS node_pods FROM reconciled_pod_cost_daily WHERE ${inWindow().join(' AND ')}) AS p
LEFT JOIN reconciled_node_cost_daily AS n USING (day, cluster, node_name)
WHERE ${namespaced({ cluster: 'cluster', namespace: 'namespace' })}`,
    );
    parts.push(
      `SELECT day, true, cluster, NULL, node_name, NULL, NULL, 0, 0, 0, reconciled_idle_cost_usd FROM reconciled_node_cost_daily AS n WHERE ${ofNodes()}
  AND coalesce((SELECT sum(p.reconciled_cost_usd) FROM reconciled_pod_cost_daily AS p WHERE p.day = n.day AND p.cluster = n.cluster AND p.node_name = n.node_name), 0) <= 0`,
    );
  } else {
    parts.unshift(`SELECT day, false, cluster, namespace, node_name, workload_kind, workload_name, list_cost_usd, reconciled_cost_usd, 0, 0 FROM reconciled_pod_cost_daily WHERE ${namespaced({ cluster: 'cluster', namespace: 'namespace' })}`);
    if (query.idle === 'include') parts.push(`SELECT day, true, cluster, NULL, node_name, NULL, NULL, 0, 0, 0, reconciled_idle_cost_usd FROM reconciled_node_cost_daily WHERE ${ofNodes()}`);
  }
  const bucket = query.step === '1d' ? 'day' : `${from}`;
  const keys = dimensions.flatMap((d) => KEY_COLUMNS[d]);
  const selectKeys = keys.map((k, i) => `, ${k} AS g${i}`).join('');
  const groupKeys = keys.map((_k, i) => `, g${i}`).join('');
  return {
    text: `SELECT to_char(${bucket}, 'YYYY-MM-DD') AS bucket, idle${selectKeys}, sum(list)::float8 AS list, sum(reconciled)::float8 AS reconciled, sum(external)::float8 AS external, sum(idle_cost)::float8 AS idle_cost
FROM (${parts.join('\nUNION ALL ')}) AS t (${columns})
GROUP BY bucket, idle${groupKeys}
ORDER BY bucket, idle${groupKeys}
LIMIT ${params.add(maxRows + 1, '::int')}`,
    values: params.values,
  };
}

/** The columns each dimension groups by, in the order toReconciledRow reads them. */
const KEY_COLUMNS: Readonly<Record<Dimension, readonly string[]>> = {
  cluster: ['cluster'],
  namespace: ['namespace'],
  workload: ['namespace', 'workload_kind', 'workload_name'],
  node: ['node_name'],
};

/** The API row of a database row of planReconciled's statement. */
export function toReconciledRow(query: AllocationQuery, row: Record<string, unknown>): ReconciledRow {
  const dimensions = query.aggregate.map((a) => a.dimension as Dimension);
  const value = (i: number): string | undefined => {
    const v = row[`g${i}`];
    return v === null || v === undefined ? undefined : textOf(v);
  };
  const properties: ReconciledRow['properties'] = {};
  let at = 0;
  for (const d of dimensions) {
    if (d === 'workload') {
      assign(properties, 'namespace', value(at));
      assign(properties, 'controllerKind', value(at + 1));
      assign(properties, 'controller', value(at + 2));
    } else assign(properties, d === 'node' ? 'node' : d, value(at));
    at += KEY_COLUMNS[d].length;
  }
  const idle = row.idle === true;
  const part = (v: string | undefined) => (v === undefined || v === '' ? UNALLOCATED : v);
  const nameOf = (d: Dimension): string => {
    switch (d) {
      case 'workload':
        if (properties.controller === EXTERNAL_NAME) return `${part(properties.namespace)}/${EXTERNAL_NAME}`;
        return properties.controllerKind || properties.controller ? `${part(properties.namespace)}/${part(properties.controllerKind)}/${part(properties.controller)}` : `${part(properties.namespace)}/${UNALLOCATED}`;
      case 'node':
        return part(properties.node);
      default:
        return part(properties[d]);
    }
  };
  const name = idle
    ? [...(properties.cluster !== undefined ? [part(properties.cluster)] : []), ...(properties.node !== undefined ? [properties.node] : []), IDLE_NAME].join('/')
    : dimensions.map(nameOf).join('/');
  const startMillis = query.step === '1d' ? Math.max(new Date(`${String(row.bucket)}T00:00:00Z`).getTime(), query.window.startMillis) : query.window.startMillis;
  const endMillis = query.step === '1d' ? Math.min(startMillis + DAY_MILLIS, query.window.endMillis) : query.window.endMillis;
  const n = (alias: string) => Number(row[alias] ?? 0);
  return {
    name,
    properties,
    start: new Date(startMillis).toISOString(),
    end: new Date(endMillis).toISOString(),
    listCostUsd: n('list'),
    reconciledCostUsd: n('reconciled'),
    externalCostUsd: n('external'),
    idleCostUsd: n('idle_cost'),
    totalCostUsd: n('reconciled') + n('external') + n('idle_cost'),
  };
}

function assign(properties: ReconciledRow['properties'], key: keyof ReconciledRow['properties'], value: string | undefined): void {
  if (value !== undefined) properties[key] = value;
}

/** The CSV columns of the row's coordinates: workload is its namespace, kind and name. */
function propertyColumns(dimensions: readonly Dimension[]): Array<keyof ReconciledRow['properties']> {
  const columns: Array<keyof ReconciledRow['properties']> = [];
  for (const d of dimensions) {
    const wanted: Array<keyof ReconciledRow['properties']> = d === 'workload' ? ['namespace', 'controllerKind', 'controller'] : [d];
    for (const c of wanted) if (!columns.includes(c)) columns.push(c);
  }
  return columns;
}

/** The answer, JSON or CSV, rendered as the rows are read. */
export async function* reconciledPieces(query: AllocationQuery, head: Readonly<Record<string, unknown>>, rows: RowCursor): AsyncGenerator<string> {
  const columns = propertyColumns(query.aggregate.map((a) => a.dimension as Dimension));
  const totals = Object.fromEntries(RECONCILED_COST_FIELDS.map((f) => [f, 0])) as Record<(typeof RECONCILED_COST_FIELDS)[number], number>;
  const csv = query.format === 'csv';
  yield csv ? csvLine(['name', 'start', 'end', ...columns, ...RECONCILED_COST_FIELDS]) : `${JSON.stringify(head).slice(0, -1)},"rows":[`;
  const reader = new RowReader(rows);
  let first = true;
  for (let row = await reader.peek(); row !== undefined; row = await reader.peek()) {
    reader.take();
    const out = toReconciledRow(query, row);
    for (const field of RECONCILED_COST_FIELDS) totals[field] += out[field];
    if (csv) yield csvLine([out.name, out.start, out.end, ...columns.map((c) => out.properties[c]), ...RECONCILED_COST_FIELDS.map((f) => out[f])]);
    else {
      yield first ? JSON.stringify(out) : `,${JSON.stringify(out)}`;
      first = false;
    }
  }
  if (!csv) yield `],"totals":${JSON.stringify(totals)}}`;
}
