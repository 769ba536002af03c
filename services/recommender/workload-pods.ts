import type { ContainerResources, KubeObject, PodState } from '../codec/records.generated.js';
import { BARE_POD_KIND } from './cost-samples.js';
import type { ContainerState } from './recommend.js';
import type { WorkloadContainerRef } from './recommendation.js';

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
 * The pods of every workload, from kcost.kube.v1 read as a table: what a
 * workload container's spec is and how many replicas ran at an event time.
 * Deleted pods stay until prune() so that an hour being published still
 * counts the replicas that ran in it.
 */
export class WorkloadPods {
  private readonly pods = new Map<string, PodEntry>();
  private readonly byWorkload = new Map<string, Set<string>>();

  /** Applies a pod's observed state; other kinds and older observations change nothing. */
  apply(object: KubeObject): void {
    if (object.kind !== 'POD' || !object.pod) return;
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
   * The container's spec and replicas at `atMillis`: the pods of its
   * workload that ran then, their count as replicas, their restarts summed,
   * and the spec of the newest of them; null when none ran then.
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
    return {
      target,
      replicas: running.length,
      containersPerPod: newest.containers.length,
      cpuRequestCores: spec.cpuRequestCores > 0 ? spec.cpuRequestCores : null,
      cpuLimitCores: spec.cpuLimitCores,
      memoryRequestBytes: spec.memoryRequestBytes > 0 ? spec.memoryRequestBytes : null,
      memoryLimitBytes: spec.memoryLimitBytes,
      restartCount,
      // HPA state is not on KubeObject yet (issue 15's KubeObject evolution): the workload's HPA, looked up by its target, goes here.
      hpa: null,
    };
  }

  /** Forgets pods deleted before `beforeMillis`. */
  prune(beforeMillis: number): void {
    for (const [id, pod] of this.pods) {
      if (pod.deletedAt !== null && pod.deletedAt < beforeMillis) {
        this.pods.delete(id);
        const members = this.byWorkload.get(pod.workload);
        members?.delete(id);
        if (members?.size === 0) this.byWorkload.delete(pod.workload);
      }
    }
  }

  get size(): number {
    return this.pods.size;
  }
}
