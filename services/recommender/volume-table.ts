import type { KubeObject } from '../codec/records.generated.js';

/** A KubeObject whose state field for its kind is set. */
export type ClaimObject = KubeObject & { claim: NonNullable<KubeObject['claim']> };
export type VolumeObject = KubeObject & { volume: NonNullable<KubeObject['volume']> };

/** The last time a pod that mounted a claim stopped running, and its name. */
export interface LastMount {
  readonly at: number;
  readonly pod: string;
}

/** What the orphaned-volume rule needs to know of one claim. */
export interface ClaimUsage {
  readonly claim: ClaimObject;
  /** The bound volume; null while unbound or not (yet) seen. */
  readonly volume: VolumeObject | null;
  /** Whether a pod that a kubelet started, and that has not stopped, mounts the claim now. */
  readonly mountedNow: boolean;
  readonly lastMount: LastMount | null;
}

/** Where a cluster's volumes are priced: the provider and region of its nodes. */
export interface Place {
  readonly provider: string;
  readonly region: string;
}

interface RunningPod {
  readonly claimKeys: readonly string[];
  readonly observedAt: number;
}

/**
 * Claims, volumes and who mounts them, from kcost.kube.v1 read as a table.
 * Unlike the pod table it keeps no pods but the running ones that mount a
 * claim: a pod that stops folds its end into the claim's last mount, which
 * stays however long ago that was, so "unmounted for N days" survives the
 * pod being forgotten. Deleted claims stay until prune() so that their
 * advice can be retired.
 */
export class VolumeTable {
  private readonly claims = new Map<string, ClaimObject>();
  private readonly volumes = new Map<string, VolumeObject>();
  private readonly running = new Map<string, RunningPod>();
  private readonly runningByClaim = new Map<string, Set<string>>();
  private readonly lastMounts = new Map<string, LastMount>();
  /** cluster → node name → place. */
  private readonly nodes = new Map<string, Map<string, Place>>();
  /** cluster → newest observedAt: each cluster's event time, from its own collector's clock. */
  private readonly eventTimes = new Map<string, number>();

  apply(object: KubeObject): void {
    if (Number.isFinite(object.observedAt)) this.eventTimes.set(object.cluster, Math.max(this.eventTimes.get(object.cluster) ?? Number.NEGATIVE_INFINITY, object.observedAt));
    if (object.kind === 'POD' && object.pod) this.applyPod(object as KubeObject & { pod: NonNullable<KubeObject['pod']> });
    else if (object.kind === 'PERSISTENT_VOLUME_CLAIM' && object.claim) replaceIfNewer(this.claims, claimKey(object.cluster, object.namespace ?? '', object.name), object as ClaimObject);
    else if (object.kind === 'PERSISTENT_VOLUME' && object.volume) replaceIfNewer(this.volumes, `${object.cluster}/${object.name}`, object as VolumeObject);
    else if (object.kind === 'NODE' && object.node) {
      const nodes = this.nodes.get(object.cluster) ?? new Map<string, Place>();
      if (object.deletedAt === null) nodes.set(object.name, { provider: object.node.provider, region: object.node.region });
      else nodes.delete(object.name);
      this.nodes.set(object.cluster, nodes);
    }
  }

  /** Every known claim (deleted ones too, with deletedAt), in key order. */
  usages(): Array<{ key: string; usage: ClaimUsage }> {
    return [...this.claims.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, claim]) => {
        const volumeName = claim.claim.volumeName;
        const volume = volumeName ? (this.volumes.get(`${claim.cluster}/${volumeName}`) ?? null) : null;
        return { key, usage: { claim, volume, mountedNow: (this.runningByClaim.get(key)?.size ?? 0) > 0, lastMount: this.lastMounts.get(key) ?? null } };
      });
  }

  /** The cluster's event time: the newest observation its collector published; null before any. */
  eventTimeOf(cluster: string): number | null {
    return this.eventTimes.get(cluster) ?? null;
  }

  /** The provider and region of the cluster's first node by name (claims name neither); unknown without nodes. */
  placeOf(cluster: string): Place {
    const nodes = [...(this.nodes.get(cluster) ?? new Map<string, Place>()).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return nodes[0]?.[1] ?? { provider: 'unknown', region: '' };
  }

  /** Forgets claims and volumes deleted before `beforeMillis`, with the last mounts of those claims. */
  prune(beforeMillis: number): void {
    for (const [key, claim] of this.claims) {
      if (claim.deletedAt !== null && claim.deletedAt < beforeMillis) {
        this.claims.delete(key);
        this.lastMounts.delete(key);
      }
    }
    for (const [key, volume] of this.volumes) if (volume.deletedAt !== null && volume.deletedAt < beforeMillis) this.volumes.delete(key);
  }

  private applyPod(object: KubeObject & { pod: NonNullable<KubeObject['pod']> }): void {
    const id = `${object.cluster}/${object.uid}`;
    const previous = this.running.get(id);
    if (previous && previous.observedAt > object.observedAt) return;
    const claimKeys = object.pod.claimNames.map((name) => claimKey(object.cluster, object.namespace ?? '', name));
    if (previous) this.stopRunning(id, previous);
    if (claimKeys.length === 0 || object.pod.startedAt === null) return;
    const until = object.pod.endedAt ?? object.deletedAt;
    if (until === null) {
      this.running.set(id, { claimKeys, observedAt: object.observedAt });
      for (const key of claimKeys) {
        const pods = this.runningByClaim.get(key) ?? new Set<string>();
        pods.add(id);
        this.runningByClaim.set(key, pods);
      }
      return;
    }
    for (const key of claimKeys) {
      const last = this.lastMounts.get(key);
      if (!last || until > last.at || (until === last.at && object.name > last.pod)) this.lastMounts.set(key, { at: until, pod: object.name });
    }
  }

  private stopRunning(id: string, pod: RunningPod): void {
    this.running.delete(id);
    for (const key of pod.claimKeys) {
      const pods = this.runningByClaim.get(key);
      pods?.delete(id);
      if (pods?.size === 0) this.runningByClaim.delete(key);
    }
  }
}

/** `cluster/namespace/name` of a claim. */
export function claimKey(cluster: string, namespace: string, name: string): string {
  return `${cluster}/${namespace}/${name}`;
}

function replaceIfNewer<T extends KubeObject>(map: Map<string, T>, key: string, object: T): void {
  const previous = map.get(key);
  if (!previous || previous.observedAt <= object.observedAt) map.set(key, object);
}
