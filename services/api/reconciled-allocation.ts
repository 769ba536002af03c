// /v1/allocation?costBasis=reconciled: per cluster and namespace, the cost
// reconciled with the cloud bill (kcost reconcile, docs/billing.md) beside
// its list-price figure, the out-of-cluster (external) cost allocated to
// the namespace, and, with idle=include, the reconciled idle per cluster.
// The reconciled tables are daily and keyed by cluster and namespace, so
// this basis answers whole UTC days and those two dimensions only; the
// default basis (list) is untouched.
import type { AllocationQuery } from './allocation-params.js';
import { UNALLOCATED } from './allocation-rows.js';
import { csvLine } from './csv.js';
import { ParameterError } from './parameter-error.js';
import type { RowCursor } from './row-cursor.js';
import { RowReader } from './row-cursor.js';
import { scopeConditions, type Scope } from './scope.js';
import { clauseCondition, SqlParams, textOf, type SqlQuery } from './sql-params.js';
import { DAY_MILLIS, isAligned } from './time-window.js';

export const COST_BASES = ['list', 'reconciled'] as const;
export type CostBasis = (typeof COST_BASES)[number];

const DIMENSIONS = ['cluster', 'namespace'] as const;
type Dimension = (typeof DIMENSIONS)[number];

/** One row of a reconciled allocation. */
export interface ReconciledRow {
  name: string;
  properties: { cluster?: string; namespace?: string };
  start: string;
  end: string;
  /** The pods' cost at list prices (what costBasis=list answers as totalCostUsd, less idle). */
  listCostUsd: number;
  /** The pods' cost after reconciliation: compute scaled by their node-day factors, storage and network at list. */
  reconciledCostUsd: number;
  /** Out-of-cluster billing lines allocated to the row (external_cost_daily). */
  externalCostUsd: number;
  /** Reconciled idle, on __idle__ rows (idle=include). */
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
    if (!(DIMENSIONS as readonly string[]).includes(d)) throw new ParameterError('aggregate', `costBasis=reconciled groups by ${DIMENSIONS.join(' and ')} only, not ${JSON.stringify(d)}`);
  }
  for (const clause of query.filter) {
    if (!(DIMENSIONS as readonly string[]).includes(clause.field)) throw new ParameterError('filter', `costBasis=reconciled filters on ${DIMENSIONS.join(' and ')} only, not ${clause.field}`);
  }
  if (query.step === '1h') throw new ParameterError('step', 'costBasis=reconciled has daily figures: step none or 1d');
  if (query.idle === 'share') throw new ParameterError('idle', 'costBasis=reconciled shows idle as __idle__ rows (include) or not at all (hide)');
  return dimensions as Dimension[];
}

/** The statement of a reconciled allocation, within the caller's scope. */
export function planReconciled(query: AllocationQuery, scope: Scope): SqlQuery {
  const dimensions = checkReconciledQuery(query);
  const params = new SqlParams();
  const from = params.add(new Date(query.window.startMillis).toISOString().slice(0, 10), '::date');
  const to = params.add(new Date(query.window.endMillis).toISOString().slice(0, 10), '::date');
  const namespaced = (): string => {
    const conditions = [`day >= ${from}`, `day < ${to}`, ...scopeConditions(scope, { cluster: 'cluster', namespace: 'namespace' }, params)];
    for (const clause of query.filter) conditions.push(clauseCondition(clause, clause.field, params));
    return conditions.join(' AND ');
  };
  const parts = [
    `SELECT day, cluster, namespace, false AS idle, list_cost_usd AS list, reconciled_cost_usd AS reconciled, 0::float8 AS external, 0::float8 AS idle_cost FROM reconciled_pod_cost_daily WHERE ${namespaced()}`,
    `SELECT day, cluster, namespace, false, 0, 0, cost_usd, 0 FROM external_cost_daily WHERE ${namespaced()}`,
  ];
  if (query.idle === 'include') {
    const conditions = [`day >= ${from}`, `day < ${to}`, ...scopeConditions(scope, { cluster: 'cluster' }, params)];
    for (const clause of query.filter) if (clause.field === 'cluster') conditions.push(clauseCondition(clause, 'cluster', params));
    parts.push(`SELECT day, cluster, NULL, true, 0, 0, 0, reconciled_idle_cost_usd FROM reconciled_node_cost_daily WHERE ${conditions.join(' AND ')}`);
  }
  const bucket = query.step === '1d' ? 'day' : `${from}`;
  const keys = dimensions.map((d) => (d === 'namespace' ? 'CASE WHEN idle THEN NULL ELSE namespace END' : d));
  const selectKeys = keys.map((k, i) => `, ${k} AS g${i}`).join('');
  const groupKeys = keys.map((_k, i) => `, g${i}`).join('');
  return {
    text: `SELECT to_char(${bucket}, 'YYYY-MM-DD') AS bucket, idle${selectKeys}, sum(list) AS list, sum(reconciled) AS reconciled, sum(external) AS external, sum(idle_cost) AS idle_cost
FROM (${parts.join('\nUNION ALL ')}) AS t
GROUP BY bucket, idle${groupKeys}
ORDER BY bucket, idle${groupKeys}`,
    values: params.values,
  };
}

/** The API row of a database row of planReconciled's statement. */
export function toReconciledRow(query: AllocationQuery, row: Record<string, unknown>): ReconciledRow {
  const dimensions = query.aggregate.map((a) => a.dimension as Dimension);
  const properties: ReconciledRow['properties'] = {};
  dimensions.forEach((d, i) => {
    const value = row[`g${i}`];
    if (value !== null && value !== undefined) properties[d] = textOf(value);
  });
  const idle = row.idle === true;
  const part = (value: string | undefined) => (value === undefined || value === '' ? UNALLOCATED : value);
  const name = idle ? [...(properties.cluster !== undefined ? [part(properties.cluster)] : []), '__idle__'].join('/') : dimensions.map((d) => part(properties[d])).join('/');
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

/** The answer, JSON or CSV, rendered as the rows are read. */
export async function* reconciledPieces(query: AllocationQuery, head: Readonly<Record<string, unknown>>, rows: RowCursor): AsyncGenerator<string> {
  const dimensions = query.aggregate.map((a) => a.dimension as Dimension);
  const totals = Object.fromEntries(RECONCILED_COST_FIELDS.map((f) => [f, 0])) as Record<(typeof RECONCILED_COST_FIELDS)[number], number>;
  const csv = query.format === 'csv';
  yield csv ? csvLine(['name', 'start', 'end', ...dimensions, ...RECONCILED_COST_FIELDS]) : `${JSON.stringify(head).slice(0, -1)},"rows":[`;
  const reader = new RowReader(rows);
  let first = true;
  for (let row = await reader.peek(); row !== undefined; row = await reader.peek()) {
    reader.take();
    const out = toReconciledRow(query, row);
    for (const field of RECONCILED_COST_FIELDS) totals[field] += out[field];
    if (csv) yield csvLine([out.name, out.start, out.end, ...dimensions.map((d) => out.properties[d]), ...RECONCILED_COST_FIELDS.map((f) => out[f])]);
    else {
      yield first ? JSON.stringify(out) : `,${JSON.stringify(out)}`;
      first = false;
    }
  }
  if (!csv) yield `],"totals":${JSON.stringify(totals)}}`;
}
