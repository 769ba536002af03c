import { describe, expect, it } from 'vitest';
import { AnomalyDetector, type CostPoint } from './anomaly-detector.js';
import { DEFAULT_ANOMALY_OPTIONS } from './anomaly-options.js';
import { scoreRate } from './anomaly-scorer.js';
import { evaluateDetections } from './detection-eval.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);

/** A daily cycle: cheap at night, three times the cost in the afternoon. */
const daily = (hour: number) => 1 + (hour % 24 >= 9 && hour % 24 < 18 ? 2 : 0);

function feed(detector: AnomalyDetector, hours: number, rate: (hour: number) => number, workload = 'api') {
  const found = [];
  for (let h = 0; h < hours; h++) {
    // A workload that stopped has no pods, so no priced windows at all.
    for (let m = 0; m < 60 && rate(h) > 0; m++) {
      const point: CostPoint = { cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: workload, windowStart: T0 + h * HOUR + m * 60_000, totalCostUsd: rate(h) / 60, onDemandCostUsd: rate(h) / 60 };
      detector.add(point);
    }
    found.push(...detector.completeThrough(T0 + (h + 1) * HOUR));
  }
  return found;
}

describe('anomaly scoring', () => {
  it('keeps a workload that first appears in an hour not yet scored (closed windows can run ahead of scoring)', () => {
    const detector = new AnomalyDetector();
    const point = (workloadName: string, windowStart: number): CostPoint => ({
      cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName, windowStart, totalCostUsd: 1, onDemandCostUsd: 1,
    });
    detector.add(point('api', T0));
    detector.add(point('batch', T0 + HOUR));
    expect(detector.completeThrough(T0 + HOUR)).toEqual([]);
    expect(() => detector.completeThrough(T0 + 2 * HOUR)).not.toThrow();
  });

  it('expects the daily cycle: the afternoon peak is not an anomaly once same-hour history exists', () => {
    const found = feed(new AnomalyDetector(), 10 * 24, daily);
    expect(found.filter((a) => a.windowStart >= T0 + 3 * DAY)).toEqual([]);
  });

  it('reports a doubled workload in the hour it starts, UP, for the workload and its namespace', () => {
    const start = 8 * 24 + 14;
    const found = feed(new AnomalyDetector(), 9 * 24, (h) => daily(h) * (h >= start && h < start + 3 ? 2 : 1));
    const workload = found.filter((a) => a.scope === 'WORKLOAD');
    expect(workload.map((a) => (a.windowStart - T0) / HOUR)).toEqual([start, start + 1, start + 2]);
    expect(workload[0]).toMatchObject({ key: 'shop/Deployment/api', namespace: 'shop', direction: 'UP', baselineHours: 7 });
    expect(workload[0]?.observedHourlyUsd).toBeCloseTo(6, 9);
    expect(workload[0]?.expectedHourlyUsd).toBeCloseTo(3, 9);
    expect(found.filter((a) => a.scope === 'NAMESPACE')).toHaveLength(3);
  });

  it('reports a drop to zero once, DOWN', () => {
    const found = feed(new AnomalyDetector(), 5 * 24, (h) => (h < 4 * 24 + 5 ? daily(h) : 0));
    const workload = found.filter((a) => a.scope === 'WORKLOAD');
    expect(workload).toHaveLength(1);
    expect(workload[0]).toMatchObject({ direction: 'DOWN', observedHourlyUsd: 0 });
  });

  it('grades severity by the configured thresholds and floors the spread of a flat baseline', () => {
    const flat = new Map(Array.from({ length: 7 }, (_, d) => [T0 - (d + 1) * DAY, 10] as [number, number]));
    const options = { ...DEFAULT_ANOMALY_OPTIONS, scoreInfo: 2, scoreWarning: 4, scoreCritical: 8, minRelativeChange: 0, minRelativeDrop: 0, minAbsoluteChangeHourlyUsd: 0, spreadFloorFraction: 0.1 };
    // spread = max(0, 0.1 × 10) = 1
    expect(scoreRate(flat, T0, 10.5, options)?.severity).toBeNull();
    expect(scoreRate(flat, T0, 13, options)).toMatchObject({ score: 3, severity: 'INFO' });
    expect(scoreRate(flat, T0, 15, options)).toMatchObject({ score: 5, severity: 'WARNING' });
    expect(scoreRate(flat, T0, 1, options)).toMatchObject({ score: -9, severity: 'CRITICAL', direction: 'DOWN' });
    expect(scoreRate(new Map(), T0, 1, options)).toBeNull();
  });

  it('holds falls to the larger minimum drop, and scores the on-demand-equivalent rate unless told otherwise', () => {
    const flat = new Map(Array.from({ length: 7 }, (_, d) => [T0 - (d + 1) * DAY, 10] as [number, number]));
    expect(scoreRate(flat, T0, 14, DEFAULT_ANOMALY_OPTIONS)?.severity).not.toBeNull();
    // A 40 % fall scores −8 but is under the 60 % minimum drop.
    expect(scoreRate(flat, T0, 6, DEFAULT_ANOMALY_OPTIONS)).toMatchObject({ score: -8, severity: null });
    expect(scoreRate(flat, T0, 3, DEFAULT_ANOMALY_OPTIONS)?.severity).toBe('CRITICAL');

    // Spot price halves: the actual cost falls, the on-demand equivalent does not.
    const spotRate = (h: number) => (h >= 8 * 24 + 3 ? 0.5 : 1);
    const run = (rateBasis: 'on-demand' | 'actual') => {
      const detector = new AnomalyDetector({ ...DEFAULT_ANOMALY_OPTIONS, rateBasis, minRelativeDrop: 0.3 });
      const found = [];
      for (let h = 0; h <= 8 * 24 + 6; h++) {
        found.push(...detector.completeThrough(T0 + h * HOUR));
        detector.add({ cluster: 'prod', namespace: 'ns', workloadKind: 'Deployment', workloadName: 'w', windowStart: T0 + h * HOUR, totalCostUsd: spotRate(h), onDemandCostUsd: 3 });
      }
      return found;
    };
    expect(run('on-demand')).toEqual([]);
    expect(run('actual').length).toBeGreaterThan(0);
  });

  it('skips the hour in progress when it starts mid-hour (after a restart)', () => {
    const detector = new AnomalyDetector();
    detector.add({ cluster: 'prod', namespace: 'ns', workloadKind: 'Deployment', workloadName: 'w', windowStart: T0 + 30 * 60_000, totalCostUsd: 1, onDemandCostUsd: 1 });
    expect(detector.completeThrough(T0 + HOUR)).toEqual([]);
  });
});

