import { renderLabels } from './exposition.js';
import { SeriesFamily } from './series-family.js';
import type { ClusterWindow } from './window-book.js';

interface Sample {
  readonly labels: string;
  readonly value: number;
}

/** A family's series of one cluster, replaced as a whole; only the series that changed are rendered again. */
class ClusterSeries {
  private readonly byCluster = new Map<string, Map<string, Sample>>();

  constructor(readonly family: SeriesFamily) {}

  replace(cluster: string, desired: Map<string, Sample>): void {
    const before = this.byCluster.get(cluster) ?? new Map<string, Sample>();
    for (const key of before.keys()) if (!desired.has(key)) this.family.delete(`${cluster}\u0000${key}`);
    for (const [key, sample] of desired) {
      const old = before.get(key);
      if (old && old.labels === sample.labels && Object.is(old.value, sample.value)) continue;
      this.family.set(`${cluster}\u0000${key}`, sample.labels, sample.value);
    }
    if (desired.size === 0) this.byCluster.delete(cluster);
    else this.byCluster.set(cluster, desired);
  }
}

const RESOURCES = ['cpu', 'memory', 'gpu'] as const;

/**
 * The gauges that describe one window of a cluster, its latest complete one
 * (see WindowBook): pods, their volumes, nodes, idle capacity, spot savings
 * per namespace, and which window that is. A pod or node absent from the
 * window has no series; a series keeps its label set, so replacing the
 * window re-renders only the lines whose value changed.
 */
export class WindowSeries {
  readonly podHourly = new SeriesFamily(
    'kube_cost_pod_hourly_usd',
    "Cost rate of the pod, USD per hour: the total cost of its containers in the cluster's latest complete window (kube_cost_window_start_seconds), scaled to an hour. Pods absent from that window have no series.",
    'gauge',
  );
  readonly podStorageMonthly = new SeriesFamily(
    'kube_cost_pod_pv_monthly_usd',
    "Cost rate of the pod's share of its persistent volumes, USD per 730-hour month, in the cluster's latest complete window (absent when the pod mounts no priced volume).",
    'gauge',
  );
  readonly volumeMonthly = new SeriesFamily(
    'kube_cost_pv_monthly_usd',
    "Cost rate of the persistent volume, USD per 730-hour month: the sum of the shares of the pods mounting it in the cluster's latest complete window (volumes of claims not bound to a volume are left out).",
    'gauge',
  );
  readonly nodeHourly = new SeriesFamily('kube_cost_node_hourly_usd', "Cost rate of the node, USD per hour, in the cluster's latest complete window.", 'gauge');
  readonly idleHourly = new SeriesFamily(
    'kube_cost_idle_hourly_usd',
    "Cost rate of the node's capacity that no container was charged for, USD per hour, by resource (cpu, memory, gpu), in the cluster's latest complete window.",
    'gauge',
  );
  readonly spotSavingsHourly = new SeriesFamily(
    'kube_cost_spot_savings_hourly_usd',
    "Spot (and reserved) savings rate of the namespace, USD per hour: on-demand equivalent cost minus actual cost of its containers in the cluster's latest complete window, scaled to an hour (0 for a namespace on on-demand capacity only).",
    'gauge',
  );
  readonly windowStart = new SeriesFamily(
    'kube_cost_window_start_seconds',
    'Start of the latest complete window of the cluster, in seconds since the epoch: the window the pod, volume, node, idle and hourly spot savings gauges describe. Replicas serving the same value serve the same figures.',
    'gauge',
  );
  private readonly pods = new ClusterSeries(this.podHourly);
  private readonly podStorage = new ClusterSeries(this.podStorageMonthly);
  private readonly volumes = new ClusterSeries(this.volumeMonthly);
  private readonly nodes = new ClusterSeries(this.nodeHourly);
  private readonly idle = new ClusterSeries(this.idleHourly);
  private readonly savings = new ClusterSeries(this.spotSavingsHourly);
  private readonly start = new ClusterSeries(this.windowStart);

  get families(): readonly SeriesFamily[] {
    return [this.podHourly, this.podStorageMonthly, this.volumeMonthly, this.spotSavingsHourly, this.nodeHourly, this.idleHourly, this.windowStart];
  }

