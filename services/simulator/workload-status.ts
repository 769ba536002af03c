import type { PodSlot, Workload } from './cluster-plan.js';
import type { PodIncarnation } from './timeline.js';

/** A workload's replica counts as its controller reports them. */
export interface ReplicaCounts {
  /** Replicas asked for: its slots that want to run now (anomaly and autoscaler replicas only during their stretch). */
  readonly desired: number;
  /** Its pods that exist, Pending ones included. */
  readonly replicas: number;
  /** Those running on a node. */
  readonly ready: number;
}

/**
 * Follows the replica counts of the cluster's Deployments and StatefulSets
 * as their pods start and end, and says which changed: the simulator
 * publishes a WORKLOAD state only then, as the collector's watch would.
 */
export class WorkloadStatus {
  private readonly always = new Map<Workload, number>();
  private readonly stretches = new Map<Workload, Array<{ readonly startMillis: number; readonly endMillis: number }>>();
  private readonly existing = new Map<Workload, number>();
  private readonly running = new Map<Workload, number>();
  private readonly published = new Map<Workload, ReplicaCounts>();

  constructor(readonly workloads: readonly Workload[], slots: readonly PodSlot[]) {
    const followed = new Set(workloads.filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet'));
    for (const w of followed) this.always.set(w, 0);
    for (const slot of slots) {
      const w = slot.workload;
      if (!followed.has(w)) continue;
      if (slot.onlyDuring === null) this.always.set(w, (this.always.get(w) ?? 0) + 1);
      else this.stretches.set(w, [...(this.stretches.get(w) ?? []), slot.onlyDuring]);
    }
  }

  started(pod: PodIncarnation): void {
    this.count(pod, 1);
  }

  ended(pod: PodIncarnation): void {
    this.count(pod, -1);
  }

  /** Workloads whose counts differ at `atMillis` from what was last reported (all of them the first time), in plan order. */
  changes(atMillis: number): Array<{ readonly workload: Workload; readonly counts: ReplicaCounts }> {
    const changed: Array<{ workload: Workload; counts: ReplicaCounts }> = [];
    for (const [workload, always] of this.always) {
      const desired = always + (this.stretches.get(workload) ?? []).filter((s) => s.startMillis <= atMillis && atMillis < s.endMillis).length;
      const counts = { desired, replicas: this.existing.get(workload) ?? 0, ready: this.running.get(workload) ?? 0 };
      const last = this.published.get(workload);
      if (last && last.desired === counts.desired && last.replicas === counts.replicas && last.ready === counts.ready) continue;
      this.published.set(workload, counts);
      changed.push({ workload, counts });
    }
    return changed;
  }

  private count(pod: PodIncarnation, by: number): void {
    const w = pod.slot.workload;
    if (!this.always.has(w)) return;
    this.existing.set(w, (this.existing.get(w) ?? 0) + by);
    if (pod.node) this.running.set(w, (this.running.get(w) ?? 0) + by);
  }
}
