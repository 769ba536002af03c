import { KcostError } from '../errors/kcost-error.js';

/** Hours in the month kcost's monthly figures are scaled to (8760 / 12). */
export const HOURS_PER_MONTH = 730;

/**
 * A commitment offer: 1 or 3 years at `discount` off on-demand, with
 * `upfrontFraction` of the whole term's commitment paid on day one (0 no
 * upfront, 0.5 partial, 1 all upfront).
 */
export interface CommitmentTerm {
  readonly name: string;
  readonly years: 1 | 3;
  readonly discount: number;
  readonly upfrontFraction: number;
}

/** The commitment level that maximizes net saving over a lookback, and what it does. */
export interface CommitmentPlan {
  readonly term: CommitmentTerm;
  /** On-demand-equivalent spend the commitment covers each hour (c); 0 advises not to commit. */
  readonly coveredOnDemandUsdPerHour: number;
  /** What is paid each hour, used or not: c × (1 − discount), AWS Savings Plans' "hourly commitment". */
  readonly commitmentUsdPerHour: number;
  /** Used / committed over the lookback, 0..1 (0 when nothing is committed). */
  readonly expectedUtilization: number;
  /** Covered / total on-demand spend over the lookback, 0..1. */
  readonly coverage: number;
  /** First month (1-based) in which cumulative saving minus the upfront payment reaches 0; null if never within the term or nothing is committed. */
  readonly breakEvenMonth: number | null;
  /** Net saving against paying on-demand for every hour, per 730-hour month; the upfront payment is spread over the term. */
  readonly netMonthlySavingUsd: number;
  readonly lookbackHours: number;
  readonly minimumHourlyUsd: number;
  /** Hours of the lookback whose spend exceeded the covered level (billed partly on-demand). */
  readonly hoursAboveCommitment: number;
  /** On-demand spend per month today, scaled from the lookback. */
  readonly onDemandMonthlyUsd: number;
  /** Spend per month with the commitment: commitment fee (upfront spread) plus on-demand overage. */
  readonly withCommitmentMonthlyUsd: number;
  /** Paid on day one: upfrontFraction × commitmentUsdPerHour × every hour of the term. */
  readonly upfrontUsd: number;
}

/** A default term with where its discount comes from. */
export interface DefaultCommitmentTerm extends CommitmentTerm {
  readonly source: string;
}

/**
 * ASSUMPTIONS, not quotes: typical discounts of the most flexible commitment
 * of each provider, no upfront payment, for when the price book gives none.
 * Real rates vary by family, region and payment option; the published
 * ceilings are higher (AWS up to 66 % for Compute and 72 % for EC2 Instance
 * Savings Plans, GCP up to 55-57 % resource-based and 70 % memory-optimized,
 * Azure up to 72 % for 3-year reservations), reached only with 3-year terms,
 * all upfront or the deepest-discounted families. Sources are listed in
 * docs/savings.md, "Commitments".
 */
