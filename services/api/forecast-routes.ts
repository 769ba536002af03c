// GET /v1/forecast and GET /v1/budgets. Registered by app.ts with the
// admission and cursor helpers every database route shares.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { Logger } from '../log/logger.js';
import { KcostError } from '../errors/kcost-error.js';
import { MIN_HISTORY_DAYS } from '../forecast/forecaster.js';
import { budgetStatus } from '../forecast/month-end.js';
import { FORMATS, oneOf, type AllocationQuery } from './allocation-params.js';
import { planAllocation, type AllocationPlan } from './allocation-planner.js';
import { toRow, type AllocationRow } from './allocation-rows.js';
import { budgetName, budgetSelection, labelBudgetsOf, type BudgetDefinition } from './budget-config.js';
import { csvLine } from './csv.js';
import { compileForecastQuery, dailyAllocation, FORECAST_DEFAULTS, historyWindow, type ForecastParams } from './forecast-params.js';
import { BUDGETS_SCHEMA, FORECAST_SCHEMA } from './forecast-schemas.js';
import type { SeriesForecastJson } from './forecast-json.js';
import { forecastGroup, groupDaily, historyOf, insufficientHistory, storedGroup, type DailyGroup } from './forecast-series.js';
import { seesWholeCluster, storedForecastsQuery, storedKey, storedLevelOf, storedSeriesOf, type StoredSeries } from './stored-forecasts.js';
import { ParameterError } from './parameter-error.js';
import type { Lane } from './query-gate.js';
import { laneOf } from './query-lane.js';
import { RowReader, type RowCursor } from './row-cursor.js';
import { scopeConditions, type Scope } from './scope.js';
import { SqlParams, type SqlQuery } from './sql-params.js';
import { checkTextParams } from './text-param.js';
import { DAY_MILLIS } from './time-window.js';

/** What the forecast routes need from app.ts. */
export interface ForecastRouteContext {
  readonly admit: (request: FastifyRequest, reply: FastifyReply, lane: Lane) => Promise<void>;
  readonly cursorsOf: (statements: ReadonlyArray<{ query: SqlQuery; parameter: string }>) => Promise<RowCursor[]>;
  readonly clock: () => number;
  readonly maxRows: number;
  /** Groups (or budgets) one request may fit itself; MAX_FITTED_GROUPS in production. */
  readonly maxFittedGroups: number;
  readonly budgets: readonly BudgetDefinition[];
  /** The caller's scope: forecasts and budget spend are computed over the rows it may see (scope.ts). */
  readonly scopeOf: (request: FastifyRequest) => Scope;
}

/** Groups one answer holds at most (stored or fitted). */
export const MAX_FORECAST_GROUPS = 200;

/**
 * Groups one request may fit (and backtest at four origins) itself: about
 * 100 ms of CPU each (measured: 95 ms on average, 190 ms at worst for 90 days
 * on a busy 2-core machine), one at a time with other requests served in
 * between, so a request costs at most a few seconds of CPU and holds the
 * event loop for one fit at a time. Stored forecasts (kcost forecast) do not
 * count.
 */
