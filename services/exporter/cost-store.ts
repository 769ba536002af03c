import type { CostAnomaly, KubeObject, NodeCost, PodCost, Recommendation } from '../codec/records.generated.js';
import { AnomalyScores } from './anomaly-scores.js';
import { NamespaceBudgets } from './namespace-budgets.js';
import { NamespaceCosts, type ApplyOutcome } from './namespace-costs.js';
import { NamespaceProjections, type NamespaceForecast } from './namespace-projections.js';
import { RecommendationSeries } from './recommendation-series.js';
import type { SeriesFamily } from './series-family.js';
import { WindowBook } from './window-book.js';
import { WindowSeries } from './window-series.js';

export type { ApplyOutcome } from './namespace-costs.js';

export interface CostStoreOptions {
  /**
   * How long a cluster keeps its window series, and a container its
   * redelivery check, after its last record arrived, by the exporter's clock
   * (arrival time, not event time: if the processor stops, series disappear
   * instead of freezing at their last value).
   */
  readonly graceMillis: number;
  /** The exporter's clock, injectable for tests. */
  readonly now: () => number;
  /**
   * Broker timestamp: a window with a record from before this is never
   * served, since it may have records before the replay position that the
   * exporter never read (see servableFrom in start-positions.ts).
   */
  readonly servableFromMillis?: number;
}

/** How many windows, containers and anomalies the store holds, and how many series it renders. */
export interface StoreSizes {
  readonly windows: number;
  readonly containers: number;
  readonly anomalies: number;
  readonly recommendations: number;
  readonly series: Readonly<Record<string, number>>;
}

/**
 * The exporter's state: every kube_cost_* series, kept up to date as records
 * arrive and rendered in the Prometheus text format on scrape. Plain values
 * in (decoded records, the clock, and which windows are complete), text out;
 * no I/O.
 *
 * The pod, volume, node, idle and hourly savings gauges describe each
 * cluster's latest complete window (see WindowBook), so their sum is the cost
 * rate of that window; the daily and total figures count every container
 * window once, as it arrives.
 */
export class CostStore {
  private readonly namespaces = new NamespaceCosts();
  private readonly book: WindowBook;
  private readonly windows = new WindowSeries();
  private readonly anomalies = new AnomalyScores();
  private readonly budgets = new NamespaceBudgets();
  private readonly projections = new NamespaceProjections();
  private readonly recommendations = new RecommendationSeries();
  private readonly families: readonly SeriesFamily[];
  private lastSweep: number;

  constructor(private readonly options: CostStoreOptions) {
    this.book = new WindowBook(options.servableFromMillis);
    this.families = [...this.windows.families, this.namespaces.daily, this.namespaces.spotSavings, this.budgets.monthly, this.projections.projected, this.projections.monthToDate, this.anomalies.score, ...this.recommendations.families];
    this.lastSweep = options.now();
  }

  /** `timestamp`: the record's broker timestamp (now, by default). */
  applyPodCost(record: PodCost, timestamp = this.options.now()): ApplyOutcome {
    if (!(record.windowSeconds > 0) || !Number.isFinite(record.totalCostUsd) || !Number.isFinite(record.windowStart)) return 'invalid';
    const now = this.options.now();
    this.book.addPodCost(record, timestamp, now);
    return this.namespaces.addPodCost(record, now);
  }

  applyNodeCost(record: NodeCost, timestamp = this.options.now()): ApplyOutcome {
    if (!(record.windowSeconds > 0) || !Number.isFinite(record.costUsd) || !Number.isFinite(record.windowStart)) return 'invalid';
    return this.book.addNodeCost(record, timestamp, this.options.now()) ? 'applied' : 'duplicate';
  }

  applyAnomaly(record: CostAnomaly): ApplyOutcome {
    return this.anomalies.apply(record, this.options.now());
  }

  /** Namespace state from kcost.kube.v1: its budget label; other kinds are ignored. */
  applyKubeObject(record: KubeObject): ApplyOutcome {
    return this.budgets.apply(record);
  }

  /** The newest month-end forecasts per namespace (fetched from the API, see forecast-source.ts); they replace the previous ones. */
  applyForecasts(forecasts: readonly NamespaceForecast[]): void {
    this.projections.setForecasts(forecasts);
  }

  /** A version from kcost.recommendations.v1, read under Kafka key `key`: the latest per key is shown. */
  applyRecommendation(key: string | null, record: Recommendation): ApplyOutcome {
    return this.recommendations.apply(key, record);
  }

  /** A tombstone on kcost.recommendations.v1: the key's series go. */
  retireRecommendation(key: string): ApplyOutcome {
    return this.recommendations.retire(key);
  }

  /**
   * Starts a completeness check: the newest window of each cluster read so
   * far. Look up the end offsets of the cost topics after calling this; once
   * every partition has been read up to them, pass the result to seal().
   */
  sealTargets(): Map<string, number> {
    return this.book.targets();
  }

  /** Whether a window newer than the last check's targets has been read: a new check would serve a newer window. */
  hasUnsealed(): boolean {
    return this.book.hasUnsealed();
  }

  /**
   * The check started with these targets succeeded: each cluster's gauges
   * move to its newest window before them, rendered now rather than on the
   * next scrape, which stays a join of buffers.
   */
  seal(targets: ReadonlyMap<string, number>): void {
    this.book.seal(targets);
    this.showChanges();
  }

  /**
   * Drops the series of clusters and the redelivery checks of containers
   * silent for longer than the grace period, and anomalies past their
   * interval. Sweeps at most every tenth of the grace period (so at most 10%
   * late), since a sweep walks every container.
   */
  expire(): { clusters: number; containers: number; anomalies: number } {
    const now = this.options.now();
    if (now - this.lastSweep < this.options.graceMillis / 10) return { clusters: 0, containers: 0, anomalies: 0 };
    this.lastSweep = now;
    const dropped = {
      clusters: this.book.expire(now, this.options.graceMillis),
      containers: this.namespaces.expire(now, this.options.graceMillis),
      anomalies: this.anomalies.expire(now, this.options.graceMillis),
    };
    this.showChanges();
    return dropped;
  }

  /**
   * Every kube_cost_* family in the text exposition format, as buffers to
   * write in order (expired series swept first). Unchanged parts are the same
   * buffers as last time: nothing is formatted or encoded again.
   */
  renderChunks(): Buffer[] {
    this.expire();
    // Records of a served window read after it was complete (see WindowBook).
    this.showChanges();
    // A handful of series per namespace, recomputed from today's spend so far.
    this.projections.refresh((cluster, namespace) => this.namespaces.spentToday(cluster, namespace), this.options.now());
    return this.families.flatMap((family) => family.chunks());
  }

  /** renderChunks() as one string. */
  render(): string {
    return Buffer.concat(this.renderChunks()).toString('utf8');
  }

  private showChanges(): void {
    for (const change of this.book.takeChanges()) this.windows.show(change.cluster, change.window);
  }

  sizes(): StoreSizes {
    return {
      windows: this.book.size,
      containers: this.namespaces.size,
      anomalies: this.anomalies.size,
      recommendations: this.recommendations.size,
      series: Object.fromEntries(this.families.map((f) => [f.name, f.size])),
    };
  }
}
