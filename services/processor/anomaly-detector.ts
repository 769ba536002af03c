import type { AnomalyScope, CostAnomaly } from '../codec/records.generated.js';
import { DEFAULT_ANOMALY_OPTIONS, type AnomalyOptions } from './anomaly-options.js';
import { historySpanMillis, scoreRate } from './anomaly-scorer.js';

const HOUR = 3_600_000;

/** The part of a priced container-window the detector needs (a PodCost has all of it). */
export interface CostPoint {
  readonly cluster: string;
  readonly namespace: string;
  readonly workloadKind: string;
  readonly workloadName: string;
  readonly windowStart: number;
  readonly totalCostUsd: number;
  readonly onDemandCostUsd: number;
}

/** A series' identity and scored hourly rates, as kept in the scoring stage's changelog. */
export interface SeriesSnapshot {
  readonly cluster: string;
  readonly scope: AnomalyScope;
  readonly key: string;
  readonly namespace: string;
  /** [hourStart, USD per hour], oldest first. */
  readonly history: ReadonlyArray<readonly [number, number]>;
}

/** A change to a series since the last takeChanges(): its new state, or null once it is forgotten. */
export interface SeriesChange {
  readonly id: string;
  readonly snapshot: SeriesSnapshot | null;
}

interface Series {
  readonly cluster: string;
  readonly scope: AnomalyScope;
  readonly key: string;
  readonly namespace: string;
  /** hourStart → cost rate of that hour, USD per hour. */
  readonly history: Map<number, number>;
}

/**
 * Rolls priced windows up into hourly cost rates per workload and per
 * namespace and, as each hour completes, scores it against the series' own
 * baseline (scoreRate). An hour is only scored when the detector saw all of
 * it: after a restart, the hour in progress is skipped rather than scored
 * on part of its cost.
 */
export class AnomalyDetector {
  private readonly series = new Map<string, Series>();
  /** hourStart → series id → cost so far. */
  private readonly buckets = new Map<number, Map<string, number>>();
  /** First hour not scored yet: the first whole hour seen, then the one after the last scored. */
  private nextHour: number | null = null;
  /** Series whose history changed (or that were dropped) since takeChanges(). */
  private readonly changed = new Set<string>();

  /**
   * `joinsMidStream`: the first point read may not be the first of its hour
   * even when it starts on the hour (a scoring stage resuming from committed
   * offsets, where other sources' shares of that hour were read before), so
   * scoring starts with the hour after it.
   */
  constructor(
    private readonly options: AnomalyOptions = DEFAULT_ANOMALY_OPTIONS,
    private readonly joinsMidStream = false,
  ) {}

  /** Adds a priced cost (a window's, or several windows' of one hour); call in about window order. */
  add(point: CostPoint): void {
    this.nextHour ??= this.joinsMidStream ? (Math.floor(point.windowStart / HOUR) + 1) * HOUR : Math.ceil(point.windowStart / HOUR) * HOUR;
    const hourStart = Math.floor(point.windowStart / HOUR) * HOUR;
    if (hourStart < this.nextHour) return;
    const bucket = this.buckets.get(hourStart) ?? new Map<string, number>();
    this.buckets.set(hourStart, bucket);
    const rate = this.options.rateBasis === 'actual' ? point.totalCostUsd : point.onDemandCostUsd;
    const cost = Number.isFinite(rate) ? rate : 0;
    const namespaceId = this.seriesId(point.cluster, 'NAMESPACE', point.namespace, point.namespace);
    bucket.set(namespaceId, (bucket.get(namespaceId) ?? 0) + cost);
    // Bare pods have no workload to follow from one pod to the next.
    if (point.workloadKind !== '' && point.workloadName !== '') {
      const workloadId = this.seriesId(point.cluster, 'WORKLOAD', `${point.namespace}/${point.workloadKind}/${point.workloadName}`, point.namespace);
      bucket.set(workloadId, (bucket.get(workloadId) ?? 0) + cost);
    }
  }

