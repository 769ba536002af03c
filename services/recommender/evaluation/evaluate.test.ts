import { describe, expect, it } from 'vitest';
import { KCOST_STRATEGY, KRR_SIMPLE_STRATEGY, VPA_STRATEGY } from '../strategy.js';
import { evaluate, plannersFor, pooled, totals } from './evaluate.js';
import { checkGoal, goalChecks, KCOST, KRR, VPA } from './goal.js';
import { outcomeTable } from './report-table.js';
import { archetypes, MINUTES_PER_DAY } from './workloads.js';

const RATES = { cpuCoreHourUsd: 0.031611, memoryGibHourUsd: 0.004237 };
const SMALL = { scoreFromMinute: 2 * MINUTES_PER_DAY, applyEveryMinutes: MINUTES_PER_DAY, crashLoopMinutes: 5 };

describe('the rightsizing evaluation on a small case', () => {
  const workloads = archetypes(4, 7);
  const evaluation = evaluate(workloads, plannersFor([VPA_STRATEGY, KRR_SIMPLE_STRATEGY, KCOST_STRATEGY]), SMALL, RATES);

  it('prices an unchanged spec at exactly replicas × request × hours', () => {
    const steady = workloads.find((w) => w.name === 'steady');
    const current = evaluation.outcomes.find((o) => o.workload === 'steady' && o.strategy === 'current');
    expect(steady && current).toBeTruthy();
    if (!steady || !current) return;
    expect(current.coreHours).toBeCloseTo(steady.replicas * steady.initial.cpuRequestCores * 48, 9);
    expect(current.savedUsd).toBe(0);
    expect(current.changes).toBe(0);
  });

  it('scores every strategy on every workload with finite, non-negative figures', () => {
    expect(evaluation.strategies).toEqual(['current', KRR, VPA, 'krr-simple', KCOST]);
    expect(evaluation.outcomes).toHaveLength(workloads.length * 5);
    for (const o of evaluation.outcomes) for (const v of [o.coreHours, o.gibHours, o.oomKills, o.cpuStarvedMinutes, o.costUsd]) expect(Number.isFinite(v) && v >= 0).toBe(true);
    // Two scored days, each strategy asked on both: every one that changed something saved against today's generous specs.
    expect(totals(evaluation, KCOST).savedUsd).toBeGreaterThan(0);
    expect(evaluation.scoredDays).toBe(2);
  });

  it('checks the goal per workload and overall, and tabulates every row', () => {
    const checks = goalChecks(evaluation);
    expect(checks.map((c) => c.scope)).toEqual([...workloads.map((w) => w.name), 'all workloads']);
    const table = outcomeTable(evaluation);
    expect(table.split('\n')).toHaveLength(2 + evaluation.outcomes.length + evaluation.strategies.length);
  });

  it('pools seeds by summing', () => {
    const twice = pooled([evaluation, evaluation]);
    expect(totals(twice, KCOST).coreHours).toBeCloseTo(2 * totals(evaluation, KCOST).coreHours, 9);
    expect(twice.scoredDays).toBe(4);
  });
});

describe('checkGoal', () => {
  const f = (coreHours: number, oomKills: number, cpuStarvedMinutes: number) => ({ coreHours, oomKills, cpuStarvedMinutes, cpuShortfallCoreHours: 0 });
  it('needs all three: 20 % fewer core-hours than KRR, OOMs ≤ VPA, starvation ≤ the better baseline', () => {
    expect(checkGoal('x', f(80, 1, 10), f(100, 1, 10), f(100, 5, 50)).met).toBe(true);
    expect(checkGoal('x', f(81, 1, 10), f(100, 1, 10), f(100, 5, 50)).fewerCoreHours).toBe(false);
    expect(checkGoal('x', f(50, 2, 10), f(100, 1, 10), f(100, 0, 50)).noMoreOoms).toBe(false);
    expect(checkGoal('x', f(50, 0, 11), f(100, 1, 50), f(100, 0, 10)).noMoreStarvation).toBe(false);
  });
});