describe('evaluateDetections', () => {
  const event = { cluster: 'prod', scope: 'WORKLOAD' as const, key: 'shop/Deployment/api', namespace: 'shop', startMillis: T0 + 10 * HOUR + 20 * 60_000, endMillis: T0 + 13 * HOUR, factor: 2 };
  const alarm = (hour: number, scope: 'WORKLOAD' | 'NAMESPACE' = 'WORKLOAD', key = event.key) => ({
    cluster: 'prod', scope, key, namespace: 'shop', windowStart: T0 + hour * HOUR, windowSeconds: 3600,
    observedHourlyUsd: 2, expectedHourlyUsd: 1, score: 9, direction: 'UP' as const, severity: 'WARNING' as const, baselineHours: 7, detectedAt: T0 + (hour + 1) * HOUR,
  });

  it('counts matching alarms, first-alarm delay in intervals, and false alarms per 100 workloads per day', () => {
    const quality = evaluateDetections([event, { ...event, key: 'shop/Deployment/missed' }], [alarm(11), alarm(12), alarm(11, 'NAMESPACE', 'shop'), alarm(20), alarm(3, 'WORKLOAD', 'other/Deployment/x')], {
      intervalMillis: HOUR, workloads: 50, days: 2,
    });
    expect(quality).toMatchObject({ truePositiveAlarms: 3, falseAlarms: 2, precision: 3 / 5, recall: 0.5, meanDelayIntervals: 1, maxDelayIntervals: 1, detectedEvents: 1, events: 2 });
    // 2 false alarms over 50 workloads and 2 days = 2 per 100 workloads per day.
    expect(quality.falseAlarmsPer100WorkloadsPerDay).toBe(2);
  });
});

describe('anomaly history snapshots (the scoring stage changelog)', () => {
  const rate = (hour: number) => (hour === 4 * 24 + 20 ? 9 : daily(hour));
  const pointsOf = (h: number) =>
    Array.from({ length: 60 }, (_, m): CostPoint => ({ cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'api', windowStart: T0 + h * HOUR + m * 60_000, totalCostUsd: rate(h) / 60, onDemandCostUsd: rate(h) / 60 }));

  it('a detector restored from the changes of another scores on exactly as the original would', () => {
    const original = new AnomalyDetector();
    const changes = new Map<string, ReturnType<AnomalyDetector['takeChanges']>[number]['snapshot']>();
    const restartAt = 4 * 24;
    for (let h = 0; h < restartAt; h++) {
      for (const point of pointsOf(h)) original.add(point);
      original.completeThrough(T0 + (h + 1) * HOUR);
      for (const change of original.takeChanges()) changes.set(change.id, change.snapshot);
    }
    expect([...changes.keys()].sort()).toEqual(['prod/NAMESPACE/shop', 'prod/WORKLOAD/shop/Deployment/api']);
    // Resumes mid-stream: the hour it first sees is skipped, so feed it from one hour before the original's next.
    const restored = new AnomalyDetector(DEFAULT_ANOMALY_OPTIONS, true);
    for (const snapshot of changes.values()) if (snapshot) restored.restore(snapshot);
    const fromOriginal = [];
    const fromRestored = [];
    for (let h = restartAt; h < 5 * 24; h++) {
      for (const point of pointsOf(h)) {
        original.add(point);
        if (h > restartAt || point.windowStart >= T0 + h * HOUR + 30 * 60_000) restored.add(point);
      }
      fromOriginal.push(...original.completeThrough(T0 + (h + 1) * HOUR));
      fromRestored.push(...restored.completeThrough(T0 + (h + 1) * HOUR));
    }
    expect(fromOriginal.map((a) => `${a.scope} ${new Date(a.windowStart).toISOString()}`)).toEqual(['NAMESPACE 2026-01-05T20:00:00.000Z', 'WORKLOAD 2026-01-05T20:00:00.000Z']);
    expect(fromRestored).toEqual(fromOriginal);
  });

  it('a fresh detector without the history does not score at all that soon', () => {
    const fresh = new AnomalyDetector(DEFAULT_ANOMALY_OPTIONS, true);
    const found = [];
    for (let h = 4 * 24; h < 5 * 24; h++) {
      for (const point of pointsOf(h)) fresh.add(point);
      found.push(...fresh.completeThrough(T0 + (h + 1) * HOUR));
    }
    expect(found).toEqual([]);
  });
});