  /**
   * Scores every hour that ends at or before `closedThroughMillis` (all of
   * its windows are closed) and returns the anomalies found, in hour order.
   */
  completeThrough(closedThroughMillis: number): CostAnomaly[] {
    const anomalies: CostAnomaly[] = [];
    if (this.nextHour === null) return anomalies;
    // Hours with no cost at all are scored too (a workload that stopped); a long silence skips to the baseline span.
    this.nextHour = Math.max(this.nextHour, Math.floor((closedThroughMillis - historySpanMillis(this.options)) / HOUR) * HOUR);
    for (const hour of this.buckets.keys()) if (hour < this.nextHour) this.buckets.delete(hour);
    for (; this.nextHour + HOUR <= closedThroughMillis; this.nextHour += HOUR) {
      const hourStart = this.nextHour;
      const bucket = this.buckets.get(hourStart) ?? new Map<string, number>();
      this.buckets.delete(hourStart);
      // A series seen in the previous hour but silent now dropped to zero: score that once.
      const ids = new Set(bucket.keys());
      for (const [id, series] of this.series) if ((series.history.get(hourStart - HOUR) ?? 0) > 0) ids.add(id);
      for (const id of ids) {
        const series = this.series.get(id) as Series;
        const observed = bucket.get(id) ?? 0;
        const scored = scoreRate(series.history, hourStart, observed, this.options);
        series.history.set(hourStart, observed);
        this.changed.add(id);
        if (scored?.severity) {
          anomalies.push({
            cluster: series.cluster,
            scope: series.scope,
            key: series.key,
            namespace: series.namespace,
            windowStart: hourStart,
            windowSeconds: HOUR / 1000,
            observedHourlyUsd: observed,
            expectedHourlyUsd: scored.expectedHourlyUsd,
            score: scored.score,
            direction: scored.direction,
            severity: scored.severity,
            baselineHours: scored.baselineHours,
            detectedAt: closedThroughMillis,
          });
        }
      }
      this.prune(hourStart);
    }
    return anomalies;
  }

  /**
   * Forgets the hours in progress (after a restart or rebalance the windows
   * already published are not seen again); the history is kept, and scoring
   * resumes with the next whole hour.
   */
  restartHour(): void {
    this.buckets.clear();
    this.nextHour = null;
  }

  /** The series changed since the last call, so that a changelog can keep the baselines across restarts. */
  takeChanges(): SeriesChange[] {
    const changes: SeriesChange[] = [];
    for (const id of this.changed) {
      const series = this.series.get(id);
      changes.push({
        id,
        snapshot: series ? { cluster: series.cluster, scope: series.scope, key: series.key, namespace: series.namespace, history: [...series.history].sort((a, b) => a[0] - b[0]) } : null,
      });
    }
    this.changed.clear();
    return changes;
  }

  /** Takes back a series' scored history (from the changelog) before any cost is added. */
  restore(snapshot: SeriesSnapshot): void {
    const id = this.seriesId(snapshot.cluster, snapshot.scope, snapshot.key, snapshot.namespace);
    const history = (this.series.get(id) as Series).history;
    for (const [hour, rate] of snapshot.history) history.set(hour, rate);
  }

  private seriesId(cluster: string, scope: AnomalyScope, key: string, namespace: string): string {
    const id = `${cluster}/${scope}/${key}`;
    if (!this.series.has(id)) this.series.set(id, { cluster, scope, key, namespace, history: new Map() });
    return id;
  }

  private prune(nowHour: number): void {
    const oldest = nowHour - historySpanMillis(this.options);
    // A series new this hour has no history yet but costs waiting in a bucket: it must stay.
    const pending = new Set<string>();
    for (const bucket of this.buckets.values()) for (const id of bucket.keys()) pending.add(id);
    for (const [id, series] of this.series) {
      for (const hour of series.history.keys()) if (hour < oldest) series.history.delete(hour);
      if (series.history.size === 0 && !pending.has(id)) {
        this.series.delete(id);
        this.changed.add(id);
      }
    }
  }
}
