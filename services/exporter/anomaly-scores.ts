import type { CostAnomaly } from '../codec/records.generated.js';
import { renderLabels } from './exposition.js';
import type { ApplyOutcome } from './namespace-costs.js';
import { SeriesFamily } from './series-family.js';

interface AnomalyState {
  windowStart: number;
  seenAt: number;
  /** How long the score stays after it arrived: the scored interval, or the grace period if longer. */
  windowMillis: number;
  readonly labels: string;
}

/**
 * kube_cost_anomaly_score from kcost.anomalies.v1. The processor publishes a
 * CostAnomaly only while a rate is anomalous, so a score is shown for the
 * interval it describes (windowSeconds, or the grace period if longer) after
 * it arrived, then disappears: a gauge stuck at the last anomaly would keep
 * alerts firing after cost went back to normal.
 */
export class AnomalyScores {
  readonly score = new SeriesFamily(
    'kube_cost_anomaly_score',
    'Robust z-score of the latest anomalous hourly cost rate of a workload, namespace or cluster against its own baseline (positive: cost rose); shown for the scored interval after the anomaly arrived.',
    'gauge',
  );
  private readonly anomalies = new Map<string, AnomalyState>();

  get size(): number {
    return this.anomalies.size;
  }

  apply(record: CostAnomaly, now: number): ApplyOutcome {
    if (!Number.isFinite(record.score) || !Number.isFinite(record.windowStart)) return 'invalid';
    const key = `${record.cluster}\u0000${record.scope}\u0000${record.key}`;
    let anomaly = this.anomalies.get(key);
    if (anomaly && record.windowStart < anomaly.windowStart) return 'duplicate';
    const outcome: ApplyOutcome = anomaly?.windowStart === record.windowStart ? 'duplicate' : 'applied';
    if (!anomaly) {
      anomaly = { windowStart: record.windowStart, seenAt: now, windowMillis: 0, labels: renderLabels(['cluster', 'scope', 'key'], [record.cluster, record.scope, record.key]) };
      this.anomalies.set(key, anomaly);
    }
    anomaly.windowStart = record.windowStart;
    anomaly.seenAt = now;
    anomaly.windowMillis = Math.max(0, record.windowSeconds) * 1000;
    this.score.set(key, anomaly.labels, record.score);
    return outcome;
  }

  /** Drops scores older than their interval (or `graceMillis`, if longer); returns how many. */
  expire(now: number, graceMillis: number): number {
    let dropped = 0;
    for (const [key, anomaly] of this.anomalies) {
      if (now - anomaly.seenAt <= Math.max(graceMillis, anomaly.windowMillis)) continue;
      this.anomalies.delete(key);
      this.score.delete(key);
      dropped++;
    }
    return dropped;
  }
}
