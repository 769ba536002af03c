// Rolling-origin backtests: fit on the history up to an origin, forecast the
// days after it, compare with what happened, move the origin on.
import { SEASON_DAYS } from './holt-winters.js';

/** A forecast of `horizon` days from a history, with an optional 80 % interval. */
export type Forecaster = (history: readonly number[], horizon: number) => { mean: readonly number[]; lower80?: readonly number[]; upper80?: readonly number[] } | undefined;

/** Errors of one method over the backtest's origins. */
export interface Accuracy {
  /** Mean absolute percentage error over every forecast day (days with zero cost left out). */
  readonly mape: number;
  /** Mean absolute error scaled by the in-sample one-step seasonal-naive error (below 1: better than repeating last week). */
  readonly mase: number;
  /** Share of actual days inside the 80 % interval; null for methods without one. */
  readonly coverage80: number | null;
  readonly origins: number;
  readonly days: number;
}

/** Running sums an Accuracy is made of, so several series can be pooled. */
export class AccuracyTally {
  private apeSum = 0;
  private apeDays = 0;
  private scaledSum = 0;
  private days = 0;
  private covered = 0;
  private intervalDays = 0;
  private origins = 0;

  add(history: readonly number[], actual: readonly number[], forecast: ReturnType<Forecaster>): void {
    if (!forecast) return;
    this.origins++;
    const scale = seasonalNaiveScale(history);
    actual.forEach((value, h) => {
      const predicted = forecast.mean[h] as number;
      const error = Math.abs(value - predicted);
      if (value !== 0) {
        this.apeSum += error / Math.abs(value);
        this.apeDays++;
      }
      this.scaledSum += scale > 0 ? error / scale : 0;
      this.days++;
      const lower = forecast.lower80?.[h];
      const upper = forecast.upper80?.[h];
      if (lower !== undefined && upper !== undefined) {
        this.intervalDays++;
        if (value >= lower && value <= upper) this.covered++;
      }
    });
  }

  result(): Accuracy {
    return {
      mape: this.apeDays > 0 ? this.apeSum / this.apeDays : NaN,
      mase: this.days > 0 ? this.scaledSum / this.days : NaN,
      coverage80: this.intervalDays > 0 ? this.covered / this.intervalDays : null,
      origins: this.origins,
      days: this.days,
    };
  }
}

/** Mean absolute one-step error of repeating the same weekday of the week before, in the history. */
export function seasonalNaiveScale(history: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (let t = SEASON_DAYS; t < history.length; t++) {
    sum += Math.abs((history[t] as number) - (history[t - SEASON_DAYS] as number));
    count++;
  }
  return count > 0 ? sum / count : 0;
}

/** Origins from `firstOrigin` to the last one with `horizon` days after it, every `everyDays`. */
export function rollingOrigins(length: number, firstOrigin: number, horizon: number, everyDays: number): number[] {
  const origins: number[] = [];
  for (let origin = firstOrigin; origin + horizon <= length; origin += everyDays) origins.push(origin);
  return origins;
}

/** Backtests one method on one series: fit on [0, origin), compare the next `horizon` days. */
export function backtest(series: readonly number[], forecaster: Forecaster, horizon: number, origins: readonly number[], tally = new AccuracyTally()): AccuracyTally {
  for (const origin of origins) {
    const history = series.slice(0, origin);
    tally.add(history, series.slice(origin, origin + horizon), forecaster(history, horizon));
  }
  return tally;
}
