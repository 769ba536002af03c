import type pg from 'pg';
import type { AdvisedRequests, CatalogEntry, ContainerRequests, NodeHour, OnDemandSpend, PodHour, SpotPricePoint } from './savings-inputs.js';
import { HOUR_MILLIS } from './savings-inputs.js';

/** The kinds `kcost savings` publishes: it retires (tombstones) stored keys of these kinds that it no longer advises. */
export const SAVINGS_KINDS = ['NODE_POOL', 'SPOT_WORKLOAD', 'COMMITMENT', 'ARM_WORKLOAD'] as const;

/**
 * The hour a cluster's advice rests on: the newest stored hour before the
 * newest one (which is likely still filling), or the newest when it is the
 * only one. Null when nothing of the cluster is stored.
 */
export async function adviceHour(db: pg.Pool, cluster: string): Promise<number | null> {
  const { rows } = await db.query<{ newest: Date | null; previous: Date | null }>(
    `SELECT max(bucket_start) AS newest,
            (SELECT max(bucket_start) FROM node_cost_hourly h WHERE h.cluster = $1 AND h.bucket_start < (SELECT max(bucket_start) FROM node_cost_hourly n WHERE n.cluster = $1)) AS previous
       FROM node_cost_hourly WHERE cluster = $1`,
    [cluster],
  );
  const newest = rows[0]?.newest?.getTime();
  if (newest === undefined) return null;
  const previous = rows[0]?.previous?.getTime();
  return previous ?? newest;
}

export async function storedClusters(db: pg.Pool): Promise<string[]> {
  const { rows } = await db.query<{ cluster: string }>('SELECT DISTINCT cluster FROM node_cost_hourly ORDER BY cluster');
  return rows.map((r) => r.cluster);
}

/** Nodes priced in the hour, labels left empty (the kube inventory fills them). */
interface NodeRow {
  node_name: string;
  provider: string;
  instance_type: string;
  capacity_type: string;
  region: string;
  zone: string;
  cpu_cores: number;
  memory_bytes: number;
  gpus: number;
  cost_usd: number;
  on_demand_cost_usd: number;
  priced_seconds: string;
  price_sources: string[];
}

export async function nodesOfHour(db: pg.Pool, cluster: string, hourStart: number): Promise<NodeHour[]> {
  const { rows } = await db.query<NodeRow>(
    `SELECT node_name, provider, instance_type, capacity_type, region, zone,
            max(cpu_cores) AS cpu_cores, max(memory_bytes) AS memory_bytes, max(gpu_count) AS gpus,
            sum(cost_usd) AS cost_usd, sum(on_demand_cost_usd) AS on_demand_cost_usd, sum(window_seconds) AS priced_seconds,
            array_agg(DISTINCT price_source ORDER BY price_source) AS price_sources
       FROM node_cost
      WHERE cluster = $1 AND window_start >= $2 AND window_start < $3
      GROUP BY node_name, provider, instance_type, capacity_type, region, zone
      ORDER BY node_name`,
    [cluster, new Date(hourStart), new Date(hourStart + HOUR_MILLIS)],
  );
  return rows.map((r) => ({
    name: r.node_name,
    provider: r.provider,
    instanceType: r.instance_type,
    capacityType: r.capacity_type,
    region: r.region,
    zone: r.zone,
    cpuCores: Number(r.cpu_cores),
    memoryBytes: Number(r.memory_bytes),
    gpus: Number(r.gpus),
    costUsd: Number(r.cost_usd),
    onDemandCostUsd: Number(r.on_demand_cost_usd),
    pricedSeconds: Number(r.priced_seconds),
    priceSources: r.price_sources,
    labels: {},
  }));
}

/** Pods that ran in the hour: each container's last requests in the hour, the node of its last window, and the pod's cost over the hour. */
interface PodRow {
  pod_uid: string;
  pod_name: string;
  namespace: string;
  node_name: string;
  workload_kind: string;
  workload_name: string;
  labels: Record<string, string> | null;
  container: string;
  cpu_request_cores: number;
  memory_request_bytes: number;
  gpu_request: number;
  volumes: Array<{ persistentVolume?: string | null }> | null;
  pod_cost_usd: number;
}

