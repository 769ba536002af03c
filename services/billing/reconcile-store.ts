// The database edge of reconciliation: which UTC days' inputs changed since
// they were last reconciled, a day's inputs, and replacing a day's
// reconciled rows in one transaction. Recompute-and-replace per day is what
// makes a restated day follow exactly once: the stored rows are a function
// of the day's current inputs, whatever was delivered or retried before.
import type { SqlClient } from '../db/sql-client.js';
import type { ExternalRules } from './external.js';
import { dayShare, reconcileDay, type DayLine, type NodeDay, type PodDay, type ReconciledDay } from './reconcile.js';
import type { VolumeShare } from './volumes.js';
import { instanceIdOfProviderId } from '../collector/bill/line-identity.js';

const DAY_MILLIS = 86_400_000;

/** One database session: a node-postgres pool or client, or PGlite (the TimescaleDB-path test). */
export type ReconcileSession = Pick<SqlClient, 'query'>;

/** Where a day's session comes from (a node-postgres pool): its transaction and advisory lock stay on it. */
export interface ReconcileDatabase extends ReconcileSession {
  connect(): Promise<ReconcileSession & { release(): void }>;
}
/**
 * Part of every day's digest: raised when what a day's rows hold changes
 * (2: billed volumes replace the pods' list storage, sql/0015), so that the
 * next pass recomputes every day of the lookback with the new rule.
 */
const ROWS_VERSION = 2;

/** A UTC day whose inputs differ from those it was last reconciled with. */
export interface ChangedDay {
  readonly dayMillis: number;
  readonly digest: string;
}

/**
 * The UTC days in [fromMillis, toMillis) whose digest of inputs (the
 * billing lines charged in the day, the node and pod cost rows of the day,
 * and the rules) differs from the stored one, including days whose inputs
 * are all gone (digest '', their rows are removed). Cost sums are rounded
 * to micro-dollars: a parallel plan may add the floats in another order, and
 * a digest that flapped would recompute days nothing changed in.
 */
export async function changedDays(db: ReconcileSession, fromMillis: number, toMillis: number, rules: ExternalRules): Promise<ChangedDay[]> {
  const result = await db.query<{ day: string; digest: string }>(
    `WITH days AS (
  SELECT s AS day_start, s + interval '1 day' AS day_end FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 day', interval '1 day') AS s
), bill AS (
  SELECT d.day_start, string_agg(b.key || '=' || b.effective_cost::text || '@' || b.charge_period_start::text || '/' || b.charge_period_end::text, ',' ORDER BY b.key) AS part
  FROM days d JOIN billing_line b ON b.charge_period_start < d.day_end AND (b.charge_period_end > d.day_start OR (b.charge_period_end <= b.charge_period_start AND b.charge_period_start >= d.day_start))
  GROUP BY d.day_start
), nodes AS (
  SELECT date_bin('1 day', window_start, '2000-01-01T00:00:00Z') AS day_start, count(*)::text || ':' || round(sum(cost_usd)::numeric, 6)::text || ':' || count(provider_id)::text AS part
  FROM node_cost WHERE window_start >= $1::timestamptz AND window_start < $2::timestamptz GROUP BY 1
), pods AS (
  SELECT date_bin('1 day', window_start, '2000-01-01T00:00:00Z') AS day_start, count(*)::text || ':' || round(sum(total_cost_usd)::numeric, 6)::text AS part
  FROM pod_cost WHERE window_start >= $1::timestamptz AND window_start < $2::timestamptz GROUP BY 1
), current AS (
  SELECT d.day_start,
    CASE WHEN b.part IS NULL AND n.part IS NULL AND p.part IS NULL THEN '' ELSE md5($3 || '|' || coalesce(b.part, '') || '|' || coalesce(n.part, '') || '|' || coalesce(p.part, '')) END AS digest
  FROM days d LEFT JOIN bill b USING (day_start) LEFT JOIN nodes n USING (day_start) LEFT JOIN pods p USING (day_start)
)
SELECT to_char(c.day_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, c.digest
FROM current c LEFT JOIN reconciled_day r ON r.day = (c.day_start AT TIME ZONE 'UTC')::date
WHERE c.digest IS DISTINCT FROM coalesce(r.inputs_digest, '')
ORDER BY 1`,
    [new Date(fromMillis).toISOString(), new Date(toMillis).toISOString(), `${ROWS_VERSION}|${JSON.stringify(rules)}`],
  );
  return result.rows.map((r) => ({ dayMillis: Date.parse(`${r.day}T00:00:00Z`), digest: r.digest }));
}

