// The two forecasts kcost's model must beat, as the bench and the backtest
// measure them: what a user gets without a model.
import { SEASON_DAYS } from './holt-winters.js';

/** Each day repeats the same weekday of the last observed week. */
export function seasonalNaive(history: readonly number[], horizon: number): number[] {
  const lastWeek = history.slice(-SEASON_DAYS);
  return Array.from({ length: horizon }, (_, h) => lastWeek[h % lastWeek.length] as number);
}

/** The least-squares straight line through the whole history, extended: what the dashboard drew before forecasts. */
export function linearTrend(history: readonly number[], horizon: number): number[] {
  const n = history.length;
  const meanX = (n - 1) / 2;
  const meanY = history.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  history.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  return Array.from({ length: horizon }, (_, h) => meanY + slope * (n + h - meanX));
}