export const MAX_FITTED_GROUPS = 25;

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

  /** Reads every row of one statement into memory (at most maxRows) and closes its cursor. */
  const readAll = async (query: SqlQuery, parameter: string): Promise<Array<Record<string, unknown>>> => {
    const [cursor] = (await context.cursorsOf([{ query, parameter }])) as [RowCursor];
    try {
      const reader = new RowReader(cursor);
      const rows: Array<Record<string, unknown>> = [];
      for (let row = await reader.peek(); row !== undefined; row = await reader.peek()) {
        reader.take();
        rows.push(row);
      }
      return rows;
    } finally {
      await cursor.close();
    }
  };

  app.get<{ Querystring: ForecastParams }>('/v1/forecast', { schema: FORECAST_SCHEMA }, async (request, reply) => {
    const now = context.clock();
    const query = compileForecastQuery(request.query, now);
    const scope = context.scopeOf(request);
    const allocation = dailyAllocation(query.history, query.aggregate, query.filter, now);
    const plan = planAllocation(allocation, context.maxRows, scope);
    await context.admit(request, reply, laneOf(allocation.window, plan.grainMillis));
    const groups = groupDaily(await readDaily(allocation, plan, 'window'));
    if (groups.length > MAX_FORECAST_GROUPS) {
      throw new ParameterError('aggregate', `${groups.length} groups to forecast, more than ${MAX_FORECAST_GROUPS}; group more coarsely or filter`);
    }
    const level = storedLevelOf(query.aggregate, query.filter);
    const stored = level === null ? new Map<string, StoredSeries>() : storedSeriesOf(await readAll(storedForecastsQuery(query.history, query.horizonDays, [level], scope), 'window'));
    const storedOf = (group: DailyGroup): StoredSeries | undefined => {
      const cluster = group.properties.cluster ?? '';
      if (level === 'cluster') return seesWholeCluster(scope, cluster) ? stored.get(storedKey(cluster, '')) : undefined;
      return level === 'namespace' ? stored.get(storedKey(cluster, group.properties.namespace ?? '')) : undefined;
    };
    const toFit = groups.filter((g) => storedOf(g) === undefined && historyOf(g, query.history).values.length >= MIN_HISTORY_DAYS).length;
    if (toFit > context.maxFittedGroups) {
      throw new ParameterError(
        'aggregate',
        `${toFit} groups would be fitted on this request, more than ${context.maxFittedGroups}; filter or group more coarsely (kcost forecast's stored forecasts, served without fitting, cover aggregate=cluster and aggregate=cluster,namespace filtered by cluster or namespace, with the window it fits on)`,
      );
    }
    const series: SeriesForecastJson[] = [];
    for (const group of groups) {
      const saved = storedOf(group);
      if (saved) {
        series.push(storedGroup(group, query.history, query.horizonDays, saved).json);
        continue;
      }
      // One fit (and its backtest) at a time, other requests served in between: the event loop is never held for more than one series.
      await nextTurn();
      series.push(forecastGroup(group, query.history, query.horizonDays, true, now).json);
    }
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
    const scope = context.scopeOf(request);
    // Label budgets are one namespace of one cluster (daily rollups, light); configured ones may be heavy (a label's raw rows).
    const heavy = context.budgets.some((budget) => {
      const { aggregate, filter } = budgetSelection(budget);
      const allocation = dailyAllocation(history, aggregate, filter, now);
      return laneOf(allocation.window, planAllocation(allocation, context.maxRows, scope).grainMillis) === 'heavy';
    });
    await context.admit(request, reply, heavy ? 'heavy' : 'light');
    const labelBudgets = labelBudgetsOf(await readAll(namespaceBudgetsQuery(scope), 'window'));
    const stored = storedSeriesOf(await readAll(storedForecastsQuery(history, 1, ['cluster', 'namespace'], scope), 'window'));
    const storedOf = (budget: BudgetDefinition): StoredSeries | undefined => {
      if (budget.source === 'label' && budget.cluster !== undefined) return stored.get(storedKey(budget.cluster, budget.value));
      if (budget.scope === 'cluster' && seesWholeCluster(scope, budget.value)) return stored.get(storedKey(budget.value, ''));
      return undefined;
    };
    const definitions = [...context.budgets, ...labelBudgets];
    const toFit = definitions.filter((b) => storedOf(b) === undefined).length;
    if (toFit > context.maxFittedGroups) {
      throw new KcostError(
        'FORECASTS_NOT_STORED',
        `${toFit} budgets have no stored forecast for the window ${request.query.window ?? FORECAST_DEFAULTS.window}, more than the ${context.maxFittedGroups} this request may fit; run kcost forecast (with --history equal to this window), whose stored forecasts serve cluster budgets and namespace label budgets`,
      );
    }
    const month = Date.UTC(new Date(history.endMillis).getUTCFullYear(), new Date(history.endMillis).getUTCMonth(), 1);
    const rows = [];
    // One statement at a time: each holds one admission slot's connection.
    for (const budget of definitions) {
      const { aggregate, filter } = budgetSelection(budget);
      const allocation = dailyAllocation(history, aggregate, filter, now);
      const plan = planAllocation(allocation, context.maxRows, scope);
      const [group] = groupDaily(await readDaily(allocation, plan, 'window'));
      let spentUsd = 0;
      for (const [day, usd] of group?.byDay ?? []) if (day >= month && day < Math.floor(now / DAY_MILLIS) * DAY_MILLIS + DAY_MILLIS) spentUsd += usd;
      const saved = group ? storedOf(budget) : undefined;
      if (!saved) await nextTurn();
      const forecast = group ? (saved ? storedGroup(group, history, 1, saved) : forecastGroup(group, history, 1, false, now)) : undefined;
      const historyDays = group ? historyOf(group, history).values.length : 0;
      const base = {
        name: budgetName(budget),
        scope: budget.scope,
        ...(budget.labelKey === undefined ? {} : { labelKey: budget.labelKey }),
        ...(budget.cluster === undefined ? {} : { cluster: budget.cluster }),
        value: budget.value,
        source: budget.source,
        month: new Date(month).toISOString().slice(0, 7),
        budgetUsd: budget.monthlyUsd,
        spentUsd,
        historyDays,
        forecastSource: forecast?.json.source ?? null,
      };
      if (!forecast?.dailyMeans || !forecast.projection) {
        rows.push({ ...base, projectedUsd: null, projectedLower80: null, projectedUpper80: null, projectedRatio: null, runOutDate: null, state: spentUsd > budget.monthlyUsd ? 'OVER' : 'INSUFFICIENT_HISTORY', neededDays: forecast?.json.insufficientHistory?.neededDays ?? MIN_HISTORY_DAYS });
        continue;
      }
      const status = budgetStatus(budget.monthlyUsd, spentUsd, forecast.projection, forecast.dailyMeans, history.endMillis);
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
      const header = ['name', 'scope', 'value', 'source', 'month', 'budgetUsd', 'spentUsd', 'projectedUsd', 'projectedLower80', 'projectedUpper80', 'projectedRatio', 'runOutDate', 'state', 'historyDays', 'neededDays'] as const;
      return reply.type('text/csv; charset=utf-8').send([csvLine([...header]), ...rows.map((r) => csvLine(header.map((h) => r[h])))].join(''));
    }
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ budgets: rows }));
  });
}

/** Lets the event loop run whatever waits (other requests, probes) before the next fit. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The namespaces' label budgets within the caller's scope. */
function namespaceBudgetsQuery(scope: Scope): SqlQuery {
  const params = new SqlParams();
  const conditions = scopeConditions(scope, { cluster: 'cluster', namespace: 'namespace' }, params);
  return { text: `SELECT cluster, namespace, monthly_usd FROM namespace_budget${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY cluster, namespace`, values: params.values };
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