export async function podsOfHour(db: pg.Pool, cluster: string, hourStart: number): Promise<PodHour[]> {
  const { rows } = await db.query<PodRow>(
    `SELECT DISTINCT ON (pod_uid, container)
            pod_uid, pod_name, namespace, node_name, workload_kind, workload_name, labels, container,
            cpu_request_cores, memory_request_bytes, gpu_request, volumes,
            sum(total_cost_usd) OVER (PARTITION BY pod_uid) AS pod_cost_usd
       FROM pod_cost
      WHERE cluster = $1 AND window_start >= $2 AND window_start < $3
      ORDER BY pod_uid, container, window_start DESC`,
    [cluster, new Date(hourStart), new Date(hourStart + HOUR_MILLIS)],
  );
  const pods = new Map<string, PodHour & { containers: ContainerRequests[]; persistentVolumes: string[] }>();
  for (const r of rows) {
    let pod = pods.get(r.pod_uid);
    if (!pod) {
      pod = {
        uid: r.pod_uid,
        namespace: r.namespace,
        name: r.pod_name,
        nodeName: r.node_name,
        workloadKind: r.workload_kind,
        workloadName: r.workload_name,
        labels: r.labels ?? {},
        containers: [],
        costUsd: Number(r.pod_cost_usd),
        persistentVolumes: [],
      };
      pods.set(r.pod_uid, pod);
    }
    pod.containers.push({ name: r.container, cpuCores: Number(r.cpu_request_cores), memoryBytes: Number(r.memory_request_bytes), gpus: Number(r.gpu_request) });
    for (const v of r.volumes ?? []) {
      if (v.persistentVolume && !pod.persistentVolumes.includes(v.persistentVolume)) pod.persistentVolumes.push(v.persistentVolume);
    }
  }
  return [...pods.values()];
}

/**
 * The newest region-wide price in effect at the end of the hour of every
 * instance type and capacity type but spot (spot is zonal and averaged over
 * the lookback: spotPrices). A source that prices CPU and memory separately
 * (GCP) is turned into a price per node where the shape is known.
 */
interface CatalogRow {
  provider: string;
  region: string;
  sku: string;
  capacity_type: string;
  source: string;
  vcpus: number | null;
  memory_bytes: string | null;
  gpus: number | null;
  architecture: string | null;
  hourly_usd: number | null;
}

export async function catalogAt(db: pg.Pool, atMillis: number): Promise<CatalogEntry[]> {
  const { rows } = await db.query<CatalogRow>(
    `SELECT DISTINCT ON (provider, region, sku, capacity_type)
            provider, region, sku, capacity_type, source, vcpus, memory_bytes, gpus, architecture,
            coalesce(hourly_usd, cpu_core_hour_usd * vcpus + memory_gib_hour_usd * memory_bytes / 1073741824.0) AS hourly_usd
       FROM price_history
      WHERE kind = 'NODE' AND zone IS NULL AND capacity_type <> 'SPOT' AND effective_from <= $1
      ORDER BY provider, region, sku, capacity_type, effective_from DESC, observed_at DESC`,
    [new Date(atMillis)],
  );
  return rows
    .filter((r): r is CatalogRow & { hourly_usd: number } => r.hourly_usd !== null)
    .map((r) => ({
      provider: r.provider,
      region: r.region,
      instanceType: r.sku,
      capacityType: r.capacity_type,
      hourlyUsd: Number(r.hourly_usd),
      vcpus: r.vcpus === null ? null : Number(r.vcpus),
      memoryBytes: r.memory_bytes === null ? null : Number(r.memory_bytes),
      gpus: r.gpus === null ? null : Number(r.gpus),
      architecture: r.architecture === 'arm64' || r.architecture === 'amd64' ? r.architecture : null,
      source: r.source,
    }));
}

/**
 * The spot price history of [from, to): every point that took effect in it,
 * and per instance type and zone the one in effect at its start.
 */
export async function spotPriceHistory(db: pg.Pool, fromMillis: number, toMillis: number): Promise<SpotPricePoint[]> {
  const { rows } = await db.query<{ sku: string; zone: string | null; effective_from: Date; hourly_usd: number; source: string }>(
    `SELECT sku, zone, effective_from, hourly_usd, source FROM price_history
      WHERE kind = 'NODE' AND capacity_type = 'SPOT' AND hourly_usd IS NOT NULL AND effective_from >= $1 AND effective_from < $2
     UNION ALL
     SELECT DISTINCT ON (sku, zone) sku, zone, effective_from, hourly_usd, source FROM price_history
      WHERE kind = 'NODE' AND capacity_type = 'SPOT' AND hourly_usd IS NOT NULL AND effective_from < $1
      ORDER BY sku, zone, effective_from DESC`,
    [new Date(fromMillis), new Date(toMillis)],
  );
  return rows.map((r) => ({ instanceType: r.sku, zone: r.zone, effectiveFrom: r.effective_from.getTime(), hourlyUsd: Number(r.hourly_usd), source: r.source }));
}

