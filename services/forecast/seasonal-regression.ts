// The second half of kcost's forecast combination: a straight line through
// the logarithm of the recent daily cost with one term per weekday, fitted
// by least squares. Where exponential smoothing follows the last days (and so
// also their noise), the line uses every day of the window alike; averaging
// the two forecasts is more accurate than either alone (bench/forecast.bench.ts
// measures all three).
import { SEASON_DAYS } from './holt-winters.js';

/** Days the line is fitted on: eight weeks, long enough to average out noise, short enough to follow a change of growth. */
export const REGRESSION_WINDOW_DAYS = 8 * SEASON_DAYS;

/** The fitted line: log(cost) = intercept + slope·day + weekday term, day 0 being the window's first. */
export interface SeasonalRegression {
  readonly intercept: number;
  readonly slopePerDay: number;
  /** One term per position in the week, relative to the window's first day; they sum to zero. */
  readonly weekday: readonly number[];
  readonly days: number;
}

// The weekday terms and the line are solved alternately; with whole-week windows one pass is exact, a few settle partial weeks.
const PASSES = 6;

/**
 * Fits the last `windowDays` days of a positive series (at least two weeks);
 * undefined when a day is not positive (a logarithm needs it) or the series is
 * shorter than two weeks.
 */
export function fitSeasonalRegression(y: readonly number[], windowDays = REGRESSION_WINDOW_DAYS): SeasonalRegression | undefined {
  const window = y.slice(Math.max(0, y.length - windowDays));
  if (window.length < 2 * SEASON_DAYS || window.some((v) => !(v > 0))) return undefined;
  const logs = window.map(Math.log);
  const n = logs.length;
  const meanDay = (n - 1) / 2;
  let weekday = new Array<number>(SEASON_DAYS).fill(0);
  let intercept = 0;
  let slopePerDay = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    const deseasoned = logs.map((v, day) => v - (weekday[day % SEASON_DAYS] as number));
    const meanLog = deseasoned.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    deseasoned.forEach((v, day) => {
      sxy += (day - meanDay) * (v - meanLog);
      sxx += (day - meanDay) ** 2;
    });
    slopePerDay = sxy / sxx;
    intercept = meanLog - slopePerDay * meanDay;
    const sums = new Array<number>(SEASON_DAYS).fill(0);
    const counts = new Array<number>(SEASON_DAYS).fill(0);
    logs.forEach((v, day) => {
      const d = day % SEASON_DAYS;
      sums[d] = (sums[d] as number) + v - intercept - slopePerDay * day;
      counts[d] = (counts[d] as number) + 1;
    });
    const raw = sums.map((s, d) => s / (counts[d] as number));
    const center = raw.reduce((a, b) => a + b, 0) / SEASON_DAYS;
    weekday = raw.map((s) => s - center);
  }
  return { intercept, slopePerDay, weekday, days: n };
}

/** The line's cost for the `horizon` days after the window: exp of the fitted log, i.e. the median day under log-normal noise. */
export function forecastRegression(model: SeasonalRegression, horizon: number): number[] {
  return Array.from({ length: horizon }, (_, h) => {
    const day = model.days + h;
    return Math.exp(model.intercept + model.slopePerDay * day + (model.weekday[day % SEASON_DAYS] as number));
  });
}
