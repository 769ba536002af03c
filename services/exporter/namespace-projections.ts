import { renderLabels } from './exposition.js';
import { SeriesFamily } from './series-family.js';

const DAY_MILLIS = 86_400_000;

/** A namespace's month as kcost's forecast saw it (GET /v1/forecast, aggregate cluster,namespace). */
export interface NamespaceForecast {
  readonly cluster: string;
  readonly namespace: string;
  /** First day of the month, epoch milliseconds (UTC). */
  readonly monthStartMillis: number;
  /** The day the forecast starts: the API's today. */
  readonly firstForecastDayMillis: number;
  /** Cost of the month's whole days before the forecast. */
  readonly actualUsd: number;
  /** Expected cost of each forecast day of the month, from the first. */
  readonly dailyUsd: readonly number[];
}

/** What the exporter itself counted for the namespace's current UTC day. */
export type SpentToday = (cluster: string, namespace: string) => { dayMillis: number; usd: number } | undefined;

/**
 * kube_cost_namespace_projected_monthly_usd and
 * kube_cost_namespace_month_to_date_usd, from the forecast the exporter is
 * given (the API reads the daily rollups, which the exporter, fed from Kafka
 * since its replay position, does not have) and the day's spend the exporter
 * counts itself. Today's forecast gives way to today's spend once that is
 * larger, so a costly day raises the projection within minutes, not the next
 * day. Days after the forecast's first day that have passed since the
 * forecast was fetched count at their forecast until the next fetch. A
 * forecast of another month than the cluster's current day shows nothing.
 */
export class NamespaceProjections {
  readonly projected = new SeriesFamily(
    'kube_cost_namespace_projected_monthly_usd',
    "Projected cost of the namespace for the current UTC month, USD: the month's whole days so far plus kcost's forecast of the rest (GET /v1/forecast), today's forecast replaced by today's spend once that is larger.",
    'gauge',
  );
  readonly monthToDate = new SeriesFamily(
    'kube_cost_namespace_month_to_date_usd',
    "Cost of the namespace so far in the current UTC month, USD: the whole days the forecast's source holds plus today's spend as the exporter counts it.",
    'gauge',
  );
  private forecasts = new Map<string, NamespaceForecast & { labels: string }>();

  /** Replaces every forecast by the newest fetch (namespaces missing from it lose their series). */
  setForecasts(forecasts: readonly NamespaceForecast[]): void {
    const next = new Map<string, NamespaceForecast & { labels: string }>();
    for (const f of forecasts) next.set(`${f.cluster}\u0000${f.namespace}`, { ...f, labels: renderLabels(['cluster', 'namespace'], [f.cluster, f.namespace]) });
    for (const key of this.forecasts.keys()) {
      if (next.has(key)) continue;
      this.projected.delete(key);
      this.monthToDate.delete(key);
    }
    this.forecasts = next;
  }

  /** Recomputes both series from the forecasts and today's spend; `nowMillis` stands in for a cluster that sent no cost today. */
  refresh(spentToday: SpentToday, nowMillis: number): void {
    for (const [key, f] of this.forecasts) {
      const spent = spentToday(f.cluster, f.namespace);
      const today = spent?.dayMillis ?? Math.floor(nowMillis / DAY_MILLIS) * DAY_MILLIS;
      const monthEnd = Date.UTC(new Date(f.monthStartMillis).getUTCFullYear(), new Date(f.monthStartMillis).getUTCMonth() + 1, 1);
      if (today < f.monthStartMillis || today >= monthEnd) {
        this.projected.delete(key);
        this.monthToDate.delete(key);
        continue;
      }
      let projected = f.actualUsd;
      let monthToDate = f.actualUsd;
      f.dailyUsd.forEach((usd, i) => {
        const day = f.firstForecastDayMillis + i * DAY_MILLIS;
        if (day >= monthEnd) return;
        if (day < today) {
          projected += usd;
          monthToDate += usd;
        } else if (day === today) {
          const todayUsd = spent?.dayMillis === today ? spent.usd : 0;
          projected += Math.max(usd, todayUsd);
          monthToDate += todayUsd;
        } else projected += usd;
      });
      this.projected.set(key, f.labels, projected);
      this.monthToDate.set(key, f.labels, monthToDate);
    }
  }

  get size(): number {
    return this.forecasts.size;
  }
}
