// Month-end projections and budgets from a daily forecast: what finance asks
// after "what did it cost".
import { forecastSum, type DailyForecast, type ForecastPoint } from './forecaster.js';

export const DAY_MILLIS = 86_400_000;

/** The month's actual cost so far plus the forecast of its remaining days, with intervals. */
export interface MonthEndProjection {
  /** First day of the month, epoch milliseconds (UTC). */
  readonly monthStartMillis: number;
  /** First day of the next month. */
  readonly monthEndMillis: number;
  /** Cost of the month's whole days before the forecast starts. */
  readonly actualUsd: number;
  /** Forecast days that fall in the month. */
  readonly forecastDays: number;
  /** actualUsd plus the forecast of the month's remaining days (mean and interval of the sum). */
  readonly projected: ForecastPoint;
}

/** The UTC month that contains `millis`: [start, end) in epoch milliseconds. */
export function monthOf(millis: number): { startMillis: number; endMillis: number } {
  const date = new Date(millis);
  return { startMillis: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1), endMillis: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) };
}

/**
 * Projects the month of `firstForecastMillis` (the UTC day the forecast's first
 * point is for): `actualByDay` gives the cost of each earlier whole day (start
 * of day → USD); days of the month before the forecast are summed as actual.
 * The forecast must reach the month's last day.
 */
export function projectMonthEnd(forecast: DailyForecast, firstForecastMillis: number, actualByDay: ReadonlyMap<number, number>): MonthEndProjection {
  const month = monthOf(firstForecastMillis);
  let actualUsd = 0;
  for (const [day, usd] of actualByDay) if (day >= month.startMillis && day < firstForecastMillis) actualUsd += usd;
  const forecastDays = Math.round((month.endMillis - firstForecastMillis) / DAY_MILLIS);
  if (forecast.points.length < forecastDays) throw new Error(`the forecast holds ${forecast.points.length} days; the month needs ${forecastDays}`);
  const rest = forecastSum(forecast, forecastDays);
  const shift = (p: ForecastPoint): ForecastPoint => ({ mean: p.mean + actualUsd, lower80: p.lower80 + actualUsd, upper80: p.upper80 + actualUsd, lower95: p.lower95 + actualUsd, upper95: p.upper95 + actualUsd });
  return { monthStartMillis: month.startMillis, monthEndMillis: month.endMillis, actualUsd, forecastDays, projected: shift(rest) };
}

export type BudgetState = 'WITHIN' | 'PROJECTED_OVER' | 'OVER';

/** Where a monthly budget stands. */
export interface BudgetStatus {
  readonly budgetUsd: number;
  readonly spentUsd: number;
  readonly projectedUsd: number;
  /** projectedUsd / budgetUsd. */
  readonly projectedRatio: number;
  /** The UTC day (epoch milliseconds) the expected cumulative spend first passes the budget within the month; null when it does not. */
  readonly runOutDayMillis: number | null;
  readonly state: BudgetState;
}

/**
 * A budget against the month's spend so far and its projection. The run-out
 * day walks the forecast's expected days from the first forecast day on, the
 * spend so far (`actualUsd`, whole days) as its start; `dailyMeans` are the
 * forecast's expected days (a fitted or a stored forecast).
 */
export function budgetStatus(
  budgetUsd: number,
  spentUsd: number,
  projection: Pick<MonthEndProjection, 'actualUsd' | 'forecastDays'> & { readonly projected: Pick<ForecastPoint, 'mean'> },
  dailyMeans: readonly number[],
  firstForecastMillis: number,
): BudgetStatus {
  let cumulative = projection.actualUsd;
  let runOutDayMillis: number | null = cumulative > budgetUsd ? firstForecastMillis - DAY_MILLIS : null;
  for (let day = 0; runOutDayMillis === null && day < Math.min(projection.forecastDays, dailyMeans.length); day++) {
    cumulative += dailyMeans[day] as number;
    if (cumulative > budgetUsd) runOutDayMillis = firstForecastMillis + day * DAY_MILLIS;
  }
  const projectedUsd = projection.projected.mean;
  const state: BudgetState = spentUsd > budgetUsd ? 'OVER' : projectedUsd > budgetUsd ? 'PROJECTED_OVER' : 'WITHIN';
  return { budgetUsd, spentUsd, projectedUsd, projectedRatio: projectedUsd / budgetUsd, runOutDayMillis, state };
}
