// The forecasts `kcost forecast` stored (cost_forecast and
// cost_forecast_series): /v1/forecast and /v1/budgets serve these where they
// answer the request exactly, and fit on the request only what is not stored.
import type { Aggregate } from './allocation-params.js';
import type { FilterClause } from './filter.js';
import type { SeriesForecastJson } from './forecast-json.js';
import { ALL, scopeConditions, type Scope } from './scope.js';
import { SqlParams, type SqlQuery } from './sql-params.js';
import type { TimeWindow } from './time-window.js';

/** Which stored series answer a request: the whole clusters', or their namespaces'. */
export type StoredLevel = 'cluster' | 'namespace';

/** One stored series, as read back. */
export interface StoredSeries {
  readonly cluster: string;
  /** Empty for the whole cluster. */
  readonly namespace: string;
  readonly generatedAtMillis: number;
  readonly model: NonNullable<SeriesForecastJson['model']>;
  readonly monthEnd: NonNullable<SeriesForecastJson['monthEnd']>;
  readonly backtest: SeriesForecastJson['backtest'];
  /** The stored days from the first forecast day on. */
  readonly days: SeriesForecastJson['forecast'];
}

/**
 * The level of stored series that answers a request of this grouping and
 * filter exactly, or null: the stored series are the unfiltered sums per
 * cluster and per cluster and namespace, so a cluster grouping may be
 * filtered by cluster only, a cluster-and-namespace grouping by cluster and
 * namespace only (a filter that selects whole groups, not part of one).
 */
export function storedLevelOf(aggregate: readonly Aggregate[], filter: readonly FilterClause[]): StoredLevel | null {
  const dimensions = aggregate.map((a) => a.dimension).sort().join(',');
  const level: StoredLevel | null = dimensions === 'cluster' ? 'cluster' : dimensions === 'cluster,namespace' ? 'namespace' : null;
  if (level === null) return null;
  const selectable = level === 'cluster' ? ['cluster'] : ['cluster', 'namespace'];
  return filter.every((clause) => selectable.includes(clause.field)) ? level : null;
}

/**
 * Whether the scope sees all of a cluster's cost (every namespace and the
 * rows of none): only then is the stored whole-cluster series its answer; a
 * caller who sees some namespaces gets the sum of those, fitted for it.
 */
export function seesWholeCluster(scope: Scope, cluster: string): boolean {
  return scope.grants.some((g) => g.namespaces === ALL && g.nodeCosts && (g.clusters === ALL || g.clusters.includes(cluster)));
}

/** The stored series fitted on exactly this history, with at least `horizonDays` days, at the given levels, within the scope. */
export function storedForecastsQuery(history: TimeWindow, horizonDays: number, levels: readonly StoredLevel[], scope: Scope): SqlQuery {
  const params = new SqlParams();
  const conditions = [
    `s.history_start = ${params.add(new Date(history.startMillis).toISOString(), '::timestamptz')}`,
    `s.history_end = ${params.add(new Date(history.endMillis).toISOString(), '::timestamptz')}`,
    `s.horizon_days >= ${params.add(horizonDays, '::int')}`,
    ...(levels.length === 1 ? [levels[0] === 'cluster' ? "s.namespace = ''" : "s.namespace <> ''"] : []),
    ...scopeConditions(scope, { cluster: 's.cluster', namespace: 's.namespace' }, params),
  ];
  return {
    text: `SELECT s.cluster, s.namespace, s.generated_at, s.model, s.month_end, s.backtest,
  (SELECT json_agg(json_build_object('date', to_char(f.day AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'costUsd', f.cost_usd, 'lower80', f.lower80_usd, 'upper80', f.upper80_usd, 'lower95', f.lower95_usd, 'upper95', f.upper95_usd) ORDER BY f.day)
     FROM cost_forecast f WHERE f.cluster = s.cluster AND f.namespace = s.namespace AND f.day >= s.history_end) AS days
FROM cost_forecast_series s
WHERE ${conditions.join(' AND ')}`,
    values: params.values,
  };
}

/** Rows of storedForecastsQuery, keyed by cluster and namespace. */
export function storedSeriesOf(rows: ReadonlyArray<Record<string, unknown>>): Map<string, StoredSeries> {
  const byKey = new Map<string, StoredSeries>();
  for (const row of rows) {
    const series: StoredSeries = {
      cluster: String(row.cluster),
      namespace: String(row.namespace),
      generatedAtMillis: new Date(row.generated_at as string | Date).getTime(),
      model: row.model as StoredSeries['model'],
      monthEnd: row.month_end as StoredSeries['monthEnd'],
      backtest: (row.backtest ?? null) as StoredSeries['backtest'],
      days: (row.days ?? []) as StoredSeries['days'],
    };
    byKey.set(storedKey(series.cluster, series.namespace), series);
  }
  return byKey;
}

export const storedKey = (cluster: string, namespace: string) => `${cluster}\u0000${namespace}`;