/** The requests WORKLOAD_RESOURCES advises per container key: the advised value where it says CHANGE or KEEP, null where it has none. */
export async function advisedRequests(db: pg.Pool, cluster: string): Promise<Map<string, AdvisedRequests>> {
  const { rows } = await db.query<{ key: string; cpu_action: string | null; cpu_recommended_request_cores: number | null; memory_action: string | null; memory_recommended_request_bytes: number | null }>(
    `SELECT key, cpu_action, cpu_recommended_request_cores, memory_action, memory_recommended_request_bytes
       FROM recommendation WHERE kind = 'WORKLOAD_RESOURCES' AND cluster = $1`,
    [cluster],
  );
  const out = new Map<string, AdvisedRequests>();
  for (const r of rows) {
    const cpu = r.cpu_action === 'NONE' || r.cpu_recommended_request_cores === null ? null : Number(r.cpu_recommended_request_cores);
    const memory = r.memory_action === 'NONE' || r.memory_recommended_request_bytes === null ? null : Number(r.memory_recommended_request_bytes);
    if (cpu !== null || memory !== null) out.set(r.key, { cpuCores: cpu, memoryBytes: memory });
  }
  return out;
}

/**
 * Hourly on-demand node cost per instance type from the first stored hour
 * within the lookback to the advice hour (included). Hours before the first
 * stored one are not counted (a young cluster is judged on what it has, at a
 * lower confidence); a missing hour after it counts as no spend.
 */
export async function onDemandSpend(db: pg.Pool, cluster: string, hourStart: number, lookbackHours: number): Promise<OnDemandSpend> {
  const from = hourStart - (lookbackHours - 1) * HOUR_MILLIS;
  const { rows } = await db.query<{ bucket_start: Date; instance_type: string; capacity_type: string; cost_usd: number }>(
    `SELECT bucket_start, instance_type, capacity_type, sum(cost_usd) AS cost_usd
       FROM node_cost_hourly
      WHERE cluster = $1 AND bucket_start >= $2 AND bucket_start <= $3
      GROUP BY bucket_start, instance_type, capacity_type`,
    [cluster, new Date(from), new Date(hourStart)],
  );
  if (rows.length === 0) return { firstHour: hourStart, hours: 0, coveredHours: 0, lookbackHours, byInstanceType: new Map() };
  const hoursStored = new Set(rows.map((r) => r.bucket_start.getTime()));
  const firstHour = Math.min(...hoursStored);
  const hours = (hourStart - firstHour) / HOUR_MILLIS + 1;
  const byInstanceType = new Map<string, number[]>();
  for (const r of rows) {
    if (r.capacity_type !== 'ON_DEMAND') continue;
    const series = byInstanceType.get(r.instance_type) ?? new Array<number>(hours).fill(0);
    series[(r.bucket_start.getTime() - firstHour) / HOUR_MILLIS] = Number(r.cost_usd);
    byInstanceType.set(r.instance_type, series);
  }
  return { firstHour, hours, coveredHours: hoursStored.size, lookbackHours, byInstanceType };
}

/** Keys of the stored advice of the kinds `kcost savings` publishes, for one cluster. */
export async function storedSavingsKeys(db: pg.Pool, cluster: string): Promise<Set<string>> {
  const { rows } = await db.query<{ key: string }>(`SELECT key FROM recommendation WHERE cluster = $1 AND kind = ANY($2::text[])`, [cluster, [...SAVINGS_KINDS]]);
  return new Set(rows.map((r) => r.key));
}

/** The oldest generatedAt among the stored advice of these kinds for a cluster (null when none): equal to an hour's end, every record is from that hour. */
export async function oldestStoredSavingsAt(db: pg.Pool, cluster: string): Promise<number | null> {
  const { rows } = await db.query<{ oldest: Date | null }>(`SELECT min(generated_at) AS oldest FROM recommendation WHERE cluster = $1 AND kind = ANY($2::text[])`, [cluster, [...SAVINGS_KINDS]]);
  return rows[0]?.oldest?.getTime() ?? null;
}
