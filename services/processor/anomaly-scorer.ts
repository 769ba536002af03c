import { median, medianAbsoluteDeviation } from 'simple-statistics';
import type { AnomalyDirection, Severity } from '../codec/records.generated.js';
import { DEFAULT_ANOMALY_OPTIONS, type AnomalyOptions } from './anomaly-options.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Scales a MAD to the standard deviation of normally distributed data. */
const MAD_TO_SIGMA = 1.4826;

export interface RateScore {
  readonly expectedHourlyUsd: number;
  readonly score: number;
  readonly baselineHours: number;
  readonly direction: AnomalyDirection;
  /** null when the rate is within the baseline (not an anomaly). */
  readonly severity: Severity | null;
}

/**
 * Scores an hour's cost rate against its own trailing baseline: the median
 * of the same hour on previous days (so the daily cycle is expected), or of
 * the recent hours while fewer days are known. The score is a robust
 * z-score, (observed − median) / (1.4826 × MAD), with the spread floored at
 * a fraction of the median (and, on the recent-hours fallback, at half the
 * recent range). Returns null when there is too little history.
 */
export function scoreRate(history: ReadonlyMap<number, number>, hourStart: number, observed: number, options: AnomalyOptions = DEFAULT_ANOMALY_OPTIONS): RateScore | null {
  const baseline = baselineOf(history, hourStart, options);
  if (!baseline) return null;
  const expected = median(baseline.values);
  // While the daily cycle is not known yet, the recent hours' range counts as normal variation.
  const range = baseline.sameHour ? 0 : (Math.max(...baseline.values) - Math.min(...baseline.values)) / 2;
  const spread = Math.max(MAD_TO_SIGMA * medianAbsoluteDeviation(baseline.values), range, options.spreadFloorFraction * Math.abs(expected), 1e-9);
  const score = (observed - expected) / spread;
  const change = Math.abs(observed - expected);
  const magnitude = Math.abs(score);
  const minChange = observed < expected ? Math.max(options.minRelativeChange, options.minRelativeDrop) : options.minRelativeChange;
  const reportable = magnitude >= options.scoreInfo && change >= minChange * Math.abs(expected) && change >= options.minAbsoluteChangeHourlyUsd;
  const severity: Severity | null = !reportable
    ? null
    : magnitude >= options.scoreCritical
      ? 'CRITICAL'
      : magnitude >= options.scoreWarning
        ? 'WARNING'
        : 'INFO';
  return { expectedHourlyUsd: expected, score, baselineHours: baseline.values.length, direction: score >= 0 ? 'UP' : 'DOWN', severity };
}

function baselineOf(history: ReadonlyMap<number, number>, hourStart: number, options: AnomalyOptions): { values: number[]; sameHour: boolean } | null {
  const sameHour: number[] = [];
  for (let d = 1; d <= options.baselineDays; d++) {
    const value = history.get(hourStart - d * DAY);
    if (value !== undefined) sameHour.push(value);
  }
  if (sameHour.length >= options.minSameHourPoints) return { values: sameHour, sameHour: true };
  const recent: number[] = [];
  for (let h = 1; h <= options.recentHours; h++) {
    const value = history.get(hourStart - h * HOUR);
    if (value !== undefined) recent.push(value);
  }
  return recent.length >= options.minRecentPoints ? { values: recent, sameHour: false } : null;
}

/** How far back a series' history must reach for scoreRate. */
export function historySpanMillis(options: AnomalyOptions): number {
  return Math.max(options.baselineDays * DAY, options.recentHours * HOUR);
}
