// What `kcost forecast` stores: the daily forecast of every cluster and of
// every namespace in it, read and fitted exactly as GET /v1/forecast does
// (the same planner over the daily rollups, the same model).
import type { Aggregate } from '../api/allocation-params.js';
import { planAllocation } from '../api/allocation-planner.js';
import { toRow, type DbRow } from '../api/allocation-rows.js';
import { dailyAllocation, historyWindow } from '../api/forecast-params.js';
import { forecastGroup, groupDaily } from '../api/forecast-series.js';
import { UNRESTRICTED } from '../api/scope.js';
import type { SqlQuery } from '../api/sql-params.js';

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

export interface ForecastStoreOptions {
  /** History the model is fitted on, as /v1/forecast's window (e.g. 90d). */
  readonly history: string;
  readonly horizonDays: number;
  /** Most rows a statement may return. */
  readonly maxRows: number;
}

const GROUPINGS: ReadonlyArray<readonly Aggregate[]> = [[{ dimension: 'cluster' }], [{ dimension: 'cluster' }, { dimension: 'namespace' }]];

/** The forecast rows of every cluster and namespace with enough history, at `nowMillis`. */
export async function computeForecasts(runQuery: (query: SqlQuery) => Promise<DbRow[]>, nowMillis: number, options: ForecastStoreOptions): Promise<StoredForecastRow[]> {
  const history = historyWindow(options.history, nowMillis);
  const rows: StoredForecastRow[] = [];
  for (const aggregate of GROUPINGS) {
    const query = dailyAllocation(history, aggregate, [], nowMillis);
    // kcost forecast stores every group's forecast: the dashboards' database role decides who reads which.
    const plan = planAllocation(query, options.maxRows, UNRESTRICTED);
    const groups = groupDaily((await runQuery(plan.query)).map((row) => toRow(query, plan, row)));
    for (const group of groups) {
      const { json } = forecastGroup(group, history, options.horizonDays, false);
      if (json.model === null) continue;
      const model = `${json.model.name}/${json.model.seasonality}`;
      json.forecast.forEach((point, i) =>
        rows.push({
          cluster: group.properties.cluster ?? '',
          namespace: group.properties.namespace ?? '',
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
  return rows;
}

/** The statements that replace the stored forecasts by `rows` (run them in one transaction). */
export function replaceStatements(rows: readonly StoredForecastRow[], generatedAtMillis: number): SqlQuery[] {
  const column = <T>(pick: (r: StoredForecastRow) => T) => rows.map(pick);
  return [
    { text: 'DELETE FROM cost_forecast', values: [] },
    {
      text: `INSERT INTO cost_forecast (cluster, namespace, day, generated_at, cost_usd, lower80_usd, upper80_usd, lower95_usd, upper95_usd, model)
SELECT c, n, d, $1::timestamptz, v, l8, u8, l9, u9, m
FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::text[]) AS t(c, n, d, v, l8, u8, l9, u9, m)`,
      values: [
        new Date(generatedAtMillis).toISOString(),
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
