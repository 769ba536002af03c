// The backtested error every forecast answer carries: the same model, refitted
// at each of the last few weekly origins of the series' own history.
import { backtest, type Accuracy, type Forecaster } from './accuracy.js';
import { forecastDaily, MIN_HISTORY_DAYS } from './forecaster.js';
import { SEASON_DAYS } from './holt-winters.js';

/** The horizon the per-series backtest measures: a week, so a series needs only four weeks of history for one origin. */
export const BACKTEST_HORIZON_DAYS = SEASON_DAYS;
/** Weekly origins tried, newest last: four weeks of held-out days at most. */
const MAX_ORIGINS = 4;

/** kcost's forecast as a backtest Forecaster. */
export const kcostForecaster: Forecaster = (history, horizon) => {
  const forecast = forecastDaily(history, horizon);
  if (!forecast.ok) return undefined;
  return { mean: forecast.points.map((p) => p.mean), lower80: forecast.points.map((p) => p.lower80), upper80: forecast.points.map((p) => p.upper80) };
};

/**
 * Rolling-origin backtest over the last weeks of one series (MAPE, MASE and
 * 80 % coverage at 7 days); null when the series is too short to hold out a
 * week and still fit (MIN_HISTORY_DAYS + 7 days).
 */
export function backtestSeries(history: readonly number[]): (Accuracy & { horizonDays: number }) | null {
  const origins: number[] = [];
  for (let k = 1; k <= MAX_ORIGINS; k++) {
    const origin = history.length - k * BACKTEST_HORIZON_DAYS;
    if (origin >= MIN_HISTORY_DAYS) origins.unshift(origin);
  }
  if (origins.length === 0) return null;
  return { ...backtest(history, kcostForecaster, BACKTEST_HORIZON_DAYS, origins).result(), horizonDays: BACKTEST_HORIZON_DAYS };
}
