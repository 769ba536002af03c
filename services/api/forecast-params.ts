import type { AllocationQuery, Aggregate, Format } from './allocation-params.js';
import { FORMATS, oneOf, parseAggregate } from './allocation-params.js';
import { parseFilter, type FilterClause } from './filter.js';
import { ParameterError } from './parameter-error.js';
import { checkTextParams } from './text-param.js';
import { DAY_MILLIS, resolveWindow, type TimeWindow } from './time-window.js';

/** Longest forecast horizon: three months, beyond which a weekly model says little. */
export const MAX_HORIZON_DAYS = 92;
export const FORECAST_DEFAULTS = { window: '90d', aggregate: 'cluster', horizon: '30d', format: 'json' } as const;

/** The raw query string of /v1/forecast. */
export interface ForecastParams {
  readonly window?: string;
  readonly aggregate?: string;
  readonly filter?: string;
  readonly horizon?: string;
  readonly format?: string;
}

/** A validated forecast request. */
export interface ForecastQuery {
  /** Whole UTC days the model is fitted on; it ends at today's start at the latest (today is not over). */
  readonly history: TimeWindow;
  readonly horizonDays: number;
  readonly aggregate: readonly Aggregate[];
  readonly filter: readonly FilterClause[];
  readonly format: Format;
}

const startOfDay = (millis: number) => Math.floor(millis / DAY_MILLIS) * DAY_MILLIS;

/**
 * Compiles /v1/forecast's parameters. `window` is the history, cut to whole
 * UTC days that have ended (so `90d` is the 90 days before today, today being
 * incomplete); any bad value throws a ParameterError naming it.
 */
export function compileForecastQuery(params: ForecastParams, nowMillis: number): ForecastQuery {
  checkTextParams(params);
  return {
    history: historyWindow(params.window ?? FORECAST_DEFAULTS.window, nowMillis),
    horizonDays: parseHorizon(params.horizon ?? FORECAST_DEFAULTS.horizon),
    aggregate: parseAggregate(params.aggregate ?? FORECAST_DEFAULTS.aggregate),
    filter: parseFilter(params.filter ?? ''),
    format: oneOf('format', params.format ?? FORECAST_DEFAULTS.format, FORMATS),
  };
}

/** A window cut to the whole UTC days in it that ended before today. */
export function historyWindow(raw: string, nowMillis: number): TimeWindow {
  const window = resolveWindow(raw, nowMillis);
  const today = startOfDay(nowMillis);
  const startMillis = startOfDay(window.startMillis);
  const endMillis = Math.min(Math.ceil(window.endMillis / DAY_MILLIS) * DAY_MILLIS, today);
  if (endMillis <= startMillis) throw new ParameterError('window', `${JSON.stringify(raw)} holds no whole UTC day before today; a forecast is fitted on days that have ended`);
  return { startMillis, endMillis };
}

export function parseHorizon(raw: string): number {
  const match = /^(\d{1,3})d$/.exec(raw.trim());
  const days = match ? Number(match[1]) : NaN;
  if (!(days >= 1 && days <= MAX_HORIZON_DAYS)) throw new ParameterError('horizon', `${JSON.stringify(raw)} is not a number of days from 1d to ${MAX_HORIZON_DAYS}d`);
  return days;
}

/**
 * The allocation request whose daily rows a forecast reads: the history, and
 * also the month the forecast starts in (its actual cost so far) and, when
 * the history ends today, today's partial day (a budget's spend).
 */
export function dailyAllocation(history: TimeWindow, aggregate: readonly Aggregate[], filter: readonly FilterClause[], nowMillis: number): AllocationQuery {
  const monthStart = Date.UTC(new Date(history.endMillis).getUTCFullYear(), new Date(history.endMillis).getUTCMonth(), 1);
  const today = startOfDay(nowMillis);
  return {
    window: { startMillis: Math.min(history.startMillis, monthStart), endMillis: history.endMillis === today ? today + DAY_MILLIS : history.endMillis },
    aggregate,
    step: '1d',
    filter,
    idle: 'hide',
    format: 'json',
  };
}
