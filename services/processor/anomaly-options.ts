/** Thresholds and baseline shape of the anomaly scorer. */
export interface AnomalyOptions {
  /** Days of same-hour history the baseline looks back over. */
  readonly baselineDays: number;
  /** Same-hour points needed before the daily-cycle baseline is used; below it, recent hours are. */
  readonly minSameHourPoints: number;
  /** Hours of recent history used while same-hour history is short. */
  readonly recentHours: number;
  /** Recent points needed to score at all; a full day lets the range cover the daily cycle. */
  readonly minRecentPoints: number;
  /** |score| from which an anomaly is reported (INFO), WARNING, and CRITICAL. */
  readonly scoreInfo: number;
  readonly scoreWarning: number;
  readonly scoreCritical: number;
  /** Smallest change relative to the expected rate worth reporting, e.g. 0.2 = 20 %. */
  readonly minRelativeChange: number;
  /**
   * Smallest fall worth reporting, relative to the expected rate (0.6 = a
   * 60 % drop). Falls are held to more than rises: when a neighbour's surge
   * over-allocates a node, conservation scales the other containers down, and
   * that is not their anomaly.
   */
  readonly minRelativeDrop: number;
  /**
   * Which rate is scored: the on-demand-equivalent cost (default), so spot
   * price moves and rescheduling between spot and on-demand nodes, which the
   * workload did not cause, do not raise alarms; or the actual cost.
   */
  readonly rateBasis: 'on-demand' | 'actual';
  /** Smallest absolute change worth reporting, USD per hour. */
  readonly minAbsoluteChangeHourlyUsd: number;
  /** Floor of the spread as a fraction of the expected rate, so a perfectly flat baseline does not make every cent an outlier. */
  readonly spreadFloorFraction: number;
}

export const DEFAULT_ANOMALY_OPTIONS: AnomalyOptions = {
  baselineDays: 7,
  minSameHourPoints: 3,
  recentHours: 24,
  minRecentPoints: 24,
  scoreInfo: 5,
  scoreWarning: 8,
  scoreCritical: 12,
  minRelativeChange: 0.2,
  minRelativeDrop: 0.6,
  rateBasis: 'on-demand',
  minAbsoluteChangeHourlyUsd: 0.001,
  spreadFloorFraction: 0.05,
};
