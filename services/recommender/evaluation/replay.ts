import type { AppliedSpec, Workload } from './workloads.js';

const GIB = 1024 ** 3;

/** One minute of what the cluster lets a strategy see: usage capped by the limits in effect. */
export interface Observation {
  readonly minute: number;
  readonly podUid: string;
  readonly cpuCores: number;
  readonly memoryPeakBytes: number;
  readonly spec: AppliedSpec;
  readonly replicas: number;
}

/** A strategy under test: it watches usage and OOM kills, and says what spec to run. */
export interface Planner {
  readonly name: string;
  observe(observation: Observation): void;
  oomKilled(minute: number, podUid: string, spec: AppliedSpec): void;
  /** The spec to run from `minute` on; returning `current` leaves it. */
  plan(minute: number, current: AppliedSpec, replicas: number): AppliedSpec;
}

export interface ReplayOptions {
  /** Minutes before this are history only; scoring and applying start here. */
  readonly scoreFromMinute: number;
  /** The strategy is asked again every this many minutes (and right after each OOM kill). */
  readonly applyEveryMinutes: number;
  /** Kubelet's restart back-off cap: a container that stays over its limit is killed again this often. */
  readonly crashLoopMinutes: number;
}

export const DEFAULT_REPLAY: ReplayOptions = Object.freeze({ scoreFromMinute: 14 * 24 * 60, applyEveryMinutes: 24 * 60, crashLoopMinutes: 5 });

/** What a strategy's specs cost and caused over the scored minutes, against the workload's true demand. */
export interface Score {
  /** Σ replicas × CPU request over the scored minutes, in core-hours (the requested capacity paid for). */
  readonly coreHours: number;
  readonly gibHours: number;
  /** OOM kills: a replica's memory demand above its memory limit kills it, again every crash-loop interval while it stays above. */
  readonly oomKills: number;
  /** Replica-minutes spent over the memory limit (killed or crash-looping). */
  readonly oomMinutes: number;
  /** Replica-minutes whose CPU demand exceeded the CPU request (what a full node guarantees) or the CPU limit. */
  readonly cpuStarvedMinutes: number;
  /** Σ (demand − request) over starved replica-minutes, in core-hours: how much work waited. */
  readonly cpuShortfallCoreHours: number;
  readonly replicaHours: number;
  /** Specs applied that differed from the one before. */
  readonly changes: number;
  readonly scoredMinutes: number;
}

/**
 * The HPA controller as the bench models it: every minute it computes
 * ceil(load / (request × target)) from the previous minute's load, leaves
 * the count alone within its 10 % tolerance, scales up at once and down only
 * to the highest count of the last 5 minutes (its stabilization window).
 */
export class HpaSimulator {
  private readonly recent: number[] = [];
  replicas: number;

  constructor(
    private readonly minReplicas: number,
    private readonly maxReplicas: number,
    initialReplicas: number,
  ) {
    this.replicas = this.clamp(initialReplicas);
  }

  step(previousTotalCores: number, requestCores: number, targetPercent: number): number {
    const utilization = previousTotalCores / (this.replicas * requestCores);
    const target = targetPercent / 100;
    const desired = Math.abs(utilization / target - 1) <= 0.1 ? this.replicas : this.clamp(Math.ceil(previousTotalCores / (requestCores * target) - 1e-9));
    this.recent.push(desired);
    if (this.recent.length > 5) this.recent.shift();
    this.replicas = desired >= this.replicas ? desired : Math.max(...this.recent);
    return this.replicas;
  }

  private clamp(n: number): number {
    return Math.min(this.maxReplicas, Math.max(this.minReplicas, n));
  }
}

function changed(a: AppliedSpec, b: AppliedSpec): boolean {
  return a.cpuRequestCores !== b.cpuRequestCores || a.cpuLimitCores !== b.cpuLimitCores || a.memoryRequestBytes !== b.memoryRequestBytes || a.memoryLimitBytes !== b.memoryLimitBytes || a.hpaTargetUtilizationPercent !== b.hpaTargetUtilizationPercent;
}

