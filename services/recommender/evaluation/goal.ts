import { totals, type Evaluation, type Outcome } from './evaluate.js';

/** Labels of the planners the goal compares (as evaluate() names them). */
export const KCOST = 'kcost';
export const VPA = 'vpa';
export const KRR = 'krr-simple (reference)';

type Figures = Pick<Outcome, 'coreHours' | 'oomKills' | 'cpuStarvedMinutes' | 'cpuShortfallCoreHours'>;

/** Issue 15's goal on one set of figures: ≥ 20 % fewer core-hours than KRR, no more OOM kills than VPA, no more starved minutes than the better of the two. */
export interface GoalCheck {
  readonly scope: string;
  readonly coreHoursVsKrr: number;
  readonly fewerCoreHours: boolean;
  readonly noMoreOoms: boolean;
  readonly noMoreStarvation: boolean;
  readonly met: boolean;
  readonly kcost: Figures;
  readonly vpa: Figures;
  readonly krr: Figures;
}

export function checkGoal(scope: string, kcost: Figures, vpa: Figures, krr: Figures): GoalCheck {
  const coreHoursVsKrr = krr.coreHours > 0 ? kcost.coreHours / krr.coreHours : kcost.coreHours > 0 ? Number.POSITIVE_INFINITY : 1;
  const fewerCoreHours = coreHoursVsKrr <= 0.8;
  const noMoreOoms = kcost.oomKills <= vpa.oomKills;
  const noMoreStarvation = kcost.cpuStarvedMinutes <= Math.min(vpa.cpuStarvedMinutes, krr.cpuStarvedMinutes);
  return { scope, coreHoursVsKrr, fewerCoreHours, noMoreOoms, noMoreStarvation, met: fewerCoreHours && noMoreOoms && noMoreStarvation, kcost, vpa, krr };
}

/** The goal per workload and over all of them. */
export function goalChecks(evaluation: Evaluation): GoalCheck[] {
  const pick = (workload: string, strategy: string): Outcome => {
    const found = evaluation.outcomes.find((o) => o.workload === workload && o.strategy === strategy);
    if (!found) throw new Error(`no outcome for ${strategy} on ${workload}`);
    return found;
  };
  const checks = evaluation.workloads.map((w) => checkGoal(w, pick(w, KCOST), pick(w, VPA), pick(w, KRR)));
  checks.push(checkGoal('all workloads', totals(evaluation, KCOST), totals(evaluation, VPA), totals(evaluation, KRR)));
  return checks;
}

/** What a missed goal is, in words. */
export function missedParts(check: GoalCheck): string[] {
  const parts: string[] = [];
  if (!check.fewerCoreHours) parts.push(`core-hours ${((check.coreHoursVsKrr - 1) * 100).toFixed(1)} % vs KRR (goal ≤ −20 %)`);
  if (!check.noMoreOoms) parts.push(`${check.kcost.oomKills} OOM kills vs VPA's ${check.vpa.oomKills}`);
  if (!check.noMoreStarvation) parts.push(`${check.kcost.cpuStarvedMinutes} starved minutes vs ${Math.min(check.vpa.cpuStarvedMinutes, check.krr.cpuStarvedMinutes)}`);
  return parts;
}
