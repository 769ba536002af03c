// Level shifts: a deploy that doubles a workload's cost moves every later
// day, and exponential smoothing alone takes weeks to follow it (its level
// weight is fitted on ordinary days). Comparing each day with the same
// weekday a week before cancels the weekly season, so a shift shows as a run
// of week-over-week ratios far outside the ratios of the weeks before it.
import { SEASON_DAYS } from './holt-winters.js';

/** A detected shift: from day `startIndex` on, cost runs at `ratio` times the level before. */
export interface LevelShift {
  readonly startIndex: number;
  readonly ratio: number;
}

export interface LevelShiftOptions {
  /** Days after a shift needed to call it one rather than a one-day spike. */
  readonly minDays: number;
  /** How many robust standard deviations of the usual week-over-week change each day must be beyond. */
  readonly threshold: number;
  /** Smallest relative change worth restarting the level for. */
  readonly minRelativeChange: number;
}

export const DEFAULT_LEVEL_SHIFT_OPTIONS: LevelShiftOptions = { minDays: 2, threshold: 3, minRelativeChange: 0.1 };

// Weeks of week-over-week ratios that say what an ordinary week's change is.
const REFERENCE_DAYS = 3 * SEASON_DAYS;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * Finds level shifts, earliest first, and returns the series with the days
 * before each shift scaled to the level after it, so a model fitted on it
 * starts from the new level instead of averaging over both. Only positive
 * series are examined (a ratio needs them); others come back unchanged.
 */
export function adjustLevelShifts(y: readonly number[], options: LevelShiftOptions = DEFAULT_LEVEL_SHIFT_OPTIONS): { adjusted: number[]; shifts: LevelShift[] } {
  const adjusted = [...y];
  const shifts: LevelShift[] = [];
  if (y.some((v) => !(v > 0))) return { adjusted, shifts };
  const logRatio = (i: number) => Math.log((adjusted[i] as number) / (adjusted[i - SEASON_DAYS] as number));
  for (let t = SEASON_DAYS + REFERENCE_DAYS; t <= adjusted.length - options.minDays; t++) {
    const reference = Array.from({ length: REFERENCE_DAYS }, (_, k) => logRatio(t - REFERENCE_DAYS + k));
    const center = median(reference);
    const spread = Math.max(1.4826 * median(reference.map((r) => Math.abs(r - center))), 1e-3);
    const after = Array.from({ length: Math.min(SEASON_DAYS, adjusted.length - t) }, (_, k) => logRatio(t + k) - center);
    const sign = Math.sign(after[0] as number);
    const isBeyond = (r: number) => Math.sign(r) === sign && Math.abs(r) > options.threshold * spread;
    const change = median(after);
    // The first days must each be beyond (a spike is one day), and so must the week's median (a spike then a dip is no shift).
    if (!after.slice(0, options.minDays).every(isBeyond) || !isBeyond(change) || Math.abs(Math.expm1(change)) < options.minRelativeChange) continue;
    const ratio = Math.exp(change);
    for (let i = 0; i < t; i++) adjusted[i] = (adjusted[i] as number) * ratio;
    shifts.push({ startIndex: t, ratio });
    // The week after a shift compares new days with old ones; start looking again past it.
    t += SEASON_DAYS - 1;
  }
  return { adjusted, shifts };
}
