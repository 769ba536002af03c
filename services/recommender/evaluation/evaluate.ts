import type { Strategy } from '../strategy.js';
import { krrReferencePlanner, strategyPlanner, unchangedPlanner } from './planners.js';
import { replay, type Planner, type ReplayOptions, type Score } from './replay.js';
import { MINUTES_PER_DAY, type Workload } from './workloads.js';

export interface Rates {
  readonly cpuCoreHourUsd: number;
  readonly memoryGibHourUsd: number;
}

/** One strategy on one workload. */
export interface Outcome extends Score {
  readonly strategy: string;
  readonly workload: string;
  /** Requested cost over the scored period at the given rates. */
  readonly costUsd: number;
  /** The unchanged spec's cost minus this one's, over the scored period. */
  readonly savedUsd: number;
}

export interface Evaluation {
  readonly strategies: readonly string[];
  readonly workloads: readonly string[];
  readonly outcomes: readonly Outcome[];
  readonly scoredDays: number;
}

/** The planners every workload is replayed under: today's spec, the reference KRR, then each core strategy. */
export type PlannerFactory = (workload: Workload) => Planner;

export function plannersFor(strategies: readonly Strategy[]): PlannerFactory[] {
  return [() => unchangedPlanner(), (w) => krrReferencePlanner(w), ...strategies.map((s) => (w: Workload) => strategyPlanner(s, w))];
}

/** Replays every workload under every planner and prices what each requested. */
export function evaluate(workloads: readonly Workload[], planners: readonly PlannerFactory[], options: ReplayOptions, rates: Rates): Evaluation {
  const outcomes: Outcome[] = [];
  let names: string[] = [];
  for (const workload of workloads) {
    const scores = planners.map((make) => {
      const planner = make(workload);
      return { name: planner.name, score: replay(workload, planner, options) };
    });
    names = scores.map((s) => s.name);
    const cost = (s: Score): number => s.coreHours * rates.cpuCoreHourUsd + s.gibHours * rates.memoryGibHourUsd;
    const unchanged = scores[0] ? cost(scores[0].score) : 0;
    for (const { name, score } of scores) outcomes.push({ ...score, strategy: name, workload: workload.name, costUsd: cost(score), savedUsd: unchanged - cost(score) });
  }
  const days = workloads[0] ? (workloads[0].minutes - options.scoreFromMinute) / MINUTES_PER_DAY : 0;
  return { strategies: names, workloads: workloads.map((w) => w.name), outcomes, scoredDays: days };
}

/** Sums of a strategy's outcomes over all workloads. */
export function totals(evaluation: Evaluation, strategy: string): Omit<Outcome, 'workload'> {
  const mine = evaluation.outcomes.filter((o) => o.strategy === strategy);
  const sum = (pick: (o: Outcome) => number): number => mine.reduce((s, o) => s + pick(o), 0);
  return {
    strategy,
    coreHours: sum((o) => o.coreHours),
    gibHours: sum((o) => o.gibHours),
    oomKills: sum((o) => o.oomKills),
    oomMinutes: sum((o) => o.oomMinutes),
    cpuStarvedMinutes: sum((o) => o.cpuStarvedMinutes),
    cpuShortfallCoreHours: sum((o) => o.cpuShortfallCoreHours),
    replicaHours: sum((o) => o.replicaHours),
    changes: sum((o) => o.changes),
    scoredMinutes: sum((o) => o.scoredMinutes),
    costUsd: sum((o) => o.costUsd),
    savedUsd: sum((o) => o.savedUsd),
  };
}



/** Runs on several seeds pooled: each workload's and strategy's figures summed over the runs. */
export function pooled(runs: readonly Evaluation[]): Evaluation {
  const first = runs[0];
  if (!first) return { strategies: [], workloads: [], outcomes: [], scoredDays: 0 };
  const outcomes = first.outcomes.map((o) => {
    const same = runs.map((r) => r.outcomes.find((x) => x.workload === o.workload && x.strategy === o.strategy)).filter((x): x is Outcome => x !== undefined);
    const sum = (pick: (x: Outcome) => number): number => same.reduce((s, x) => s + pick(x), 0);
    return {
      strategy: o.strategy,
      workload: o.workload,
      coreHours: sum((x) => x.coreHours),
      gibHours: sum((x) => x.gibHours),
      oomKills: sum((x) => x.oomKills),
      oomMinutes: sum((x) => x.oomMinutes),
      cpuStarvedMinutes: sum((x) => x.cpuStarvedMinutes),
      cpuShortfallCoreHours: sum((x) => x.cpuShortfallCoreHours),
      replicaHours: sum((x) => x.replicaHours),
      changes: sum((x) => x.changes),
      scoredMinutes: sum((x) => x.scoredMinutes),
      costUsd: sum((x) => x.costUsd),
      savedUsd: sum((x) => x.savedUsd),
    };
  });
  return { strategies: first.strategies, workloads: first.workloads, outcomes, scoredDays: runs.reduce((s, r) => s + r.scoredDays, 0) };
}