  /** Shows `window` for `cluster`, or no series for it when undefined. */
  show(cluster: string, window: ClusterWindow | undefined): void {
    const pods = new Map<string, Sample>();
    const podStorage = new Map<string, Sample>();
    const volumes = new Map<string, { storageClass: string; monthlyUsd: number }>();
    const savings = new Map<string, number>();
    const nodes = new Map<string, Sample>();
    const idle = new Map<string, Sample>();
    const start = new Map<string, Sample>();
    if (window) {
      start.set('', { labels: renderLabels(['cluster'], [cluster]), value: window.windowStart / 1000 });
      // Two incarnations of a pod name (a pod recreated within the window) are one series: their sum.
      const byName = new Map<string, { namespace: string; podName: string; nodeName: string; hourly: number; storage: number }>();
      for (const pod of window.pods.values()) {
        const key = `${pod.namespace}\u0000${pod.podName}`;
        let named = byName.get(key);
        if (!named) {
          named = { namespace: pod.namespace, podName: pod.podName, nodeName: pod.nodeName, hourly: 0, storage: 0 };
          byName.set(key, named);
        } else if (pod.nodeName !== '') {
          named.nodeName = pod.nodeName;
        }
        let podSavings = 0;
        for (const container of pod.containers.values()) {
          named.hourly += container.hourlyUsd;
          named.storage += container.storageMonthlyUsd;
          podSavings += container.spotSavingsHourlyUsd;
          for (const share of container.volumes) {
            if (share.persistentVolume === '' || !Number.isFinite(share.monthlyUsd)) continue;
            const volume = volumes.get(share.persistentVolume);
            if (volume) {
              volume.monthlyUsd += share.monthlyUsd;
              volume.storageClass = share.storageClass;
            } else {
              volumes.set(share.persistentVolume, { storageClass: share.storageClass, monthlyUsd: share.monthlyUsd });
            }
          }
        }
        savings.set(pod.namespace, (savings.get(pod.namespace) ?? 0) + podSavings);
      }
      for (const [key, pod] of byName) {
        pods.set(key, { labels: renderLabels(['cluster', 'namespace', 'pod', 'node'], [cluster, pod.namespace, pod.podName, pod.nodeName]), value: pod.hourly });
        if (pod.storage > 0) podStorage.set(key, { labels: renderLabels(['cluster', 'namespace', 'pod'], [cluster, pod.namespace, pod.podName]), value: pod.storage });
      }
      const perHour = 3600 / window.windowSeconds;
      for (const [name, node] of window.nodes) {
        nodes.set(name, {
          labels: renderLabels(['cluster', 'node', 'instance_type', 'capacity_type'], [cluster, name, node.instanceType, node.capacityType]),
          value: node.costUsd * perHour,
        });
        const hasGpu = node.gpuCount > 0 || node.gpuCostUsd > 0;
        const idleUsd = { cpu: node.cpuIdleCostUsd, memory: node.memoryIdleCostUsd, gpu: node.gpuIdleCostUsd };
        for (const resource of RESOURCES) {
          if (resource === 'gpu' && !hasGpu) continue;
          idle.set(`${name}\u0000${resource}`, { labels: renderLabels(['cluster', 'node', 'resource'], [cluster, name, resource]), value: idleUsd[resource] * perHour });
        }
      }
    }
    this.pods.replace(cluster, pods);
    this.podStorage.replace(cluster, podStorage);
    this.volumes.replace(
      cluster,
      new Map([...volumes].map(([pv, v]) => [pv, { labels: renderLabels(['cluster', 'persistentvolume', 'storage_class'], [cluster, pv, v.storageClass]), value: v.monthlyUsd }])),
    );
    this.savings.replace(cluster, new Map([...savings].map(([ns, usd]) => [ns, { labels: renderLabels(['cluster', 'namespace'], [cluster, ns]), value: usd }])));
    this.nodes.replace(cluster, nodes);
    this.idle.replace(cluster, idle);
    this.start.replace(cluster, start);
  }
}
