import { renderLabels } from './exposition.js';
import { SeriesFamily } from './series-family.js';
import type { ClusterWindow } from './window-book.js';

/** A series' value, and what its labels depend on besides the cluster and the key (a node name, a storage class, ...). */
interface Sample {
  readonly tag: string;
  readonly value: number;
}

type RenderLabels = (cluster: string, key: string, tag: string) => string;

/**
 * A family's series of one cluster, replaced as a whole. Labels are rendered
 * only for a new series or a changed tag, and a line only for a changed value,
 * so moving to the next window costs little more than its changed values.
 */
class ClusterSeries {
  private readonly byCluster = new Map<string, Map<string, { tag: string; labels: string; value: number }>>();

  constructor(
    readonly family: SeriesFamily,
    private readonly labelsOf: RenderLabels,
  ) {}

  replace(cluster: string, desired: Map<string, Sample>): void {
    const before = this.byCluster.get(cluster);
    const after = new Map<string, { tag: string; labels: string; value: number }>();
    if (before) for (const key of before.keys()) if (!desired.has(key)) this.family.delete(`${cluster}\u0000${key}`);
    for (const [key, sample] of desired) {
      const old = before?.get(key);
      const labels = old && old.tag === sample.tag ? old.labels : this.labelsOf(cluster, key, sample.tag);
      if (!old || old.labels !== labels || !Object.is(old.value, sample.value)) this.family.set(`${cluster}\u0000${key}`, labels, sample.value);
      after.set(key, { tag: sample.tag, labels, value: sample.value });
    }
    if (after.size === 0) this.byCluster.delete(cluster);
    else this.byCluster.set(cluster, after);
  }
}

/** The parts of a key joined with NUL (label values never hold one). */
const SEP = '\u0000';
const split = (key: string) => key.split(SEP);

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
  private readonly pods = new ClusterSeries(this.podHourly, (cluster, key, node) => renderLabels(['cluster', 'namespace', 'pod', 'node'], [cluster, ...split(key), node]));
  private readonly podStorage = new ClusterSeries(this.podStorageMonthly, (cluster, key) => renderLabels(['cluster', 'namespace', 'pod'], [cluster, ...split(key)]));
  private readonly volumes = new ClusterSeries(this.volumeMonthly, (cluster, pv, storageClass) => renderLabels(['cluster', 'persistentvolume', 'storage_class'], [cluster, pv, storageClass]));
  private readonly nodes = new ClusterSeries(this.nodeHourly, (cluster, node, tag) => renderLabels(['cluster', 'node', 'instance_type', 'capacity_type'], [cluster, node, ...split(tag)]));
  private readonly idle = new ClusterSeries(this.idleHourly, (cluster, key) => renderLabels(['cluster', 'node', 'resource'], [cluster, ...split(key)]));
  private readonly savings = new ClusterSeries(this.spotSavingsHourly, (cluster, namespace) => renderLabels(['cluster', 'namespace'], [cluster, namespace]));
  private readonly start = new ClusterSeries(this.windowStart, (cluster) => renderLabels(['cluster'], [cluster]));

  get families(): readonly SeriesFamily[] {
    return [this.podHourly, this.podStorageMonthly, this.volumeMonthly, this.spotSavingsHourly, this.nodeHourly, this.idleHourly, this.windowStart];
  }

  /** Shows `window` for `cluster`, or no series for it when undefined. */
  show(cluster: string, window: ClusterWindow | undefined): void {
    const pods = new Map<string, Sample>();
    const podStorage = new Map<string, Sample>();
    const volumes = new Map<string, { tag: string; value: number }>();
    const savings = new Map<string, { tag: string; value: number }>();
    const nodes = new Map<string, Sample>();
    const idle = new Map<string, Sample>();
    const start = new Map<string, Sample>();
    if (window) {
      start.set('', { tag: '', value: window.windowStart / 1000 });
      // Two incarnations of a pod name (a pod recreated within the window) are one series: their sum.
      const byName = new Map<string, { nodeName: string; hourly: number; storage: number }>();
      for (const pod of window.pods.values()) {
        const key = pod.namespace + SEP + pod.podName;
        let named = byName.get(key);
        if (!named) {
          named = { nodeName: pod.nodeName, hourly: 0, storage: 0 };
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
              volume.value += share.monthlyUsd;
              volume.tag = share.storageClass;
            } else {
              volumes.set(share.persistentVolume, { tag: share.storageClass, value: share.monthlyUsd });
            }
          }
        }
        const saved = savings.get(pod.namespace);
        if (saved) saved.value += podSavings;
        else savings.set(pod.namespace, { tag: '', value: podSavings });
      }
      for (const [key, pod] of byName) {
        pods.set(key, { tag: pod.nodeName, value: pod.hourly });
        if (pod.storage > 0) podStorage.set(key, { tag: '', value: pod.storage });
      }
      const perHour = 3600 / window.windowSeconds;
      for (const [name, node] of window.nodes) {
        nodes.set(name, { tag: node.instanceType + SEP + node.capacityType, value: node.costUsd * perHour });
        const hasGpu = node.gpuCount > 0 || node.gpuCostUsd > 0;
        const idleUsd = { cpu: node.cpuIdleCostUsd, memory: node.memoryIdleCostUsd, gpu: node.gpuIdleCostUsd };
        for (const resource of RESOURCES) {
          if (resource === 'gpu' && !hasGpu) continue;
          idle.set(name + SEP + resource, { tag: '', value: idleUsd[resource] * perHour });
        }
      }
    }
    this.pods.replace(cluster, pods);
    this.podStorage.replace(cluster, podStorage);
    this.volumes.replace(cluster, volumes);
    this.savings.replace(cluster, savings);
    this.nodes.replace(cluster, nodes);
    this.idle.replace(cluster, idle);
    this.start.replace(cluster, start);
  }
}