/**
 * Replays a workload minute by minute under a planner's specs and scores the
 * minutes from `scoreFromMinute` on against the true demand. "Full node" is
 * the worst case a request is for: every other pod on the node uses its own
 * request, so a container gets exactly its request and no idle CPU beyond
 * it — any demand above the request (or above a CPU limit) is starved.
 */
export function replay(workload: Workload, planner: Planner, options: ReplayOptions = DEFAULT_REPLAY): Score {
  let spec = workload.initial;
  const hpa = workload.hpa && spec.hpaTargetUtilizationPercent !== null
    ? new HpaSimulator(workload.hpa.minReplicas, workload.hpa.maxReplicas, Math.ceil((workload.cpuDemand[0] ?? 0) / (spec.cpuRequestCores * (spec.hpaTargetUtilizationPercent / 100))))
    : null;
  let coreHours = 0;
  let gibHours = 0;
  let oomKills = 0;
  let oomMinutes = 0;
  let starved = 0;
  let shortfall = 0;
  let replicaHours = 0;
  let changes = 0;
  let scoredMinutes = 0;
  let overSince: number | null = null;
  const apply = (minute: number, replicas: number): void => {
    const next = planner.plan(minute, spec, replicas);
    if (changed(next, spec)) changes++;
    spec = next;
  };
  for (let m = 0; m < workload.minutes; m++) {
    const scored = m >= options.scoreFromMinute;
    const fixedReplicas = hpa ? hpa.replicas : workload.replicas;
    if (scored && (m - options.scoreFromMinute) % options.applyEveryMinutes === 0) apply(m, fixedReplicas);
    if (workload.running[m] !== 1) {
      overSince = null;
      continue;
    }
    const demand = workload.cpuDemand[m] ?? 0;
    const replicas = hpa ? hpa.step(workload.cpuDemand[m - 1] ?? demand, spec.cpuRequestCores, spec.hpaTargetUtilizationPercent ?? 100) : workload.replicas;
    const cpu = hpa ? demand / replicas : demand;
    const memory = (workload.memoryDemand[m] ?? 0) + workload.memoryPerCoreBytes * (hpa ? cpu : 0);
    const podUid = workload.podOf(m);
    const over = spec.memoryLimitBytes !== null && memory > spec.memoryLimitBytes;
    let killed = false;
    if (over) {
      overSince ??= m;
      killed = (m - overSince) % options.crashLoopMinutes === 0;
    } else overSince = null;
    if (scored) {
      scoredMinutes++;
      replicaHours += replicas / 60;
      coreHours += (replicas * spec.cpuRequestCores) / 60;
      gibHours += (replicas * spec.memoryRequestBytes) / GIB / 60;
      const ceiling = spec.cpuLimitCores === null ? spec.cpuRequestCores : Math.min(spec.cpuRequestCores, spec.cpuLimitCores);
      if (cpu > ceiling) {
        starved += replicas;
        shortfall += (replicas * (cpu - ceiling)) / 60;
      }
      if (over) oomMinutes += replicas;
      if (killed) oomKills += replicas;
    }
    planner.observe({
      minute: m,
      podUid,
      cpuCores: spec.cpuLimitCores === null ? cpu : Math.min(cpu, spec.cpuLimitCores),
      memoryPeakBytes: spec.memoryLimitBytes === null ? memory : Math.min(memory, spec.memoryLimitBytes),
      spec,
      replicas,
    });
    if (killed) {
      planner.oomKilled(m, podUid, spec);
      // Every strategy is asked again at once after a kill (VPA reacts within its loop; KRR when someone reruns it).
      if (scored) apply(m, replicas);
    }
  }
  return { coreHours, gibHours, oomKills, oomMinutes, cpuStarvedMinutes: starved, cpuShortfallCoreHours: shortfall, replicaHours, changes, scoredMinutes };
}
