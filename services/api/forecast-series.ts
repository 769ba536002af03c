// Daily allocation rows → per-group cost series → forecast, month-end
// projection and backtest: the pure middle of /v1/forecast and /v1/budgets.
import { KcostError } from '../errors/kcost-error.js';
import { forecastDaily, MIN_HISTORY_DAYS, type ForecastPoint } from '../forecast/forecaster.js';
import { projectMonthEnd, type MonthEndProjection } from '../forecast/month-end.js';
import { backtestSeries } from '../forecast/series-backtest.js';
import type { AllocationProperties, AllocationRow } from './allocation-rows.js';
import type { SeriesForecastJson } from './forecast-json.js';
import type { StoredSeries } from './stored-forecasts.js';
import { DAY_MILLIS, type TimeWindow } from './time-window.js';

/** One group's cost per UTC day (start of day → USD), as the daily rollups hold it. */
export interface DailyGroup {
  readonly name: string;
  readonly properties: AllocationProperties;
  readonly byDay: Map<number, number>;
}

/** Groups allocation rows of step 1d by name. */
export function groupDaily(rows: Iterable<AllocationRow>): DailyGroup[] {
  const groups = new Map<string, DailyGroup>();
  for (const row of rows) {
    const group = groups.get(row.name) ?? { name: row.name, properties: row.properties, byDay: new Map<number, number>() };
    groups.set(row.name, group);
    const day = Math.floor(Date.parse(row.start) / DAY_MILLIS) * DAY_MILLIS;
    group.byDay.set(day, (group.byDay.get(day) ?? 0) + row.totalCostUsd);
  }
  return [...groups.values()];
}

/**
 * The group's history: every day from its first day with cost in the window
 * to the window's end, a day without rows counting as zero (nothing ran). Days
 * before the first are not zeros: the group did not exist yet.
 */
export function historyOf(group: DailyGroup, history: TimeWindow): { firstDayMillis: number; values: number[] } {
  const days = [...group.byDay.keys()].filter((d) => d >= history.startMillis && d < history.endMillis);
  if (days.length === 0) return { firstDayMillis: history.endMillis, values: [] };
  const firstDayMillis = Math.min(...days);
  const values: number[] = [];
  for (let day = firstDayMillis; day < history.endMillis; day += DAY_MILLIS) values.push(group.byDay.get(day) ?? 0);
  return { firstDayMillis, values };
}

const isoDate = (millis: number) => new Date(millis).toISOString().slice(0, 10);
const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** A group's forecast with what /v1/budgets needs besides the JSON: the expected days and the month-end projection (null with too little history). */
export interface GroupForecast {
  readonly json: SeriesForecastJson;
  readonly dailyMeans: readonly number[] | null;
  readonly projection: Pick<MonthEndProjection, 'actualUsd' | 'forecastDays'> & { readonly projected: { mean: number; lower80: number; upper80: number } } | null;
}

/**
 * Forecasts one group from the end of the history: `horizonDays` points in
 * the answer, and as many more as the month needs for its projection.
 */
export function forecastGroup(group: DailyGroup, history: TimeWindow, horizonDays: number, withBacktest: boolean, nowMillis = Date.now()): GroupForecast {
  const { firstDayMillis, values } = historyOf(group, history);
  const actuals = values.map((costUsd, i) => ({ date: isoDate(firstDayMillis + i * DAY_MILLIS), costUsd: round(costUsd) }));
  const monthEndMillis = Date.UTC(new Date(history.endMillis).getUTCFullYear(), new Date(history.endMillis).getUTCMonth() + 1, 1);
  const monthDays = Math.round((monthEndMillis - history.endMillis) / DAY_MILLIS);
  const result = forecastDaily(values, Math.max(horizonDays, monthDays));
  const base = { name: group.name, properties: group.properties, actuals, source: 'fitted' as const, generatedAt: new Date(nowMillis).toISOString() };
  if (!result.ok) {
    return {
      json: { ...base, forecast: [], monthEnd: null, model: null, backtest: null, insufficientHistory: { historyDays: result.historyDays, neededDays: result.neededDays } },
      dailyMeans: null,
      projection: null,
    };
  }
  const projection = projectMonthEnd(result, history.endMillis, group.byDay);
  const point = (p: ForecastPoint) => ({ lower80: round(p.lower80), upper80: round(p.upper80), lower95: round(p.lower95), upper95: round(p.upper95) });
  const { parameters } = result.model;
  return {
    json: {
      ...base,
      forecast: result.points.slice(0, horizonDays).map((p, i) => ({ date: isoDate(history.endMillis + i * DAY_MILLIS), costUsd: round(p.mean), ...point(p) })),
      monthEnd: { month: isoDate(projection.monthStartMillis).slice(0, 7), actualUsd: round(projection.actualUsd), forecastDays: projection.forecastDays, projectedUsd: round(projection.projected.mean), ...point(projection.projected) },
      model: {
        name: result.model.name,
        seasonality: result.model.seasonality,
        alpha: parameters.alpha,
        beta: parameters.beta,
        gamma: parameters.gamma,
        phi: parameters.phi,
        sigmaUsd: round(result.model.sigma),
        historyDays: result.model.historyDays,
        levelShifts: result.model.levelShifts.map((s) => ({ date: isoDate(firstDayMillis + s.startIndex * DAY_MILLIS), ratio: s.ratio })),
      },
      backtest: withBacktest ? backtestSeries(values) : null,
      insufficientHistory: null,
    },
    dailyMeans: result.points.map((p) => p.mean),
    projection,
  };
}

/** A group's answer from its stored series (same fields as a fitted one; the actuals are this request's rows). */
export function storedGroup(group: DailyGroup, history: TimeWindow, horizonDays: number, stored: StoredSeries): GroupForecast {
  const { firstDayMillis, values } = historyOf(group, history);
  const monthEnd = stored.monthEnd;
  return {
    json: {
      name: group.name,
      properties: group.properties,
      actuals: values.map((costUsd, i) => ({ date: isoDate(firstDayMillis + i * DAY_MILLIS), costUsd: round(costUsd) })),
      forecast: stored.days.slice(0, horizonDays),
      monthEnd,
      model: stored.model,
      backtest: stored.backtest,
      insufficientHistory: null,
      source: 'stored',
      generatedAt: new Date(stored.generatedAtMillis).toISOString(),
    },
    dailyMeans: stored.days.map((d) => d.costUsd),
    projection: { actualUsd: monthEnd.actualUsd, forecastDays: monthEnd.forecastDays, projected: { mean: monthEnd.projectedUsd, lower80: monthEnd.lower80, upper80: monthEnd.upper80 } },
  };
}

/** The 422 of a request none of whose groups has enough history: how much there is and how much is needed. */
export function insufficientHistory(history: TimeWindow, longestDays: number): KcostError {
  const found = longestDays === 0 ? 'no cost at all' : `at most ${longestDays} day${longestDays === 1 ? '' : 's'} of cost`;
  return new KcostError(
    'INSUFFICIENT_HISTORY',
    `the window ${isoDate(history.startMillis)} to ${isoDate(history.endMillis)} (exclusive) holds ${found} for the requested groups; a forecast needs ${MIN_HISTORY_DAYS} whole days of history (two weeks start the weekly season, a third fits the model), so retry once there is more, or widen the window`,
  );
}
