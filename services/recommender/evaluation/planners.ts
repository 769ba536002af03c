import type { Rates } from '../pricing.js';
import type { ContainerState } from '../recommend.js';
import { Recommender } from '../recommender.js';
import type { Strategy } from '../strategy.js';
import type { Observation, Planner } from './replay.js';
import type { AppliedSpec, Workload } from './workloads.js';

const MINUTE = 60_000;
/** Minute 0 of every replay, a Monday. */
export const REPLAY_EPOCH_MILLIS = Date.parse('2026-01-05T00:00:00Z');
const BENCH_RATES: Rates = { cpuCoreHourUsd: 0.031611, memoryGibHourUsd: 0.004237, cpuPriceSource: 'default', memoryPriceSource: 'default' };

/** Leaves the starting spec alone: what the workload costs without advice. */
export function unchangedPlanner(): Planner {
  return { name: 'current', observe: () => undefined, oomKilled: () => undefined, plan: (_m, current) => current };
}

/** A strategy of the recommender core, applied as a user (or VPA's updater) would apply its CHANGE advice. */
export function strategyPlanner(strategy: Strategy, workload: Workload, label = strategy.name): Planner {
  const recommender = new Recommender(strategy);
  const key = `bench/default/Deployment/${workload.name}/app`;
  return {
    name: label,
    observe(o: Observation): void {
      recommender.observeUsage(key, {
        podUid: o.podUid,
        windowStart: REPLAY_EPOCH_MILLIS + o.minute * MINUTE,
        windowSeconds: 60,
        cpuCores: o.cpuCores,
        memoryPeakBytes: o.memoryPeakBytes,
        cpuRequestCores: o.spec.cpuRequestCores,
      });
    },
    oomKilled(minute, podUid, spec): void {
      recommender.observeTermination(key, { podUid, reason: 'OOMKilled', finishedAt: REPLAY_EPOCH_MILLIS + minute * MINUTE, memoryRequestBytes: spec.memoryRequestBytes, memoryLimitBytes: spec.memoryLimitBytes });
    },
    plan(minute, current, replicas): AppliedSpec {
      const state: ContainerState = {
        target: { cluster: 'bench', namespace: 'default', workloadKind: 'Deployment', workloadName: workload.name, container: 'app' },
        replicas,
        containersPerPod: 1,
        cpuRequestCores: current.cpuRequestCores,
        cpuLimitCores: current.cpuLimitCores,
        memoryRequestBytes: current.memoryRequestBytes,
        memoryLimitBytes: current.memoryLimitBytes,
        restartCount: 0,
        hpa: workload.hpa && current.hpaTargetUtilizationPercent !== null ? { ...workload.hpa, metrics: [{ resource: 'cpu', targetUtilizationPercent: current.hpaTargetUtilizationPercent }], loadMetrics: [] } : null,
      };
      const rec = recommender.recommend(key, state, BENCH_RATES, REPLAY_EPOCH_MILLIS + minute * MINUTE).workloadResources;
      if (!rec) return current;
      const cpuRequest = rec.cpu.action === 'CHANGE' ? rec.cpu.recommendedRequest : null;
      const memoryRequest = rec.memory.action === 'CHANGE' ? rec.memory.recommendedRequest : null;
      const cpu = cpuRequest !== null;
      if (!cpu && memoryRequest === null) return current;
      const target = rec.hpa.find((h) => h.resource === 'cpu')?.recommendedTargetUtilizationPercent ?? null;
      return {
        cpuRequestCores: cpuRequest ?? current.cpuRequestCores,
        cpuLimitCores: cpu ? rec.cpu.recommendedLimit : current.cpuLimitCores,
        memoryRequestBytes: memoryRequest ?? current.memoryRequestBytes,
        memoryLimitBytes: memoryRequest !== null ? rec.memory.recommendedLimit : current.memoryLimitBytes,
        hpaTargetUtilizationPercent: cpu && target !== null ? target : current.hpaTargetUtilizationPercent,
      };
    },
  };
}

/** numpy.percentile's default (linear interpolation between the closest ranks) over unsorted values; p in 0..100. */
export function linearPercentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

/**
 * Robusta KRR's "simple" strategy on the raw samples, as its source computes
 * it (robusta_krr/strategies/simple.py with the Prometheus loaders): CPU
 * request = 95th percentile of the per-minute CPU rate over the last 336 h
 * (the maximum of the pods' percentiles, and the bench's replicas are
 * alike), no CPU limit; memory request = limit = maximum working set + 15 %;
 * nothing below 100 points; CPU left alone when an HPA scales on it. KRR
 * has no minimum change; the bench applies the same 10 % rule to every
 * strategy so that none is charged for churn the others skip.
 */
export function krrReferencePlanner(workload: Workload, minChangeFraction = 0.1): Planner {
  const historyMinutes = 336 * 60;
  const cpu: number[] = [];
  const memory: number[] = [];
  const minutes: number[] = [];
  const moved = (next: number | null, now: number | null): boolean => (next === null || now === null ? next !== now : Math.abs(next - now) / now >= minChangeFraction);
  return {
    name: 'krr-simple (reference)',
    observe(o: Observation): void {
      cpu.push(o.cpuCores);
      memory.push(o.memoryPeakBytes);
      minutes.push(o.minute);
    },
    oomKilled: () => undefined,
    plan(minute, current): AppliedSpec {
      let head = 0;
      while (head < minutes.length && (minutes[head] as number) <= minute - historyMinutes) head++;
      cpu.splice(0, head);
      memory.splice(0, head);
      minutes.splice(0, head);
      if (cpu.length < 100) return current;
      const hpaOnCpu = workload.hpa !== null && current.hpaTargetUtilizationPercent !== null;
      const cpuRequest = Math.ceil(linearPercentile(cpu, 95) * 1000) / 1000;
      const memoryRequest = Math.ceil(Math.max(...memory) * 1.15);
      const cpuMoves = !hpaOnCpu && (moved(cpuRequest, current.cpuRequestCores) || moved(null, current.cpuLimitCores));
      const memoryMoves = moved(memoryRequest, current.memoryRequestBytes) || moved(memoryRequest, current.memoryLimitBytes);
      if (!cpuMoves && !memoryMoves) return current;
      return {
        ...current,
        ...(cpuMoves ? { cpuRequestCores: Math.max(0.001, cpuRequest), cpuLimitCores: null } : {}),
        ...(memoryMoves ? { memoryRequestBytes: memoryRequest, memoryLimitBytes: memoryRequest } : {}),
      };
    },
  };
}
