// What `kcost forecast` stores: the daily forecast of every cluster and of
// every namespace in it, read and fitted exactly as GET /v1/forecast does
// (the same planner over the daily rollups, the same model).
import type { Aggregate } from '../api/allocation-params.js';
import { planAllocation } from '../api/allocation-planner.js';
import { toRow, type DbRow } from '../api/allocation-rows.js';
import { dailyAllocation, historyWindow } from '../api/forecast-params.js';
import type { SeriesForecastJson } from '../api/forecast-json.js';
import { forecastGroup, groupDaily } from '../api/forecast-series.js';
import { UNRESTRICTED } from '../api/scope.js';
import type { SqlQuery } from '../api/sql-params.js';
import type { NamespaceBudget } from './namespace-budget-book.js';

const DAY_MILLIS = 86_400_000;

/** One stored forecast day. */
export interface StoredForecastRow {
  readonly cluster: string;
  /** Empty for the whole cluster. */
  readonly namespace: string;
  readonly dayMillis: number;
  readonly costUsd: number;
  readonly lower80: number;
  readonly upper80: number;
  readonly lower95: number;
  readonly upper95: number;
  readonly model: string;
}

/** One stored series: what /v1/forecast answers besides its days. */
export interface StoredSeriesRow {
  readonly cluster: string;
  /** Empty for the whole cluster. */
  readonly namespace: string;
  readonly historyStartMillis: number;
  readonly historyEndMillis: number;
  readonly horizonDays: number;
  readonly model: NonNullable<SeriesForecastJson['model']>;
  readonly monthEnd: NonNullable<SeriesForecastJson['monthEnd']>;
  readonly backtest: SeriesForecastJson['backtest'];
}

/** Everything one run stores. */
export interface ComputedForecasts {
  readonly days: StoredForecastRow[];
  readonly series: StoredSeriesRow[];
}

export interface ForecastStoreOptions {
  /** History the model is fitted on, as /v1/forecast's window (e.g. 90d). */
  readonly history: string;
  readonly horizonDays: number;
  /** Most rows a statement may return. */
  readonly maxRows: number;
}

const GROUPINGS: ReadonlyArray<readonly Aggregate[]> = [[{ dimension: 'cluster' }], [{ dimension: 'cluster' }, { dimension: 'namespace' }]];

/**
 * The forecasts of every cluster and namespace with enough history, at
 * `nowMillis`, each with its backtest: fitted here, off the API's thread.
 * `yieldBetween` runs between series (a role with a health server keeps
 * answering its probes while it fits).
 */
export async function computeForecasts(runQuery: (query: SqlQuery) => Promise<DbRow[]>, nowMillis: number, options: ForecastStoreOptions, yieldBetween: () => Promise<void> = async () => undefined): Promise<ComputedForecasts> {
  const history = historyWindow(options.history, nowMillis);
  const rows: StoredForecastRow[] = [];
  const series: StoredSeriesRow[] = [];
  for (const aggregate of GROUPINGS) {
    const query = dailyAllocation(history, aggregate, [], nowMillis);
    // kcost forecast stores every group's forecast: the dashboards' database role decides who reads which.
    const plan = planAllocation(query, options.maxRows, UNRESTRICTED);
    const groups = groupDaily((await runQuery(plan.query)).map((row) => toRow(query, plan, row)));
    for (const group of groups) {
      await yieldBetween();
      const { json } = forecastGroup(group, history, options.horizonDays, true);
      if (json.model === null || json.monthEnd === null) continue;
      const cluster = group.properties.cluster ?? '';
      const namespace = group.properties.namespace ?? '';
      series.push({ cluster, namespace, historyStartMillis: history.startMillis, historyEndMillis: history.endMillis, horizonDays: options.horizonDays, model: json.model, monthEnd: json.monthEnd, backtest: json.backtest });
      const model = `${json.model.name}/${json.model.seasonality}`;
      json.forecast.forEach((point, i) =>
        rows.push({
          cluster,
          namespace,
          dayMillis: history.endMillis + i * DAY_MILLIS,
          costUsd: point.costUsd,
          lower80: point.lower80,
          upper80: point.upper80,
          lower95: point.lower95,
          upper95: point.upper95,
          model,
        }),
      );
    }
  }
  return { days: rows, series };
}

/**
 * The statements that replace the stored forecasts (run them in one
 * transaction), and the namespaces' budgets when `budgets` is given (when the
 * role reads no kube topic it leaves them alone).
 */
export function replaceStatements(computed: ComputedForecasts, generatedAtMillis: number, budgets?: readonly NamespaceBudget[]): SqlQuery[] {
  const rows = computed.days;
  const column = <T>(pick: (r: StoredForecastRow) => T) => rows.map(pick);
  const generatedAt = new Date(generatedAtMillis).toISOString();
  const iso = (millis: number) => new Date(millis).toISOString();
  return [
    { text: 'DELETE FROM cost_forecast_series', values: [] },
    {
      text: `INSERT INTO cost_forecast_series (cluster, namespace, generated_at, history_start, history_end, horizon_days, model, month_end, backtest)
SELECT c, n, $1::timestamptz, hs, he, h, m, me, b
FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::jsonb[], $8::jsonb[], $9::jsonb[]) AS t(c, n, hs, he, h, m, me, b)`,
      values: [
        generatedAt,
        computed.series.map((s) => s.cluster),
        computed.series.map((s) => s.namespace),
        computed.series.map((s) => iso(s.historyStartMillis)),
        computed.series.map((s) => iso(s.historyEndMillis)),
        computed.series.map((s) => s.horizonDays),
        computed.series.map((s) => JSON.stringify(s.model)),
        computed.series.map((s) => JSON.stringify(s.monthEnd)),
        computed.series.map((s) => (s.backtest === null ? null : JSON.stringify(s.backtest))),
      ],
    },
    ...(budgets === undefined ? [] : budgetStatements(budgets)),
    { text: 'DELETE FROM cost_forecast', values: [] },
    {
      text: `INSERT INTO cost_forecast (cluster, namespace, day, generated_at, cost_usd, lower80_usd, upper80_usd, lower95_usd, upper95_usd, model)
SELECT c, n, d, $1::timestamptz, v, l8, u8, l9, u9, m
FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::text[]) AS t(c, n, d, v, l8, u8, l9, u9, m)`,
      values: [
        generatedAt,
        column((r) => r.cluster),
        column((r) => r.namespace),
        column((r) => new Date(r.dayMillis).toISOString()),
        column((r) => r.costUsd),
        column((r) => r.lower80),
        column((r) => r.upper80),
        column((r) => r.lower95),
        column((r) => r.upper95),
        column((r) => r.model),
      ],
    },
  ];
}

/** Replaces the stored namespace budgets by `budgets`. */
export function budgetStatements(budgets: readonly NamespaceBudget[]): SqlQuery[] {
  return [
    { text: 'DELETE FROM namespace_budget', values: [] },
    {
      text: `INSERT INTO namespace_budget (cluster, namespace, monthly_usd, observed_at)
SELECT c, n, u, o FROM unnest($1::text[], $2::text[], $3::float8[], $4::timestamptz[]) AS t(c, n, u, o)`,
      values: [budgets.map((b) => b.cluster), budgets.map((b) => b.namespace), budgets.map((b) => b.monthlyUsd), budgets.map((b) => new Date(b.observedAtMillis).toISOString())],
    },
  ];
}
