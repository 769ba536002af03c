import type { KubeObject } from '../codec/records.generated.js';

export type NodeObject = KubeObject & { node: NonNullable<KubeObject['node']> };

/** The last time a pod other than a DaemonSet's or a static one stopped running on a node. */
export interface LastWorkloadPod {
  readonly at: number;
  /** namespace/name. */
  readonly pod: string;
}

/** What the DaemonSet-only rule needs to know of one node. */
export interface NodeUsage {
  readonly node: NodeObject;
  /** Pods running now that are neither a DaemonSet's nor static (mirror pods, owned by their Node). */
  readonly workloadPodsNow: number;
  readonly lastWorkloadPod: LastWorkloadPod | null;
  /** DaemonSets with a pod running on the node now, as namespace/name, sorted. */
  readonly daemonSets: readonly string[];
}

/** Owner kinds of pods that run on every node whatever it is for: they do not keep a node busy. */
const NODE_SERVICE_KINDS = new Set(['DaemonSet', 'Node']);

interface RunningPod {
  readonly node: string;
  readonly daemonSet: string | null;
  readonly observedAt: number;
}

/**
 * Which pods run on each node, from kcost.kube.v1 read as a table, kept as
 * VolumeTable keeps mounts: the running pods only, and per node the end of
 * the last pod that was neither a DaemonSet's nor static, which stays
 * after that pod is forgotten. A pod runs from startedAt until it ends or is
 * deleted; one never scheduled (no nodeName) runs nowhere.
 */
export class NodeOccupancy {
  private readonly nodes = new Map<string, NodeObject>();
  private readonly running = new Map<string, RunningPod>();
  private readonly lastWorkloadPods = new Map<string, LastWorkloadPod>();

  apply(object: KubeObject): void {
    if (object.kind === 'NODE' && object.node) {
      const key = `${object.cluster}/${object.name}`;
      const previous = this.nodes.get(key);
      if (!previous || previous.observedAt <= object.observedAt) this.nodes.set(key, object as NodeObject);
      return;
    }
    if (object.kind !== 'POD' || !object.pod) return;
    const id = `${object.cluster}/${object.uid}`;
    const previous = this.running.get(id);
    if (previous && previous.observedAt > object.observedAt) return;
    this.running.delete(id);
    const { pod } = object;
    if (pod.nodeName === null || pod.startedAt === null) return;
    const node = `${object.cluster}/${pod.nodeName}`;
    const service = pod.workload !== null && NODE_SERVICE_KINDS.has(pod.workload.kind);
    const until = pod.endedAt ?? object.deletedAt;
    if (until === null) {
      const daemonSet = pod.workload?.kind === 'DaemonSet' ? `${object.namespace ?? ''}/${pod.workload.name}` : null;
      this.running.set(id, { node, daemonSet: service ? (daemonSet ?? '') : null, observedAt: object.observedAt });
      return;
    }
    if (service) return;
    const name = `${object.namespace ?? ''}/${object.name}`;
    const last = this.lastWorkloadPods.get(node);
    if (!last || until > last.at || (until === last.at && name > last.pod)) this.lastWorkloadPods.set(node, { at: until, pod: name });
  }

  /** Every known node (deleted ones too, with deletedAt), in key order. */
  usages(): NodeUsage[] {
    const now = new Map<string, { workload: number; daemonSets: Set<string> }>();
    for (const pod of this.running.values()) {
      const entry = now.get(pod.node) ?? { workload: 0, daemonSets: new Set<string>() };
      if (pod.daemonSet === null) entry.workload++;
      else if (pod.daemonSet !== '') entry.daemonSets.add(pod.daemonSet);
      now.set(pod.node, entry);
    }
    return [...this.nodes.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, node]) => ({
        node,
        workloadPodsNow: now.get(key)?.workload ?? 0,
        lastWorkloadPod: this.lastWorkloadPods.get(key) ?? null,
        daemonSets: [...(now.get(key)?.daemonSets ?? [])].sort(),
      }));
  }

  /** Forgets nodes deleted before `beforeMillis`. */
  prune(beforeMillis: number): void {
    for (const [key, node] of this.nodes) {
      if (node.deletedAt !== null && node.deletedAt < beforeMillis) {
        this.nodes.delete(key);
        this.lastWorkloadPods.delete(key);
      }
    }
  }
}
