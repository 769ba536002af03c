import type { AutoscalerState, KubeObject, WorkloadState } from '../codec/records.generated.js';
import type { HpaState } from './recommend.js';
import type { ResourceName } from './recommendation.js';

/** One observed state of a WORKLOAD or HORIZONTAL_POD_AUTOSCALER object. */
interface Version<S> {
  readonly observedAt: number;
  readonly state: S;
}

/** A followed object: the workload it belongs to and its states over time, oldest first. */
interface Followed<S> {
  readonly uid: string;
  createdAt: number;
  deletedAt: number | null;
  versions: Array<Version<S>>;
}

/** How many replicas a workload runs at an event time, and which object said so. */
export interface ReplicasAt {
  readonly replicas: number;
  /** `hpa`: the autoscaler's status.currentReplicas; `workload`: the Deployment's or StatefulSet's spec.replicas. */
  readonly source: 'hpa' | 'workload';
}

const RESOURCES: ReadonlySet<string> = new Set<ResourceName>(['cpu', 'memory']);
const LOAD_METRIC_TYPES: ReadonlySet<string> = new Set(['Pods', 'Object', 'External']);

/**
 * What right-sizing one container needs of an autoscaler: its bounds, the
 * `Resource` metrics with a utilization target, the `ContainerResource`
 * ones of this container (they read no other), and its Pods, Object and
 * External metrics by type and name.
 */
export function hpaStateOf(hpa: AutoscalerState, container: string): HpaState {
  const metrics: Array<HpaState['metrics'][number]> = [];
  for (const m of hpa.metrics) {
    const ownResource = m.type === 'Resource' || (m.type === 'ContainerResource' && m.container === container);
    const target = m.targetAverageUtilizationPercent;
    if (!ownResource || !RESOURCES.has(m.name) || target === null || !(target > 0)) continue;
    // A Resource and a ContainerResource metric on the same resource: the HPA follows the higher proposal, i.e. the lower target.
    const same = metrics.findIndex((x) => x.resource === m.name);
    if (same < 0) metrics.push({ resource: m.name as ResourceName, targetUtilizationPercent: target });
    else if (target < (metrics[same]?.targetUtilizationPercent ?? Infinity)) metrics[same] = { resource: m.name as ResourceName, targetUtilizationPercent: target };
  }
  const loadMetrics = hpa.metrics.filter((m) => LOAD_METRIC_TYPES.has(m.type)).map((m) => `${m.type} ${m.name}`);
  return { minReplicas: hpa.minReplicas, maxReplicas: hpa.maxReplicas, metrics, loadMetrics };
}

/**
 * The Deployments, StatefulSets and autoscalers of kcost.kube.v1 read as a
 * table, each with the states observed over the retention, so that an hour
 * being published sees the autoscaler and the replica count of its own time.
 * Workloads are named as WorkloadPods names them
 * (`cluster/namespace/Kind/name`); a deleted object stays until prune().
 */
export class WorkloadScaling {
  private readonly autoscalers = table<AutoscalerState>();
  private readonly workloads = table<WorkloadState>();

  /** Applies a WORKLOAD or HORIZONTAL_POD_AUTOSCALER state; other kinds change nothing. */
  apply(object: KubeObject): void {
    const scope = [object.cluster, object.namespace ?? ''];
    if (object.kind === 'HORIZONTAL_POD_AUTOSCALER' && object.hpa) {
      follow(this.autoscalers, object, [...scope, object.hpa.targetKind, object.hpa.targetName].join('/'), object.hpa);
    } else if (object.kind === 'WORKLOAD' && object.workload) {
      follow(this.workloads, object, [...scope, object.workload.controllerKind, object.name].join('/'), object.workload);
    }
  }

  /**
   * The autoscaler of `workload` at `atMillis`, in the state observed last
   * before then (or the oldest known, when the compacted topic kept only a
   * later one); null when none existed then. Two autoscalers on one
   * workload are a misconfiguration the HPA controller refuses to act on;
   * the older one is taken.
   */
  autoscalerAt(workload: string, atMillis: number): AutoscalerState | null {
    return stateAt(this.autoscalers, workload, atMillis);
  }

