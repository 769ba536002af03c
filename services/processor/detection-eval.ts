import type { AnomalyScope, CostAnomaly } from '../codec/records.generated.js';

/** One injected anomaly: a workload (or namespace) whose cost was multiplied by `factor` over [startMillis, endMillis). */
export interface GroundTruthEvent {
  readonly cluster: string;
  readonly scope: AnomalyScope;
  readonly key: string;
  readonly namespace: string;
  readonly startMillis: number;
  readonly endMillis: number;
  readonly factor: number;
}

export interface EvaluationOptions {
  /** Length of a scoring interval (one hour for the processor's scorer). */
  readonly intervalMillis: number;
  /** Workloads in the scored population, for the false-alarm rate. */
  readonly workloads: number;
  /** Length of the scored period in days. */
  readonly days: number;
  /** Intervals after an event's end in which an alarm still counts as that event's. */
  readonly graceIntervals?: number;
}

export interface DetectionQuality {
  /** Alarms that match an injected event / all alarms (1 when there are no alarms). */
  readonly precision: number;
  /** Events with at least one matching alarm / all events (1 when there are no events). */
  readonly recall: number;
  /** Mean and worst intervals from the interval in which an event started to its first alarm. */
  readonly meanDelayIntervals: number;
  readonly maxDelayIntervals: number;
  readonly falseAlarms: number;
  readonly falseAlarmsPer100WorkloadsPerDay: number;
  readonly truePositiveAlarms: number;
  readonly detectedEvents: number;
  readonly events: number;
}

/**
 * Scores anomaly alarms against injected ground truth. An alarm matches an
 * event of the same cluster when it is for the same scope and key (or for
 * the namespace of a workload event, which the workload's change moved too,
 * or for a workload in the namespace of a namespace event)
 * and its interval overlaps the event, allowing `graceIntervals` after it.
 */
export function evaluateDetections(groundTruth: readonly GroundTruthEvent[], anomalies: readonly CostAnomaly[], options: EvaluationOptions): DetectionQuality {
  const interval = options.intervalMillis;
  const grace = (options.graceIntervals ?? 1) * interval;
  const matches = (a: CostAnomaly, e: GroundTruthEvent): boolean =>
    a.cluster === e.cluster &&
    ((a.scope === e.scope && a.key === e.key) ||
      (a.scope === 'NAMESPACE' && e.scope === 'WORKLOAD' && a.key === e.namespace) ||
      (a.scope === 'WORKLOAD' && e.scope === 'NAMESPACE' && a.namespace === e.key)) &&
    a.windowStart + interval > e.startMillis &&
    a.windowStart < e.endMillis + grace;
  let truePositiveAlarms = 0;
  for (const alarm of anomalies) if (groundTruth.some((e) => matches(alarm, e))) truePositiveAlarms++;
  const delays: number[] = [];
  for (const event of groundTruth) {
    const first = anomalies
      .filter((a) => a.scope === event.scope && matches(a, event))
      .reduce((min, a) => Math.min(min, a.windowStart), Number.POSITIVE_INFINITY);
    if (Number.isFinite(first)) delays.push(Math.max(0, (first - Math.floor(event.startMillis / interval) * interval) / interval));
  }
  const falseAlarms = anomalies.length - truePositiveAlarms;
  return {
    precision: anomalies.length === 0 ? 1 : truePositiveAlarms / anomalies.length,
    recall: groundTruth.length === 0 ? 1 : delays.length / groundTruth.length,
    meanDelayIntervals: delays.length === 0 ? 0 : delays.reduce((s, d) => s + d, 0) / delays.length,
    maxDelayIntervals: delays.length === 0 ? 0 : Math.max(...delays),
    falseAlarms,
    falseAlarmsPer100WorkloadsPerDay: options.workloads > 0 && options.days > 0 ? falseAlarms / (options.workloads / 100) / options.days : 0,
    truePositiveAlarms,
    detectedEvents: delays.length,
    events: groundTruth.length,
  };
}
