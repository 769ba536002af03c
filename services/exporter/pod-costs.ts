import type { PodCost } from '../codec/records.generated.js';
import { renderLabels } from './exposition.js';
import type { NamespaceCosts } from './namespace-costs.js';
import { SeriesFamily } from './series-family.js';
import type { VolumeCosts, VolumeShare } from './volume-costs.js';

/** Hours in the month that monthly prices are quoted for (730 = 8760 / 12, as the processor prices storage). */
export const HOURS_PER_MONTH = 730;

/** What became of a record: counted, seen before (a redelivery or an older window), refused, or of a kind the store does not keep (pods on the kube topic). */
export type ApplyOutcome = 'applied' | 'duplicate' | 'invalid' | 'ignored';

interface ContainerState {
  /** Newest windowStart whose cost went into the namespace sums: older or equal windows are redeliveries. */
  counted: number;
  /** The container's figures in window `window`; part of the pod's gauge while that is the pod's latest window. */
  window: number;
  hourlyUsd: number;
  storageMonthlyUsd: number;
  /** The container's per-volume shares in window `window`, per month. */
  volumes: VolumeShare[];
}

interface PodState {
  readonly cluster: string;
  readonly namespace: string;
  readonly podName: string;
  readonly seriesKey: string;
  nodeName: string;
  /** Newest window seen for the pod. */
  windowStart: number;
  /** Exporter clock when the pod's last record arrived, for the grace period. */
  seenAt: number;
  labels: string;
  /** Labels of the volume series, rendered when the pod first has a volume cost. */
  storageLabels: string | undefined;
  readonly containers: Map<string, ContainerState>;
}

/**
 * Pod gauges from PodCost records (one record per container and window).
 * kube_cost_pod_hourly_usd is the pod's latest window: the totalCostUsd of its
 * containers in that window, scaled to an hour by windowSeconds. A record for
 * a window the pod already has replaces that container's share (so a
 * redelivery does not add up); a record for an older window leaves the gauge
 * alone. Series are named by cluster/namespace/pod: when a pod is recreated
 * under the same name (a new uid), the incarnation with the newer window owns
 * the series, so the output never holds two samples with one label set.
 * The per-volume shares of the pod's latest window go to VolumeCosts
 * (kube_cost_pv_monthly_usd), by pod uid.
 */
export class PodCosts {
  readonly hourly = new SeriesFamily(
    'kube_cost_pod_hourly_usd',
    "Cost rate of the pod, USD per hour: the total cost of its containers in the pod's latest window, scaled to an hour.",
    'gauge',
  );
  readonly storageMonthly = new SeriesFamily(
    'kube_cost_pod_pv_monthly_usd',
    "Cost rate of the pod's share of its persistent volumes, USD per 730-hour month, from the pod's latest window (absent when the pod mounts no priced volume).",
    'gauge',
  );
  private readonly pods = new Map<string, PodState>();
  /** Which pod uid (cluster/uid) owns each cluster/namespace/pod series. */
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly namespaces: NamespaceCosts,
    private readonly volumes: VolumeCosts,
  ) {}

  get size(): number {
    return this.pods.size;
  }

  apply(record: PodCost, now: number): ApplyOutcome {
    if (!(record.windowSeconds > 0) || !Number.isFinite(record.totalCostUsd) || !Number.isFinite(record.windowStart)) return 'invalid';
    const uidKey = `${record.cluster}\u0000${record.podUid}`;
    const pod = this.podFor(uidKey, record);
    pod.seenAt = now;
    let container = pod.containers.get(record.container);
    if (!container) {
      container = { counted: Number.NEGATIVE_INFINITY, window: Number.NEGATIVE_INFINITY, hourlyUsd: 0, storageMonthlyUsd: 0, volumes: [] };
      pod.containers.set(record.container, container);
    }
    const isNew = record.windowStart > container.counted;
    if (isNew) {
      container.counted = record.windowStart;
      this.namespaces.add(record.cluster, record.namespace, record.windowStart, record.totalCostUsd, record.spotSavingsUsd);
    }
    if (record.windowStart >= pod.windowStart) {
      const perHour = 3600 / record.windowSeconds;
      container.window = record.windowStart;
      container.hourlyUsd = record.totalCostUsd * perHour;
      container.storageMonthlyUsd = record.storageCostUsd * perHour * HOURS_PER_MONTH;
      container.volumes = record.volumes.length === 0 ? [] : record.volumes.map((v) => ({ persistentVolume: v.persistentVolume, storageClass: v.storageClass, monthlyUsd: v.costUsd * perHour * HOURS_PER_MONTH }));
      if (record.windowStart > pod.windowStart) pod.windowStart = record.windowStart;
      if (record.nodeName !== pod.nodeName) {
        pod.nodeName = record.nodeName;
        pod.labels = podLabels(pod);
      }
      this.render(uidKey, pod);
      const shares: VolumeShare[] = [];
      for (const c of pod.containers.values()) if (c.window === pod.windowStart) shares.push(...c.volumes);
      this.volumes.setPod(uidKey, pod.cluster, shares);
    }
    return isNew ? 'applied' : 'duplicate';
  }

  /** Drops pods whose last record arrived more than `graceMillis` before `now`; returns how many. */
  expire(now: number, graceMillis: number): number {
    let dropped = 0;
    for (const [uidKey, pod] of this.pods) {
      if (now - pod.seenAt <= graceMillis) continue;
      this.pods.delete(uidKey);
      this.volumes.removePod(uidKey);
      dropped++;
      if (this.owners.get(pod.seriesKey) !== uidKey) continue;
      this.owners.delete(pod.seriesKey);
      this.hourly.delete(pod.seriesKey);
      this.storageMonthly.delete(pod.seriesKey);
    }
    return dropped;
  }

  private podFor(uidKey: string, record: PodCost): PodState {
    const known = this.pods.get(uidKey);
    if (known) return known;
    const pod: PodState = {
      cluster: record.cluster,
      namespace: record.namespace,
      podName: record.podName,
      seriesKey: `${record.cluster}\u0000${record.namespace}\u0000${record.podName}`,
      nodeName: record.nodeName,
      windowStart: Number.NEGATIVE_INFINITY,
      seenAt: 0,
      labels: '',
      storageLabels: undefined,
      containers: new Map(),
    };
    pod.labels = podLabels(pod);
    this.pods.set(uidKey, pod);
    return pod;
  }

  private render(uidKey: string, pod: PodState): void {
    const owner = this.owners.get(pod.seriesKey);
    if (owner !== undefined && owner !== uidKey) {
      const rival = this.pods.get(owner);
      if (rival && rival.windowStart > pod.windowStart) return;
    }
    this.owners.set(pod.seriesKey, uidKey);
    let hourly = 0;
    let storage = 0;
    for (const container of pod.containers.values()) {
      if (container.window !== pod.windowStart) continue;
      hourly += container.hourlyUsd;
      storage += container.storageMonthlyUsd;
    }
    this.hourly.set(pod.seriesKey, pod.labels, hourly);
    if (storage > 0) {
      pod.storageLabels ??= renderLabels(['cluster', 'namespace', 'pod'], [pod.cluster, pod.namespace, pod.podName]);
      this.storageMonthly.set(pod.seriesKey, pod.storageLabels, storage);
    } else {
      this.storageMonthly.delete(pod.seriesKey);
    }
  }
}

function podLabels(pod: PodState): string {
  return renderLabels(['cluster', 'namespace', 'pod', 'node'], [pod.cluster, pod.namespace, pod.podName, pod.nodeName]);
}
