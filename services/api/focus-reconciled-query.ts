// The statement of GET /v1/focus?costBasis=reconciled: the tables kcost
// reconcile writes (docs/billing.md), as three kinds of rows that never hold
// the same dollar twice. Per UTC day, a node's billed cost is exactly its
// pods' reconciled compute plus its reconciled idle, and the bill's other
// lines are in external_cost_daily once each; so allocation rows
// (reconciled_pod_cost_daily per namespace or workload), idle rows
// (reconciled_node_cost_daily per node) and external rows (per namespace,
// service and attribution) add up to the allocation API's reconciled
// total with idle=include, and, for days the bill covers, to the bill's
// EffectiveCost (plus what the bill does not hold: storage, network and
// unbilled nodes at list).
import type { FocusQuery } from './focus-query.js';
import { dayRange, EXTERNAL_SCOPE } from './reconciled-allocation.js';
import { scopeConditions, type Scope, type ScopeColumns } from './scope.js';
import { clauseCondition, SqlParams, type SqlQuery } from './sql-params.js';

/** The `part` column: which kind of row a database row is, in the order the export writes them. */
export const RECONCILED_PARTS = { allocation: 0, external: 1, idle: 2 } as const;

/**
 * One statement (one cursor, one --max-rows bound) of every row of the
 * export, ordered by part, day and coordinates. Allocation and external
 * rows are within the caller's namespaces (external `__unallocated__` only
 * with node costs, as idle); idle rows only when `withIdle`, of the
 * clusters the caller has node costs for. Container-hours and node-hours
 * (FOCUS PricingQuantity) and the list price sources come from the daily
 * rollups of the same coordinates; a service's FOCUS ServiceCategory from
 * its billing lines in the window.
 */
export function planReconciledFocus(query: FocusQuery, maxRows: number, scope: Scope, withIdle: boolean): SqlQuery {
  const params = new SqlParams();
  const { from, to } = dayRange(query, params);
  const fromTime = params.add(new Date(query.window.startMillis).toISOString(), '::timestamptz');
  const toTime = params.add(new Date(query.window.endMillis).toISOString(), '::timestamptz');
  const days = [`day >= ${from}`, `day < ${to}`];
  const buckets = [`bucket_start >= ${fromTime}`, `bucket_start < ${toTime}`];
  const namespaced = (columns: ScopeColumns): string[] => [...scopeConditions(scope, columns, params), ...query.filter.map((c) => clauseCondition(c, c.field, params))];
  const podScope = namespaced({ cluster: 'cluster', namespace: 'namespace' });
  const byWorkload = query.aggregate === 'workload';
  const workload = byWorkload ? 'workload_kind, workload_name' : 'NULL::text AS workload_kind, NULL::text AS workload_name';
  const workloadJoin = byWorkload ? ' AND p.workload_kind = r.workload_kind AND p.workload_name = r.workload_name' : '';
  const utcDay = "(bucket_start AT TIME ZONE 'UTC')::date";
  const listSources = "string_agg(DISTINCT array_to_string(price_sources, ','), ',')";

  const allocation = `SELECT ${RECONCILED_PARTS.allocation} AS part, r.day, r.cluster, r.namespace, r.workload_kind, r.workload_name, NULL::text AS node_name, NULL::text AS service_name, NULL::text AS attribution, NULL::text AS service_category,
  r.list, r.cost, r.billed, r.unbilled, coalesce(p.seconds, 0)::float8 AS seconds, p.price_sources, NULL::text AS instance_type, NULL::text AS capacity_type, NULL::text AS status
FROM (
  SELECT day, cluster, namespace, ${workload}, sum(list_cost_usd) AS list, sum(reconciled_cost_usd) AS cost,
    bool_or(status IN ('BILLED', 'ALL_IDLE')) AS billed, bool_or(status IS NULL OR status = 'UNBILLED') AS unbilled
  FROM (SELECT * FROM reconciled_pod_cost_daily WHERE ${[...days, ...podScope].join(' AND ')}) AS pods
  LEFT JOIN (SELECT day, cluster, node_name, status FROM reconciled_node_cost_daily WHERE ${days.join(' AND ')}) AS nodes USING (day, cluster, node_name)
  GROUP BY 1, 2, 3, 4, 5
) AS r
LEFT JOIN (
  SELECT ${utcDay} AS day, cluster, namespace, ${workload}, sum(container_seconds) AS seconds, ${listSources} AS price_sources
  FROM pod_cost_daily WHERE ${[...buckets, ...podScope].join(' AND ')}
  GROUP BY 1, 2, 3, 4, 5
) AS p ON p.day = r.day AND p.cluster = r.cluster AND p.namespace = r.namespace${workloadJoin}`;

  const external = `SELECT ${RECONCILED_PARTS.external}, e.day, e.cluster, e.namespace, NULL, NULL, NULL, e.service_name, e.attribution, c.service_category,
  e.cost_usd, e.cost_usd, true, false, 0, NULL, NULL, NULL, NULL
FROM (SELECT * FROM external_cost_daily WHERE ${[...days, ...namespaced(EXTERNAL_SCOPE)].join(' AND ')}) AS e
LEFT JOIN (
  SELECT service_name, min(service_category) AS service_category FROM billing_line
  WHERE charge_period_start < ${toTime} AND charge_period_end > ${fromTime} AND service_category IS NOT NULL GROUP BY 1
) AS c ON c.service_name = e.service_name`;

  const parts = [allocation, external];
  if (withIdle) {
    const nodeScope = [...scopeConditions(scope, { cluster: 'cluster' }, params), ...query.filter.filter((c) => c.field === 'cluster').map((c) => clauseCondition(c, 'cluster', params))];
    parts.push(`SELECT ${RECONCILED_PARTS.idle}, n.day, n.cluster, NULL, NULL, NULL, n.node_name, NULL, NULL, NULL,
  n.list_idle_cost_usd, n.reconciled_idle_cost_usd, n.status <> 'UNBILLED', n.status = 'UNBILLED', coalesce(d.seconds, 0), d.price_sources, d.instance_type, d.capacity_type, n.status
FROM (SELECT * FROM reconciled_node_cost_daily WHERE ${[...days, ...nodeScope].join(' AND ')}) AS n
LEFT JOIN (
  SELECT ${utcDay} AS day, cluster, node_name, max(instance_type) AS instance_type, max(capacity_type) AS capacity_type, sum(node_seconds) AS seconds, ${listSources} AS price_sources
  FROM node_cost_daily WHERE ${buckets.join(' AND ')} GROUP BY 1, 2, 3
) AS d ON d.day = n.day AND d.cluster = n.cluster AND d.node_name = n.node_name`);
  }
  return {
    text: `SELECT part, to_char(day, 'YYYY-MM-DD') AS day, cluster, namespace, workload_kind, workload_name, node_name, service_name, attribution, service_category,
  list::float8 AS list, cost::float8 AS cost, billed, unbilled, seconds::float8 AS seconds, price_sources, instance_type, capacity_type, status
FROM (${parts.join('\nUNION ALL\n')}) AS t
ORDER BY part, t.day, cluster, namespace, workload_kind, workload_name, node_name, service_name, attribution
LIMIT ${params.add(maxRows + 1, '::int')}`,
    values: params.values,
  };
}
