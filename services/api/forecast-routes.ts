// GET /v1/forecast and GET /v1/budgets. Registered by app.ts with the
// admission and cursor helpers every database route shares.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { Logger } from '../log/logger.js';
import { budgetStatus } from '../forecast/month-end.js';
import { FORMATS, oneOf, type AllocationQuery } from './allocation-params.js';
import { planAllocation, type AllocationPlan } from './allocation-planner.js';
import { toRow, type AllocationRow } from './allocation-rows.js';
import { budgetName, budgetSelection, type BudgetDefinition } from './budget-config.js';
import { csvLine } from './csv.js';
import { compileForecastQuery, dailyAllocation, FORECAST_DEFAULTS, historyWindow, type ForecastParams } from './forecast-params.js';
import { BUDGETS_SCHEMA, FORECAST_SCHEMA } from './forecast-schemas.js';
import { forecastGroup, groupDaily, historyOf, insufficientHistory, type SeriesForecastJson } from './forecast-series.js';
import { ParameterError } from './parameter-error.js';
import type { Lane } from './query-gate.js';
import { laneOf } from './query-lane.js';
import { RowReader, type RowCursor } from './row-cursor.js';
import type { Scope } from './scope.js';
import type { SqlQuery } from './sql-params.js';
import { checkTextParams } from './text-param.js';
import { DAY_MILLIS } from './time-window.js';

/** What the forecast routes need from app.ts. */
export interface ForecastRouteContext {
  readonly admit: (request: FastifyRequest, reply: FastifyReply, lane: Lane) => Promise<void>;
  readonly cursorsOf: (statements: ReadonlyArray<{ query: SqlQuery; parameter: string }>) => Promise<RowCursor[]>;
  readonly clock: () => number;
  readonly maxRows: number;
  readonly budgets: readonly BudgetDefinition[];
  /** The caller's scope: forecasts and budget spend are computed over the rows it may see (scope.ts). */
  readonly scopeOf: (request: FastifyRequest) => Scope;
}

/**
 * Groups one answer forecasts at most: each is fitted (and backtested at four
 * origins) on the request's thread, so thousands of pods would hold the API
 * for seconds. Group more coarsely or filter instead.
 */
export const MAX_FORECAST_GROUPS = 200;