const DEFAULT_TERMS: Record<'aws' | 'gcp' | 'azure', Record<1 | 3, DefaultCommitmentTerm>> = {
  aws: {
    1: { name: 'aws-compute-savings-plan-1y-no-upfront', years: 1, discount: 0.27, upfrontFraction: 0, source: 'Compute Savings Plans, 1-year no upfront: about 27 % off on-demand (c3x.dev, "Reserved Instances vs Savings Plans")' },
    3: { name: 'aws-compute-savings-plan-3y-no-upfront', years: 3, discount: 0.52, upfrontFraction: 0, source: 'Compute Savings Plans, 3-year: about 52 % off on-demand (c3x.dev, "Reserved Instances vs Savings Plans")' },
  },
  gcp: {
    1: { name: 'gcp-compute-flexible-cud-1y', years: 1, discount: 0.28, upfrontFraction: 0, source: 'Compute flexible committed use discounts, 1 year: 28 % for most general-purpose and compute-optimized families (Archera GCP Compute Engine brief, March 2026)' },
    3: { name: 'gcp-compute-flexible-cud-3y', years: 3, discount: 0.46, upfrontFraction: 0, source: 'Compute flexible committed use discounts, 3 years: 46 % for most general-purpose and compute-optimized families (Archera GCP Compute Engine brief, March 2026)' },
  },
  azure: {
    1: { name: 'azure-reserved-vm-1y-monthly', years: 1, discount: 0.35, upfrontFraction: 0, source: 'Azure Reserved VM Instances, 1 year: up to 35 % (MyCloudIT, "What are Azure Reserved VM Instances")' },
    3: { name: 'azure-reserved-vm-3y-monthly', years: 3, discount: 0.52, upfrontFraction: 0, source: 'Azure Reserved VM Instances, 3 years: up to 52 % (MyCloudIT, "What are Azure Reserved VM Instances")' },
  },
};
for (const byTerm of Object.values(DEFAULT_TERMS)) for (const term of Object.values(byTerm)) Object.freeze(term);
export const DEFAULT_COMMITMENT_TERMS: Readonly<Record<'aws' | 'gcp' | 'azure', Readonly<Record<1 | 3, DefaultCommitmentTerm>>>> = Object.freeze({
  aws: Object.freeze(DEFAULT_TERMS.aws),
  gcp: Object.freeze(DEFAULT_TERMS.gcp),
  azure: Object.freeze(DEFAULT_TERMS.azure),
});

/** The default term of a provider, or a one-line error naming the providers that have defaults. */
export function defaultCommitmentTerm(provider: string, years: 1 | 3): DefaultCommitmentTerm {
  const key = provider.toLowerCase();
  if (key !== 'aws' && key !== 'gcp' && key !== 'azure') throw invalid(`no default commitment discount for provider ${provider}: give one in the price book (defaults exist for aws, gcp, azure)`);
  return DEFAULT_COMMITMENT_TERMS[key][years];
}

function invalid(message: string): KcostError {
  return new KcostError('INVALID_SAVINGS_INPUT', message);
}

function validate(hourlyOnDemandUsd: readonly number[], term: CommitmentTerm, hoursPerMonth: number): void {
  if (hourlyOnDemandUsd.length === 0) throw invalid('commitment plan: the hourly spend series is empty');
  const bad = hourlyOnDemandUsd.findIndex((v) => !Number.isFinite(v) || v < 0);
  if (bad >= 0) throw invalid(`commitment plan: hour ${bad} has spend ${hourlyOnDemandUsd[bad]}, not a finite amount ≥ 0`);
  if (!(term.discount >= 0 && term.discount < 1)) throw invalid(`commitment term ${term.name}: discount ${term.discount} is not a fraction in [0, 1)`);
  if (!(term.upfrontFraction >= 0 && term.upfrontFraction <= 1)) throw invalid(`commitment term ${term.name}: upfrontFraction ${term.upfrontFraction} is not in [0, 1]`);
  if (term.years !== 1 && term.years !== 3) throw invalid(`commitment term ${term.name}: years ${String(term.years)} is not 1 or 3`);
  if (!(hoursPerMonth > 0 && Number.isFinite(hoursPerMonth))) throw invalid(`commitment plan: hoursPerMonth ${hoursPerMonth} is not a positive number`);
}

/** What one commitment level would have done over the lookback, hour by hour. */
interface Simulation {
  readonly covered: number;
  readonly onDemand: number;
  readonly withCommitment: number;
  readonly used: number;
  readonly hoursAbove: number;
}

function simulate(hourly: readonly number[], covered: number, discount: number): Simulation {
  const fee = covered * (1 - discount);
  let onDemand = 0;
  let withCommitment = 0;
  let used = 0;
  let hoursAbove = 0;
  for (const spend of hourly) {
    onDemand += spend;
    withCommitment += fee + Math.max(0, spend - covered);
    used += Math.min(spend, covered);
    if (spend > covered) hoursAbove += 1;
  }
  return { covered, onDemand, withCommitment, used, hoursAbove };
}

// Savings of different levels that differ by less than this share of the
// spend are the same saving in floating point: the flat stretch of the curve.
const TIE = 1e-9;

/**
 * Simulates every candidate level hour by hour and keeps the one with the
 * largest net saving. The saving is concave and piecewise linear in the
 * level with breaks only at observed hourly spends, so the best level is 0 or
 * one of them; where the curve is flat the smaller level wins (the same
 * saving for less money at risk).
 */