  /** The replicas `workload` ran at `atMillis`: its autoscaler's current replicas, else its own desired replicas; null when neither is known. */
  replicasAt(workload: string, atMillis: number): ReplicasAt | null {
    // 0 current replicas is an autoscaler that has not looked yet.
    const hpa = this.autoscalerAt(workload, atMillis);
    if (hpa && hpa.currentReplicas > 0) return { replicas: hpa.currentReplicas, source: 'hpa' };
    const own = stateAt(this.workloads, workload, atMillis);
    return own ? { replicas: Math.max(0, own.desiredReplicas), source: 'workload' } : null;
  }

  /** Forgets objects deleted before `beforeMillis`, and states superseded before then. */
  prune(beforeMillis: number): void {
    for (const followed of [this.autoscalers, this.workloads] as Array<Table<unknown>>) {
      for (const members of [...followed.byWorkload.values()]) {
        for (const [id, object] of [...members]) {
          if (object.deletedAt !== null && object.deletedAt < beforeMillis) {
            forget(followed, id);
            continue;
          }
          // The newest state observed before the cutoff is still in force at it: keep it, drop the older ones.
          const inForce = object.versions.findLastIndex((v) => v.observedAt <= beforeMillis);
          if (inForce > 0) object.versions = object.versions.slice(inForce);
        }
      }
    }
  }

  /** Autoscalers and workloads followed. */
  get size(): number {
    return this.autoscalers.workloadOf.size + this.workloads.workloadOf.size;
  }
}

/** Objects by the workload they belong to, then by `cluster/uid`; and the workload of each `cluster/uid`. */
interface Table<S> {
  readonly byWorkload: Map<string, Map<string, Followed<S>>>;
  readonly workloadOf: Map<string, string>;
}

function table<S>(): Table<S> {
  return { byWorkload: new Map(), workloadOf: new Map() };
}

function follow<S>(table: Table<S>, object: KubeObject, workload: string, state: S): void {
  const id = `${object.cluster}/${object.uid}`;
  const was = table.workloadOf.get(id);
  let followed = was === undefined ? undefined : table.byWorkload.get(was)?.get(id);
  // An autoscaler pointed at another workload: its earlier states were about the earlier one.
  if (was !== undefined && was !== workload) {
    forget(table, id);
    followed = undefined;
  }
  followed ??= { uid: object.uid, createdAt: object.createdAt, deletedAt: null, versions: [] };
  const members = table.byWorkload.get(workload) ?? new Map<string, Followed<S>>();
  members.set(id, followed);
  table.byWorkload.set(workload, members);
  table.workloadOf.set(id, workload);
  const newest = followed.versions.at(-1);
  if (!newest || newest.observedAt <= object.observedAt) {
    // The newest observation says whether and when it was deleted.
    followed.createdAt = object.createdAt;
    followed.deletedAt = object.deletedAt;
  }
  const versions = followed.versions.filter((v) => v.observedAt !== object.observedAt);
  versions.push({ observedAt: object.observedAt, state });
  versions.sort((a, b) => a.observedAt - b.observedAt);
  followed.versions = versions;
}

function forget<S>(table: Table<S>, id: string): void {
  const workload = table.workloadOf.get(id);
  if (workload === undefined) return;
  table.workloadOf.delete(id);
  const members = table.byWorkload.get(workload);
  members?.delete(id);
  if (members?.size === 0) table.byWorkload.delete(workload);
}

function stateAt<S>(table: Table<S>, workload: string, atMillis: number): S | null {
  let chosen: Followed<S> | null = null;
  for (const followed of table.byWorkload.get(workload)?.values() ?? []) {
    if (followed.createdAt > atMillis || (followed.deletedAt !== null && followed.deletedAt <= atMillis)) continue;
    if (!chosen || followed.createdAt < chosen.createdAt || (followed.createdAt === chosen.createdAt && followed.uid < chosen.uid)) chosen = followed;
  }
  if (!chosen) return null;
  const before = chosen.versions.findLast((v) => v.observedAt <= atMillis) ?? chosen.versions[0];
  return before ? before.state : null;
}