export function registerForecastRoutes(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>, context: ForecastRouteContext): void {
  /** Reads the daily rows of an allocation query (at most maxRows) into memory and closes its cursor. */
  const readDaily = async (query: AllocationQuery, plan: AllocationPlan, parameter: string): Promise<AllocationRow[]> => {
    const [cursor] = (await context.cursorsOf([{ query: plan.query, parameter }])) as [RowCursor];
    try {
      const reader = new RowReader(cursor);
      const rows: AllocationRow[] = [];
      for (let row = await reader.peek(); row !== undefined; row = await reader.peek()) {
        reader.take();
        rows.push(toRow(query, plan, row));
      }
      return rows;
    } finally {
      await cursor.close();
    }
  };

  app.get<{ Querystring: ForecastParams }>('/v1/forecast', { schema: FORECAST_SCHEMA }, async (request, reply) => {
    const now = context.clock();
    const query = compileForecastQuery(request.query, now);
    const allocation = dailyAllocation(query.history, query.aggregate, query.filter, now);
    const plan = planAllocation(allocation, context.maxRows, context.scopeOf(request));
    await context.admit(request, reply, laneOf(allocation.window, plan.grainMillis));
    const groups = groupDaily(await readDaily(allocation, plan, 'window'));
    if (groups.length > MAX_FORECAST_GROUPS) {
      throw new ParameterError('aggregate', `${groups.length} groups to forecast, more than ${MAX_FORECAST_GROUPS}; group more coarsely or filter`);
    }
    const series = groups.map((group) => forecastGroup(group, query.history, query.horizonDays, true).json);
    if (!series.some((s) => s.insufficientHistory === null)) throw insufficientHistory(query.history, Math.max(0, ...series.map((s) => s.actuals.length)));
    const head = {
      history: { start: new Date(query.history.startMillis).toISOString(), end: new Date(query.history.endMillis).toISOString() },
      horizonDays: query.horizonDays,
      aggregate: query.aggregate.map((a) => (a.dimension === 'label' ? `label:${a.labelKey ?? ''}` : a.dimension)),
      source: plan.source,
    };
    if (query.format === 'csv') return reply.type('text/csv; charset=utf-8').send(forecastCsv(series));
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ ...head, series }));
  });

  app.get<{ Querystring: { window?: string; format?: string } }>('/v1/budgets', { schema: BUDGETS_SCHEMA }, async (request, reply) => {
    checkTextParams(request.query);
    const now = context.clock();
    const history = historyWindow(request.query.window ?? FORECAST_DEFAULTS.window, now);
    const format = oneOf('format', request.query.format ?? 'json', FORMATS);
    const planned = context.budgets.map((budget) => {
      const { aggregate, filter } = budgetSelection(budget);
      const allocation = dailyAllocation(history, aggregate, filter, now);
      return { budget, allocation, plan: planAllocation(allocation, context.maxRows, context.scopeOf(request)) };
    });
    const heavy = planned.some((p) => laneOf(p.allocation.window, p.plan.grainMillis) === 'heavy');
    await context.admit(request, reply, heavy ? 'heavy' : 'light');
    const month = Date.UTC(new Date(history.endMillis).getUTCFullYear(), new Date(history.endMillis).getUTCMonth(), 1);
    const rows = [];
    // One statement at a time: budgets are few, and each holds one admission slot's connection.
    for (const { budget, allocation, plan } of planned) {
      const [group] = groupDaily(await readDaily(allocation, plan, 'window'));
      let spentUsd = 0;
      for (const [day, usd] of group?.byDay ?? []) if (day >= month && day < Math.floor(now / DAY_MILLIS) * DAY_MILLIS + DAY_MILLIS) spentUsd += usd;
      const forecast = group ? forecastGroup(group, history, 1, false) : undefined;
      const historyDays = group ? historyOf(group, history).values.length : 0;
      const base = {
        name: budgetName(budget),
        scope: budget.scope,
        ...(budget.labelKey === undefined ? {} : { labelKey: budget.labelKey }),
        value: budget.value,
        month: new Date(month).toISOString().slice(0, 7),
        budgetUsd: budget.monthlyUsd,
        spentUsd,
        historyDays,
      };
      if (!forecast?.forecast || !forecast.projection) {
        rows.push({ ...base, projectedUsd: null, projectedLower80: null, projectedUpper80: null, projectedRatio: null, runOutDate: null, state: spentUsd > budget.monthlyUsd ? 'OVER' : 'INSUFFICIENT_HISTORY', neededDays: forecast?.json.insufficientHistory?.neededDays ?? 21 });
        continue;
      }
      const status = budgetStatus(budget.monthlyUsd, spentUsd, forecast.projection, forecast.forecast, history.endMillis);
      rows.push({
        ...base,
        projectedUsd: status.projectedUsd,
        projectedLower80: forecast.projection.projected.lower80,
        projectedUpper80: forecast.projection.projected.upper80,
        projectedRatio: status.projectedRatio,
        runOutDate: status.runOutDayMillis === null ? null : new Date(status.runOutDayMillis).toISOString().slice(0, 10),
        state: status.state,
        neededDays: null,
      });
    }
    rows.sort((a, b) => (b.projectedRatio ?? b.spentUsd / b.budgetUsd) - (a.projectedRatio ?? a.spentUsd / a.budgetUsd) || (a.name < b.name ? -1 : 1));
    if (format === 'csv') {
      const header = ['name', 'scope', 'value', 'month', 'budgetUsd', 'spentUsd', 'projectedUsd', 'projectedLower80', 'projectedUpper80', 'projectedRatio', 'runOutDate', 'state', 'historyDays', 'neededDays'] as const;
      return reply.type('text/csv; charset=utf-8').send([csvLine([...header]), ...rows.map((r) => csvLine(header.map((h) => r[h])))].join(''));
    }
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ budgets: rows }));
  });
}

/** One line per group and day: the actual days, then the forecast days with their intervals. */
function forecastCsv(series: readonly SeriesForecastJson[]): string {
  const lines = [csvLine(['name', 'date', 'kind', 'costUsd', 'lower80', 'upper80', 'lower95', 'upper95'])];
  for (const s of series) {
    for (const a of s.actuals) lines.push(csvLine([s.name, a.date, 'actual', a.costUsd, null, null, null, null]));
    for (const f of s.forecast) lines.push(csvLine([s.name, f.date, 'forecast', f.costUsd, f.lower80, f.upper80, f.lower95, f.upper95]));
  }
  return lines.join('');
}
