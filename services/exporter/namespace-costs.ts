import type { PodCost } from '../codec/records.generated.js';
import { renderLabels } from './exposition.js';
import { SeriesFamily } from './series-family.js';

/** What became of a record: counted, seen before (a redelivery or an older window), refused, or of a kind the store does not keep (pods on the kube topic). */
export type ApplyOutcome = 'applied' | 'duplicate' | 'invalid' | 'ignored';

const DAY_MILLIS = 86_400_000;

/** The UTC day (days since the epoch) a timestamp falls in. */
export function utcDay(epochMillis: number): number {
  return Math.floor(epochMillis / DAY_MILLIS);
}

interface Total {
  readonly labels: string;
  usd: number;
}

/**
 * Per-namespace sums of container windows, each window counted once (a
 * container's window at or before the newest one counted is a redelivery):
 *
 * - kube_cost_namespace_daily_usd: the totalCostUsd of every container window
 *   whose windowStart falls in the cluster's current UTC day. The current day
 *   is the day of the newest windowStart seen from that cluster (event time,
 *   not the exporter's clock). When a window of a later day arrives, every
 *   namespace series of the cluster is dropped and the new day starts from
 *   zero; a late window of an earlier day is not added to any day.
 * - kube_cost_spot_savings_usd_total: a counter of spotSavingsUsd since the
 *   exporter started reading (it resets with the process, as counters may).
 */
export class NamespaceCosts {
  readonly daily = new SeriesFamily(
    'kube_cost_namespace_daily_usd',
    'Cost of the namespace so far in the current UTC day, USD: the sum of its container windows whose start falls in the day; the day is that of the newest window seen from the cluster, and it restarts from zero when a window of the next day arrives.',
    'gauge',
  );
  readonly spotSavings = new SeriesFamily(
    'kube_cost_spot_savings_usd_total',
    'Spot (and reserved) savings of the namespace since the exporter started reading, USD: on-demand equivalent cost minus actual cost, each container window counted once.',
    'counter',
  );
  private readonly currentDay = new Map<string, number>();
  private readonly dailyTotals = new Map<string, Map<string, Total>>();
  private readonly savings = new Map<string, Total>();
  /** Per cluster/pod uid/container: the newest window counted, and when its last record arrived. */
  private readonly counted = new Map<string, { windowStart: number; seenAt: number }>();

  /** Counts a container window unless it was counted before. */
  addPodCost(record: PodCost, now: number): ApplyOutcome {
    const key = `${record.cluster}\u0000${record.podUid}\u0000${record.container}`;
    const known = this.counted.get(key);
    if (known) known.seenAt = now;
    if (known && record.windowStart <= known.windowStart) return 'duplicate';
    if (known) known.windowStart = record.windowStart;
    else this.counted.set(key, { windowStart: record.windowStart, seenAt: now });
    this.add(record.cluster, record.namespace, record.windowStart, record.totalCostUsd, record.spotSavingsUsd);
    return 'applied';
  }

  /** Forgets the containers silent for longer than `graceMillis` (their windows are all counted); returns how many. */
  expire(now: number, graceMillis: number): number {
    let dropped = 0;
    for (const [key, container] of this.counted) {
      if (now - container.seenAt <= graceMillis) continue;
      this.counted.delete(key);
      dropped++;
    }
    return dropped;
  }

  /** Containers whose counted window is remembered. */
  get size(): number {
    return this.counted.size;
  }

  private add(cluster: string, namespace: string, windowStart: number, costUsd: number, spotSavingsUsd: number): void {
    const key = `${cluster}\u0000${namespace}`;
    this.addDaily(key, cluster, namespace, utcDay(windowStart), costUsd);
    if (spotSavingsUsd !== 0 || this.savings.has(key)) {
      let saved = this.savings.get(key);
      if (!saved) {
        saved = { labels: renderLabels(['cluster', 'namespace'], [cluster, namespace]), usd: 0 };
        this.savings.set(key, saved);
      }
      saved.usd += spotSavingsUsd;
      this.spotSavings.set(key, saved.labels, saved.usd);
    }
  }

  /** The namespace's cost so far in its cluster's current UTC day (0 when the cluster has a day but the namespace no cost in it). */
  spentToday(cluster: string, namespace: string): { dayMillis: number; usd: number } | undefined {
    const day = this.currentDay.get(cluster);
    if (day === undefined) return undefined;
    return { dayMillis: day * DAY_MILLIS, usd: this.dailyTotals.get(cluster)?.get(`${cluster}\u0000${namespace}`)?.usd ?? 0 };
  }

  /** The current UTC day of a cluster, if it sent any pod cost. */
  dayOf(cluster: string): number | undefined {
    return this.currentDay.get(cluster);
  }

  private addDaily(key: string, cluster: string, namespace: string, day: number, costUsd: number): void {
    const current = this.currentDay.get(cluster);
    if (current !== undefined && day < current) return;
    let totals = this.dailyTotals.get(cluster);
    if (totals === undefined || current === undefined || day > current) {
      for (const oldKey of totals?.keys() ?? []) this.daily.delete(oldKey);
      totals = new Map<string, Total>();
      this.dailyTotals.set(cluster, totals);
      this.currentDay.set(cluster, day);
    }
    let total = totals.get(key);
    if (!total) {
      total = { labels: renderLabels(['cluster', 'namespace'], [cluster, namespace]), usd: 0 };
      totals.set(key, total);
    }
    total.usd += costUsd;
    this.daily.set(key, total.labels, total.usd);
  }
}