function bestSimulation(hourly: readonly number[], discount: number): Simulation {
  const candidates = [...new Set([0, ...hourly])].sort((a, b) => a - b);
  let best = simulate(hourly, 0, discount);
  const tolerance = TIE * Math.max(1, best.onDemand);
  for (const level of candidates) {
    const run = simulate(hourly, level, discount);
    if (run.onDemand - run.withCommitment > best.onDemand - best.withCommitment + tolerance) best = run;
  }
  return best;
}

/**
 * The (1 − discount)-quantile rule in closed form: committing one more
 * dollar pays while more than a (1 − discount) share of hours spend above
 * the level, so the best level is the smallest observed spend with at most
 * that share of hours above it. planCommitment simulates instead; a property
 * test holds the two to the same answer.
 */
export function quantileCommitmentLevel(hourlyOnDemandUsd: readonly number[], discount: number): number {
  const sorted = [...hourlyOnDemandUsd].sort((a, b) => a - b);
  const rank = Math.ceil(sorted.length * discount - TIE);
  return rank <= 0 ? 0 : (sorted[rank - 1] ?? 0);
}

/**
 * The first month in which the cumulative saving catches up with the upfront
 * payment. Each month saves the on-demand spend minus the recurring part of
 * the fee and the overage; null when that never covers the upfront payment
 * within the term.
 */
function breakEvenMonth(monthlyGrossSaving: number, upfrontUsd: number, termMonths: number): number | null {
  const tolerance = TIE * Math.max(1, upfrontUsd);
  for (let month = 1; month <= termMonths; month += 1) {
    if (month * monthlyGrossSaving - upfrontUsd >= -tolerance) return month;
  }
  return null;
}

/**
 * Chooses how much hourly on-demand spend to cover with a commitment of
 * `term`, from the hourly on-demand spend of one region and family over the
 * lookback (spot and already-reserved capacity left out by the caller).
 * A level c costs c × (1 − discount) every hour, used or not; the hour's
 * spend above c is billed on-demand. See docs/savings.md, "Commitments".
 */
export function planCommitment(hourlyOnDemandUsd: readonly number[], term: CommitmentTerm, hoursPerMonth = HOURS_PER_MONTH): CommitmentPlan {
  validate(hourlyOnDemandUsd, term, hoursPerMonth);
  const hours = hourlyOnDemandUsd.length;
  const best = bestSimulation(hourlyOnDemandUsd, term.discount);
  const perMonth = hoursPerMonth / hours;
  const commitmentUsdPerHour = best.covered * (1 - term.discount);
  const termMonths = 12 * term.years;
  const upfrontUsd = term.upfrontFraction * commitmentUsdPerHour * hoursPerMonth * termMonths;
  const onDemandMonthlyUsd = best.onDemand * perMonth;
  const withCommitmentMonthlyUsd = best.withCommitment * perMonth;
  // Paid month by month: the fee less its upfront part, plus the overage.
  const recurringMonthlyUsd = withCommitmentMonthlyUsd - term.upfrontFraction * commitmentUsdPerHour * hoursPerMonth;
  return {
    term,
    coveredOnDemandUsdPerHour: best.covered,
    commitmentUsdPerHour,
    expectedUtilization: best.covered === 0 ? 0 : best.used / (best.covered * hours),
    coverage: best.onDemand === 0 ? 0 : best.used / best.onDemand,
    breakEvenMonth: best.covered === 0 ? null : breakEvenMonth(onDemandMonthlyUsd - recurringMonthlyUsd, upfrontUsd, termMonths),
    netMonthlySavingUsd: onDemandMonthlyUsd - withCommitmentMonthlyUsd,
    lookbackHours: hours,
    minimumHourlyUsd: hourlyOnDemandUsd.reduce((min, v) => Math.min(min, v), Number.POSITIVE_INFINITY),
    hoursAboveCommitment: best.hoursAbove,
    onDemandMonthlyUsd,
    withCommitmentMonthlyUsd,
    upfrontUsd,
  };
}