/** The node and pod costs and billing lines of the UTC day starting at `dayMillis`. */
export async function loadDay(db: ReconcileSession, dayMillis: number): Promise<{ nodes: NodeDay[]; pods: PodDay[]; lines: DayLine[] }> {
  const range = [new Date(dayMillis).toISOString(), new Date(dayMillis + DAY_MILLIS).toISOString()];
  const nodes = await db.query<{ cluster: string; node_name: string; provider_id: string | null; cost: number }>(
    `SELECT cluster, node_name, max(provider_id) AS provider_id, sum(cost_usd) AS cost
FROM node_cost WHERE window_start >= $1 AND window_start < $2 GROUP BY cluster, node_name ORDER BY cluster, node_name`,
    range,
  );
  const pods = await db.query<{ cluster: string; node_name: string; namespace: string; workload_kind: string; workload_name: string; compute: number; storage: number; network: number }>(
    `SELECT cluster, node_name, namespace, workload_kind, workload_name,
  sum(cpu_cost_usd + memory_cost_usd + gpu_cost_usd) AS compute, sum(storage_cost_usd) AS storage, sum(network_cost_usd) AS network
FROM pod_cost WHERE window_start >= $1 AND window_start < $2
GROUP BY cluster, node_name, namespace, workload_kind, workload_name ORDER BY 1, 2, 3, 4, 5`,
    range,
  );
  // The per-volume breakdown (PodCost v4 names each volume's disk); rows without one have '[]'.
  const volumes = await db.query<{ cluster: string; node_name: string; namespace: string; workload_kind: string; workload_name: string; volume_id: string; cost: number }>(
    `SELECT cluster, node_name, namespace, workload_kind, workload_name, v->>'providerVolumeId' AS volume_id, sum((v->>'costUsd')::float8) AS cost
FROM pod_cost CROSS JOIN LATERAL jsonb_array_elements(volumes) AS v
WHERE window_start >= $1 AND window_start < $2 AND volumes <> '[]'::jsonb AND coalesce(v->>'providerVolumeId', '') <> ''
GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
    range,
  );
  const volumesOf = new Map<string, VolumeShare[]>();
  for (const r of volumes.rows) {
    const key = [r.cluster, r.node_name, r.namespace, r.workload_kind, r.workload_name].join('\u0000');
    volumesOf.set(key, [...(volumesOf.get(key) ?? []), { providerVolumeId: r.volume_id, listCostUsd: Number(r.cost) }]);
  }
  const lines = await db.query<{ start: Date; end: Date; effective_cost: number; instance_id: string | null; resource_id: string | null; service_name: string; tags: Record<string, string> }>(
    `SELECT charge_period_start AS start, charge_period_end AS end, effective_cost, instance_id, resource_id, service_name, tags
FROM billing_line
WHERE charge_period_start < $2 AND (charge_period_end > $1 OR (charge_period_end <= charge_period_start AND charge_period_start >= $1))
ORDER BY key`,
    range,
  );
  return {
    nodes: nodes.rows.map((r) => ({ cluster: r.cluster, nodeName: r.node_name, instanceId: r.provider_id ? instanceIdOfProviderId(r.provider_id) : null, listCostUsd: Number(r.cost) })),
    pods: pods.rows.map((r) => ({
      cluster: r.cluster,
      nodeName: r.node_name,
      namespace: r.namespace,
      workloadKind: r.workload_kind,
      workloadName: r.workload_name,
      computeCostUsd: Number(r.compute),
      storageCostUsd: Number(r.storage),
      networkCostUsd: Number(r.network),
      volumes: volumesOf.get([r.cluster, r.node_name, r.namespace, r.workload_kind, r.workload_name].join('\u0000')) ?? [],
    })),
    lines: lines.rows.map((r) => ({
      instanceId: r.instance_id,
      resourceId: r.resource_id,
      serviceName: r.service_name,
      tags: r.tags,
      effectiveCostUsd: Number(r.effective_cost) * dayShare(r.start.getTime(), r.end.getTime(), dayMillis),
    })),
  };
}

const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);

/** Replaces the day's reconciled rows by `day` (inside the caller's transaction); an empty digest removes the day. */
export async function replaceDay(db: ReconcileSession, dayMillis: number, digest: string, day: ReconciledDay, nowMillis: number): Promise<void> {
  const date = new Date(dayMillis).toISOString().slice(0, 10);
  for (const table of ['reconciled_node_cost_daily', 'reconciled_pod_cost_daily', 'reconciled_volume_cost_daily', 'external_cost_daily', 'reconciled_day']) {
    await db.query(`DELETE FROM ${table} WHERE day = $1::date`, [date]);
  }
  if (digest === '') return;
  const { nodes, pods, external, volumes } = day;
  await db.query(
    `INSERT INTO reconciled_node_cost_daily (day, cluster, node_name, instance_id, status, factor, list_cost_usd, reconciled_cost_usd, adjustment_usd, list_idle_cost_usd, reconciled_idle_cost_usd)
SELECT $1::date, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::float8[])`,
    [date, nodes.map((n) => n.cluster), nodes.map((n) => n.nodeName), nodes.map((n) => n.instanceId), nodes.map((n) => n.status), nodes.map((n) => n.factor), nodes.map((n) => n.listCostUsd), nodes.map((n) => n.reconciledCostUsd), nodes.map((n) => n.reconciledCostUsd - n.listCostUsd), nodes.map((n) => n.listIdleCostUsd), nodes.map((n) => n.reconciledIdleCostUsd)],
  );
  await db.query(
    `INSERT INTO reconciled_pod_cost_daily (day, cluster, node_name, namespace, workload_kind, workload_name, list_cost_usd, reconciled_cost_usd, reconciled_compute_cost_usd, list_storage_cost_usd, reconciled_storage_cost_usd)
SELECT $1::date, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::float8[])`,
    [date, pods.map((p) => p.cluster), pods.map((p) => p.nodeName), pods.map((p) => p.namespace), pods.map((p) => p.workloadKind), pods.map((p) => p.workloadName), pods.map((p) => p.listCostUsd), pods.map((p) => p.reconciledCostUsd),
      pods.map((p) => p.reconciledComputeCostUsd), pods.map((p) => p.listStorageCostUsd), pods.map((p) => p.reconciledStorageCostUsd)],
  );
  await db.query(
    `INSERT INTO reconciled_volume_cost_daily (day, cluster, volume_id, list_cost_usd, billed_cost_usd)
