import type { KubeObject } from '../codec/records.generated.js';
import { PodCompactor, type PodInput, type StoredPod } from './compact-pod.js';

/** A pod as the state keeps it: the fields pricing reads, in the KubeObject's shape (see StoredPod). */
export type PodObject = StoredPod;

/** A KubeObject whose state field for its kind is set. */
export type NodeObject = KubeObject & { node: NonNullable<KubeObject['node']> };
export type VolumeObject = KubeObject & { volume: NonNullable<KubeObject['volume']> };
export type ClaimObject = KubeObject & { claim: NonNullable<KubeObject['claim']> };

/**
 * The latest known state of the pods, nodes, volumes and claims of every
 * cluster, as read from kcost.kube.v1. Deleted objects are kept (with
 * deletedAt) so that windows before their deletion can still be priced,
 * until prune() drops them. Pods, by far the most numerous, are kept
 * compactly (PodCompactor); nodes, volumes and claims as decoded.
 */
export class ClusterState {
  /** cluster → pod uid → pod: keyed by the uid string the pod holds anyway, not a `cluster/uid` copy per pod. */
  private readonly pods = new Map<string, Map<string, PodObject>>();
  private readonly compactor = new PodCompactor();
  private readonly nodes = new Map<string, NodeObject>();
  private readonly volumes = new Map<string, VolumeObject>();
  private readonly claims = new Map<string, ClaimObject>();
  /** cluster/namespace/claim → uids of the pods that mount it. */
  private readonly mounts = new Map<string, Set<string>>();

  /** Applies one observed state; an older observation of the same object does not replace a newer one. */
  apply(object: KubeObject): void {
    switch (object.kind) {
      case 'POD':
        if (object.pod) this.applyPod(object as PodInput);
        break;
      case 'NODE':
        if (object.node) replaceIfNewer(this.nodes, `${object.cluster}/${object.name}`, object as NodeObject);
        break;
      case 'PERSISTENT_VOLUME':
        if (object.volume) replaceIfNewer(this.volumes, `${object.cluster}/${object.name}`, object as VolumeObject);
        break;
      case 'PERSISTENT_VOLUME_CLAIM':
        if (object.claim) replaceIfNewer(this.claims, `${object.cluster}/${object.namespace ?? ''}/${object.name}`, object as ClaimObject);
        break;
      // Namespaces, autoscalers, workloads and disruption budgets cost nothing themselves: their pods do.
      case 'NAMESPACE':
      case 'HORIZONTAL_POD_AUTOSCALER':
      case 'WORKLOAD':
      case 'POD_DISRUPTION_BUDGET':
        break;
    }
  }

  pod(cluster: string, uid: string): PodObject | undefined {
    return this.pods.get(cluster)?.get(uid);
  }

  node(cluster: string, name: string): NodeObject | undefined {
    return this.nodes.get(`${cluster}/${name}`);
  }

  claim(cluster: string, namespace: string, name: string): ClaimObject | undefined {
    return this.claims.get(`${cluster}/${namespace}/${name}`);
  }

  volume(cluster: string, name: string): VolumeObject | undefined {
    return this.volumes.get(`${cluster}/${name}`);
  }

  /** Nodes of a cluster that existed during [startMillis, endMillis). */
  nodesDuring(cluster: string, startMillis: number, endMillis: number): NodeObject[] {
    const found: NodeObject[] = [];
    for (const node of this.nodes.values()) {
      if (node.cluster === cluster && existedDuring(node, startMillis, endMillis)) found.push(node);
    }
    return found;
  }

  /** Pods that mount a claim and ran during [startMillis, endMillis). */
  podsMounting(cluster: string, namespace: string, claimName: string, startMillis: number, endMillis: number): PodObject[] {
    const uids = this.mounts.get(`${cluster}/${namespace}/${claimName}`) ?? new Set<string>();
    const pods = this.pods.get(cluster);
    const found: PodObject[] = [];
    for (const uid of uids) {
      const pod = pods?.get(uid);
      if (pod && podRanDuring(pod, startMillis, endMillis)) found.push(pod);
    }
    return found;
  }

  /** Forgets objects deleted before `beforeMillis`: no window that old is priced any more. */
  prune(beforeMillis: number): void {
    for (const [cluster, pods] of this.pods) {
      for (const [uid, pod] of pods) {
        if (pod.deletedAt !== null && pod.deletedAt < beforeMillis) {
          this.unindexMounts(pod);
          this.compactor.release(pod);
          pods.delete(uid);
        }
      }
      if (pods.size === 0) this.pods.delete(cluster);
    }
    for (const map of [this.nodes, this.volumes, this.claims] as Array<Map<string, KubeObject>>) {
      for (const [key, object] of map) if (object.deletedAt !== null && object.deletedAt < beforeMillis) map.delete(key);
    }
  }

  get counts(): { pods: number; nodes: number; volumes: number; claims: number } {
    let pods = 0;
    for (const ofCluster of this.pods.values()) pods += ofCluster.size;
    return { pods, nodes: this.nodes.size, volumes: this.volumes.size, claims: this.claims.size };
  }

  private applyPod(object: PodInput): void {
    let pods = this.pods.get(object.cluster);
    const previous = pods?.get(object.uid);
    if (previous && previous.observedAt > object.observedAt) return;
    if (previous) this.unindexMounts(previous);
    const pod = previous ? this.compactor.replace(previous, object) : this.compactor.store(object);
    if (!pods) {
      pods = new Map();
      this.pods.set(pod.cluster, pods);
    }
    pods.set(pod.uid, pod);
    for (const claimName of pod.pod.claimNames) {
      const mountKey = `${pod.cluster}/${pod.namespace ?? ''}/${claimName}`;
      const set = this.mounts.get(mountKey) ?? new Set<string>();
      set.add(pod.uid);
      this.mounts.set(mountKey, set);
    }
  }

  private unindexMounts(pod: PodObject): void {
    for (const claimName of pod.pod.claimNames) {
      const mountKey = `${pod.cluster}/${pod.namespace ?? ''}/${claimName}`;
      const set = this.mounts.get(mountKey);
      set?.delete(pod.uid);
      if (set?.size === 0) this.mounts.delete(mountKey);
    }
  }
}

function replaceIfNewer<T extends KubeObject>(map: Map<string, T>, key: string, object: T): void {
  const previous = map.get(key);
  if (!previous || previous.observedAt <= object.observedAt) map.set(key, object);
}

function existedDuring(object: KubeObject, startMillis: number, endMillis: number): boolean {
  return object.createdAt < endMillis && (object.deletedAt === null || object.deletedAt > startMillis);
}

/** A pod costs from when it started (or was created) until its containers ended or it was deleted. */
export function podRanDuring(pod: PodObject, startMillis: number, endMillis: number): boolean {
  const from = pod.pod.startedAt ?? pod.createdAt;
  const until = pod.pod.endedAt ?? pod.deletedAt;
  return from < endMillis && (until === null || until > startMillis);
}
