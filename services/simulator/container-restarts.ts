import type { ContainerSpec, Workload } from './cluster-plan.js';
import { demandKill, leakedBytes, leakKills, NO_RESTARTS, type MemoryLeak, type RestartHistory } from './oom-model.js';
import type { PodIncarnation } from './timeline.js';
import type { ContainerUsage } from './usage-model.js';

/**
 * The restart history of every simulated container, kept window by window:
 * a container whose memory demand passes its limit is OOM-killed (and
 * restarts). A leaking workload's memory is the leak's since its container
 * last started, which each kill resets; the usage it reports never exceeds
 * its limit, as a cgroup's would not.
 */
export class ContainerRestarts {
  private readonly histories = new Map<PodIncarnation, Map<string, RestartHistory>>();
  private readonly leakStarts = new Map<PodIncarnation, number>();

  constructor(private readonly leaks: ReadonlyMap<Workload, MemoryLeak>) {}

  /** The pod's histories by container name; undefined while none of its containers was ever killed. */
  of(pod: PodIncarnation): ReadonlyMap<string, RestartHistory> | undefined {
    return this.histories.get(pod);
  }

  /**
   * Applies one window's usage of a container of a pod that started at
   * `podStartedAt`: returns the usage as reported and whether the container
   * was OOM-killed in the window.
   */
  observe(pod: PodIncarnation, container: ContainerSpec, usage: ContainerUsage, podStartedAt: number, windowStart: number, windowMillis: number): { usage: ContainerUsage; killed: boolean } {
    const before = this.histories.get(pod)?.get(container.name) ?? NO_RESTARTS;
    const leak = this.leaks.get(pod.slot.workload);
    let after: RestartHistory;
    let reported = usage;
    if (leak && container.memoryLimitBytes !== null) {
      const limit = container.memoryLimitBytes;
      const windowEnd = windowStart + windowMillis;
      const killed = leakKills(leak, limit, this.leakStarts.get(pod) ?? podStartedAt, before, windowEnd);
      this.leakStarts.set(pod, killed.startedAt);
      after = killed.history;
      const at = (t: number): number => Math.min(limit, Math.round(leakedBytes(leak, t - killed.startedAt)));
      reported = { ...usage, memoryAvgBytes: at(windowStart + windowMillis / 2), memoryMaxBytes: after === before ? at(windowEnd) : limit };
    } else {
      after = demandKill(usage.memoryMaxBytes, container.memoryLimitBytes, windowStart + windowMillis / 2, before);
    }
    if (after === before) return { usage: reported, killed: false };
    const pods = this.histories.get(pod) ?? new Map<string, RestartHistory>();
    pods.set(container.name, after);
    this.histories.set(pod, pods);
    return { usage: reported, killed: true };
  }

  /** Forgets a pod that ended. */
  forget(pod: PodIncarnation): void {
    this.histories.delete(pod);
    this.leakStarts.delete(pod);
  }
}