SELECT $1::date, * FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[])`,
    [date, volumes.map((v) => v.cluster), volumes.map((v) => v.volumeId), volumes.map((v) => v.listCostUsd), volumes.map((v) => v.billedCostUsd)],
  );
  await db.query(
    `INSERT INTO external_cost_daily (day, cluster, namespace, service_name, attribution, cost_usd)
SELECT $1::date, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[])`,
    [date, external.map((e) => e.cluster), external.map((e) => e.namespace), external.map((e) => e.serviceName), external.map((e) => e.attribution), external.map((e) => e.costUsd)],
  );
  await db.query(
    `INSERT INTO reconciled_day (day, inputs_digest, reconciled_at, billed_effective_cost_usd, node_list_cost_usd, node_reconciled_cost_usd, external_cost_usd, volume_list_cost_usd, volume_billed_cost_usd)
VALUES ($1::date, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [date, digest, new Date(nowMillis).toISOString(), day.billedEffectiveCostUsd, sum(nodes.map((n) => n.listCostUsd)), sum(nodes.map((n) => n.reconciledCostUsd)), sum(external.map((e) => e.costUsd)),
      sum(volumes.map((v) => v.listCostUsd)), sum(volumes.map((v) => v.billedCostUsd))],
  );
}

export interface ReconcileOptions {
  readonly fromMillis: number;
  readonly toMillis: number;
  readonly rules: ExternalRules;
  readonly nowMillis: number;
}

/**
 * Reconciles every day in the range whose inputs changed, each in its own
 * transaction under a per-day advisory lock (two reconcilers never
 * interleave on a day); returns the days it replaced.
 */
export async function reconcileChangedDays(pool: ReconcileDatabase, options: ReconcileOptions): Promise<number[]> {
  const replaced: number[] = [];
  for (const changed of await changedDays(pool, options.fromMillis, options.toMillis, options.rules)) {
    const client = await pool.connect();
    const lockKey = Math.floor(changed.dayMillis / DAY_MILLIS);
    try {
      // The session lock is taken before the transaction, so its snapshot sees what another reconciler committed for the day.
      await client.query("SELECT pg_advisory_lock(hashtext('kcost.reconcile'), $1)", [lockKey]);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      // Read in one snapshot: the digest is recomputed so what is stored matches what was read.
      const [fresh] = await changedDays(client, changed.dayMillis, changed.dayMillis + DAY_MILLIS, options.rules);
      if (fresh !== undefined) {
        const inputs = await loadDay(client, changed.dayMillis);
        await replaceDay(client, changed.dayMillis, fresh.digest, reconcileDay(inputs.nodes, inputs.pods, inputs.lines, options.rules), options.nowMillis);
        replaced.push(changed.dayMillis);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('kcost.reconcile'), $1)", [lockKey]).catch(() => undefined);
      client.release();
    }
  }
  return replaced;
}
