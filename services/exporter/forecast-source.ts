// Where kube_cost_namespace_projected_monthly_usd gets its forecast: the
// query API's GET /v1/forecast per cluster and namespace. The exporter is fed
// from Kafka since its replay position (00:00 UTC by default) and so knows
// today's spend, but neither the month's earlier days nor the history a
// forecast is fitted on; the API has both in the daily rollups. Fetched every
// --forecast-refresh: the forecast moves once a day, today's spend (added by
// NamespaceProjections) every window.
import { KcostError, messageOf } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';
import type { NamespaceForecast } from './namespace-projections.js';

/** The part of a /v1/forecast answer the exporter reads. */
interface ForecastAnswer {
  readonly history: { readonly end: string };
  readonly series: ReadonlyArray<{
    readonly properties: { readonly cluster?: string; readonly namespace?: string };
    readonly forecast: ReadonlyArray<{ readonly costUsd: number }>;
    readonly monthEnd: { readonly month: string; readonly actualUsd: number } | null;
  }>;
}

/** The namespaces of a /v1/forecast answer grouped by cluster and namespace; groups without a forecast are left out. */
export function namespaceForecasts(answer: ForecastAnswer): NamespaceForecast[] {
  const firstForecastDayMillis = Date.parse(answer.history.end);
  return answer.series.flatMap((s) => {
    const { cluster, namespace } = s.properties;
    if (cluster === undefined || namespace === undefined || s.monthEnd === null) return [];
    return [{ cluster, namespace, monthStartMillis: Date.parse(`${s.monthEnd.month}-01T00:00:00Z`), firstForecastDayMillis, actualUsd: s.monthEnd.actualUsd, dailyUsd: s.forecast.map((f) => f.costUsd) }];
  });
}

export interface ForecastSourceOptions {
  /** Base URL of kcost api. */
  readonly apiUrl: string;
  /** Bearer token of the API; empty for none. */
  readonly token: string;
  /** History the forecast is fitted on (the API's `window`). */
  readonly history: string;
}

/**
 * One fetch of every namespace's forecast. A 422 (no namespace has the 21
 * days a forecast needs) is an empty list, not an error: there is nothing to
 * project yet.
 */
export async function fetchNamespaceForecasts(options: ForecastSourceOptions, fetchImpl: typeof fetch = fetch): Promise<NamespaceForecast[]> {
  const url = new URL('v1/forecast', options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
  // 31 days reach the end of any month from its first day.
  for (const [key, value] of Object.entries({ aggregate: 'cluster,namespace', horizon: '31d', window: options.history })) url.searchParams.set(key, value);
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: options.token === '' ? {} : { authorization: `Bearer ${options.token}` } });
  } catch (error) {
    throw new KcostError('FORECAST_UNAVAILABLE', `cannot reach the kcost API at ${options.apiUrl} for forecasts: ${messageOf(error)}`, { retriable: true, cause: error });
  }
  if (response.status === 422) return [];
  if (!response.ok) throw new KcostError('FORECAST_UNAVAILABLE', `the kcost API answered ${response.status} to ${url.pathname}: ${(await response.text()).slice(0, 300)}`, { retriable: true });
  return namespaceForecasts((await response.json()) as ForecastAnswer);
}

/**
 * Fetches at once and then every `refreshMillis`, handing each result to
 * `apply`. A failed fetch is logged and the last forecasts stay (they are of
 * this month until it ends; NamespaceProjections drops them then).
 */
export function pollForecasts(options: ForecastSourceOptions & { refreshMillis: number }, apply: (forecasts: NamespaceForecast[]) => void, logger: Logger): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const once = async () => {
    try {
      const forecasts = await fetchNamespaceForecasts(options);
      if (!stopped) apply(forecasts);
      logger.debug({ namespaces: forecasts.length }, 'fetched namespace forecasts');
    } catch (error) {
      logger.warn({ err: error }, 'could not fetch namespace forecasts; keeping the last ones');
    }
    if (!stopped) timer = setTimeout(() => void once(), options.refreshMillis);
  };
  void once();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
