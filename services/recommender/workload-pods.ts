import type { ContainerResources, KubeObject, PodState } from '../codec/records.generated.js';
import { BARE_POD_KIND } from './cost-samples.js';
import type { ContainerState } from './recommend.js';
import type { WorkloadContainerRef } from './recommendation.js';
import { WorkloadScaling, hpaStateOf } from './workload-scaling.js';

/** What the table keeps of a pod. */
interface PodEntry {
  readonly uid: string;
  readonly workload: string;
  /** When a kubelet accepted it (status.startTime); null while it waits to be scheduled, when it is no replica yet. */
  readonly from: number | null;
  readonly until: number | null;
  readonly deletedAt: number | null;
  readonly observedAt: number;
  readonly containers: readonly ContainerResources[];
}

/** The workload container a pod's container belongs to (a bare pod is its own workload, as in cost-samples.ts). */
export function targetOfPod(object: KubeObject & { pod: PodState }, container: string): WorkloadContainerRef {
  const workload = object.pod.workload;
  return {
    cluster: object.cluster,
    namespace: object.namespace ?? '',
    workloadKind: workload ? workload.kind : BARE_POD_KIND,
    workloadName: workload ? workload.name : object.name,
    container,
  };
}

function workloadOf(target: Omit<WorkloadContainerRef, 'container'>): string {
  return [target.cluster, target.namespace, target.workloadKind, target.workloadName].join('/');
}

/**
 * The pods of every workload, with its Deployment or StatefulSet and its
 * autoscaler (workload-scaling.ts), from kcost.kube.v1 read as a table:
 * what a workload container's spec, replicas and HPA were at an event time.
 * Deleted objects stay until prune() so that an hour being published still
 * sees what ran in it.
 */
export class WorkloadPods {
  private readonly pods = new Map<string, PodEntry>();
  private readonly byWorkload = new Map<string, Set<string>>();
  private readonly scaling = new WorkloadScaling();

  /** Applies a pod's, a workload's or an autoscaler's observed state; other kinds and older pod observations change nothing. */
  apply(object: KubeObject): void {
    if (object.kind !== 'POD') {
      this.scaling.apply(object);
      return;
    }
    if (!object.pod) return;
    const id = `${object.cluster}/${object.uid}`;
    const previous = this.pods.get(id);
    if (previous && previous.observedAt > object.observedAt) return;
    const target = targetOfPod(object as KubeObject & { pod: PodState }, '');
    const workload = workloadOf(target);
    if (previous) this.byWorkload.get(previous.workload)?.delete(id);
    this.pods.set(id, {
      uid: object.uid,
      workload,
      from: object.pod.startedAt,
      until: object.pod.endedAt ?? object.deletedAt,
      deletedAt: object.deletedAt,
      observedAt: object.observedAt,
      containers: object.pod.containers,
    });
    const members = this.byWorkload.get(workload) ?? new Set<string>();
    members.add(id);
    this.byWorkload.set(workload, members);
  }

  /**
   * The container's spec, replicas and HPA at `atMillis`: the spec of the
   * newest of its workload's pods that ran then and their restarts summed;
   * as replicas the autoscaler's current replicas, else the workload's
   * desired replicas, else the count of those pods; the autoscaler that
   * targeted the workload then, if any. Null when none of its pods ran then.
   */
  containerStateAt(target: WorkloadContainerRef, atMillis: number): ContainerState | null {
    const running: PodEntry[] = [];
    for (const id of this.byWorkload.get(workloadOf(target)) ?? []) {
      const pod = this.pods.get(id);
      if (pod && pod.from !== null && pod.from <= atMillis && (pod.until === null || pod.until > atMillis) && pod.containers.some((c) => c.name === target.container)) running.push(pod);
    }
    if (running.length === 0) return null;
    running.sort((a, b) => (b.from ?? 0) - (a.from ?? 0) || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
    const newest = running[0] as PodEntry;
    const spec = newest.containers.find((c) => c.name === target.container) as ContainerResources;
    const restartCount = running.reduce((sum, pod) => sum + (pod.containers.find((c) => c.name === target.container)?.restartCount ?? 0), 0);
    const workload = workloadOf(target);
    const autoscaler = this.scaling.autoscalerAt(workload, atMillis);
    return {
      target,
      replicas: this.scaling.replicasAt(workload, atMillis)?.replicas ?? running.length,
      containersPerPod: newest.containers.length,
      cpuRequestCores: spec.cpuRequestCores > 0 ? spec.cpuRequestCores : null,
      cpuLimitCores: spec.cpuLimitCores,
      memoryRequestBytes: spec.memoryRequestBytes > 0 ? spec.memoryRequestBytes : null,
      memoryLimitBytes: spec.memoryLimitBytes,
      restartCount,
      hpa: autoscaler ? hpaStateOf(autoscaler, target.container) : null,
    };
  }

  /** Forgets pods, workloads and autoscalers deleted before `beforeMillis`, and autoscaler and workload states superseded before then. */
  prune(beforeMillis: number): void {
    this.scaling.prune(beforeMillis);
    for (const [id, pod] of this.pods) {
      if (pod.deletedAt !== null && pod.deletedAt < beforeMillis) {
        this.pods.delete(id);
        const members = this.byWorkload.get(pod.workload);
        members?.delete(id);
        if (members?.size === 0) this.byWorkload.delete(pod.workload);
      }
    }
  }

  /** Pods followed. */
  get size(): number {
    return this.pods.size;
  }

  /** Workloads and autoscalers followed. */
  get scalingSize(): number {
    return this.scaling.size;
  }
}
