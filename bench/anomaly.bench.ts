// Anomaly quality of the cost processor's scorer on the simulator's injected
// anomalies. The simulator's event stream (state, prices, usage) runs through
// the processor's pure core in-process (window assembly, pricing, hourly
// scoring), exactly the code `kcost process` runs between its Kafka edges;
// the alarms are then scored against the simulator's ground truth. The
// baseline, measured on the same hourly cost series in the same run, is a
// naive detector: mean ± 3 standard deviations of the trailing 24 hours.
import type { CostAnomaly, KubeObject, PriceUpdate, UsageSample } from '../services/codec/records.generated.js';
import { AnomalyDetector } from '../services/processor/anomaly-detector.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../services/processor/anomaly-options.js';
import { ClusterState } from '../services/processor/cluster-state.js';
import { evaluateDetections, type DetectionQuality, type GroundTruthEvent } from '../services/processor/detection-eval.js';
import { PriceHistory } from '../services/processor/price-history.js';
import { WindowAssembler } from '../services/processor/window-assembler.js';
import { priceWindow } from '../services/processor/window-pricer.js';
import { createSimulation } from '../services/simulator/simulation.js';
import { compared, type Benchmark, type Figure } from './bench-types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const SIMULATION = {
  cluster: 'bench',
  nodes: 24,
  pods: 240,
  startMillis: Date.parse('2026-01-05T00:00:00Z'),
  durationMillis: 10 * DAY,
  windowSeconds: 300,
  anomalies: 24,
};
const SEEDS = [11, 23, 37];

interface Run {
  readonly truth: GroundTruthEvent[];
  readonly alarms: CostAnomaly[];
  readonly naiveAlarms: CostAnomaly[];
  readonly workloads: number;
  readonly days: number;
  readonly windows: number;
  readonly samples: number;
}

/** Feeds one simulated cluster through the processor core and both detectors. */
function simulate(seed: number): Run {
  const simulation = createSimulation({ ...SIMULATION, seed });
  const state = new ClusterState();
  const prices = new PriceHistory();
  // The simulator emits in event-time order; a little lateness still mirrors the processor's settings.
  const assembler = new WindowAssembler(60_000);
  const detector = new AnomalyDetector(DEFAULT_ANOMALY_OPTIONS);
  const naive = new NaiveDetector();
  const alarms: CostAnomaly[] = [];
  let offset = 0;
  let windows = 0;
  let samples = 0;
  for (const event of simulation.events()) {
    if (event.schema === 'KubeObject') state.apply(event.value as KubeObject);
    else if (event.schema === 'PriceUpdate') prices.add(event.value as PriceUpdate);
    else if (event.schema === 'UsageSample') {
      samples++;
      assembler.add(event.value as UsageSample, 0, String(offset++));
      for (const window of assembler.closeReady()) {
        windows++;
        for (const cost of priceWindow(window, state, prices).podCosts) {
          detector.add(cost);
          naive.add(cost);
        }
      }
      const closedThrough = assembler.watermark - 60_000 - 1;
      alarms.push(...detector.completeThrough(closedThrough));
      naive.completeThrough(closedThrough);
    }
  }
  const workloads = new Set(simulation.plan.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`)).size;
  return { truth: simulation.groundTruth(), alarms, naiveAlarms: naive.alarms, workloads, days: SIMULATION.durationMillis / DAY, windows, samples };
}

/** The baseline: a z-score against the mean and standard deviation of the trailing 24 hours (no daily cycle, not robust). */
class NaiveDetector {
  readonly alarms: CostAnomaly[] = [];
  private readonly buckets = new Map<number, Map<string, number>>();
  private readonly history = new Map<string, number[]>();
  private nextHour: number | null = null;

  add(cost: { cluster: string; namespace: string; workloadKind: string; workloadName: string; windowStart: number; totalCostUsd: number }): void {
    this.nextHour ??= Math.ceil(cost.windowStart / HOUR) * HOUR;
    const hour = Math.floor(cost.windowStart / HOUR) * HOUR;
    if (hour < this.nextHour) return;
    const bucket = this.buckets.get(hour) ?? new Map<string, number>();
    this.buckets.set(hour, bucket);
    const keys = [`NAMESPACE|${cost.namespace}|${cost.namespace}`];
    if (cost.workloadKind !== '') keys.push(`WORKLOAD|${cost.namespace}/${cost.workloadKind}/${cost.workloadName}|${cost.namespace}`);
    for (const key of keys) bucket.set(key, (bucket.get(key) ?? 0) + cost.totalCostUsd);
  }

  completeThrough(closedThrough: number): void {
    for (; this.nextHour !== null && this.nextHour + HOUR <= closedThrough; this.nextHour += HOUR) {
      const bucket = this.buckets.get(this.nextHour) ?? new Map<string, number>();
      this.buckets.delete(this.nextHour);
      for (const [key, observed] of bucket) {
        const past = this.history.get(key) ?? [];
        if (past.length >= 24) {
          const mean = past.reduce((s, v) => s + v, 0) / past.length;
          const sd = Math.sqrt(past.reduce((s, v) => s + (v - mean) ** 2, 0) / past.length);
          const score = (observed - mean) / Math.max(sd, 1e-9);
          if (Math.abs(score) >= 3) {
            const [scope, name, namespace] = key.split('|') as ['WORKLOAD' | 'NAMESPACE', string, string];
            this.alarms.push({ cluster: SIMULATION.cluster, scope, key: name, namespace, windowStart: this.nextHour, windowSeconds: 3600, observedHourlyUsd: observed, expectedHourlyUsd: mean, score, direction: score > 0 ? 'UP' : 'DOWN', severity: 'INFO', baselineHours: past.length, detectedAt: closedThrough });
          }
        }
        this.history.set(key, [...past, observed].slice(-24));
      }
    }
  }
}

function pooled(runs: readonly Run[], pick: (run: Run) => CostAnomaly[]): DetectionQuality {
  // Each run is its own cluster name space: evaluate per run and pool the counts.
  const parts = runs.map((run) => evaluateDetections(run.truth, pick(run), { intervalMillis: HOUR, workloads: run.workloads, days: run.days }));
  const alarms = parts.reduce((s, q) => s + q.truePositiveAlarms + q.falseAlarms, 0);
  const truePositiveAlarms = parts.reduce((s, q) => s + q.truePositiveAlarms, 0);
  const events = parts.reduce((s, q) => s + q.events, 0);
  const detectedEvents = parts.reduce((s, q) => s + q.detectedEvents, 0);
  const falseAlarms = parts.reduce((s, q) => s + q.falseAlarms, 0);
  const workloadDays = runs.reduce((s, r) => s + r.workloads * r.days, 0);
  return {
    precision: alarms === 0 ? 1 : truePositiveAlarms / alarms,
    recall: events === 0 ? 1 : detectedEvents / events,
    meanDelayIntervals: detectedEvents === 0 ? 0 : parts.reduce((s, q) => s + q.meanDelayIntervals * q.detectedEvents, 0) / detectedEvents,
    maxDelayIntervals: Math.max(0, ...parts.map((q) => q.maxDelayIntervals)),
    falseAlarms,
    falseAlarmsPer100WorkloadsPerDay: falseAlarms / (workloadDays / 100),
    truePositiveAlarms,
    detectedEvents,
    events,
  };
}

const anomalyBench: Benchmark = (context) => {
  const runs = SEEDS.map((seed) => {
    const started = Date.now();
    const run = simulate(seed);
    context.log(`seed ${seed}: ${run.samples} samples, ${run.windows} windows, ${run.workloads} workloads, ${run.truth.length} injected, ${run.alarms.length} alarms (naive ${run.naiveAlarms.length}) in ${Date.now() - started} ms`);
    return run;
  });
  const quality = pooled(runs, (r) => r.alarms);
  const naive = pooled(runs, (r) => r.naiveAlarms);
  const figures: Figure[] = [
    compared('precision', 'ratio', 'higher', quality.precision, { label: 'naive 24 h mean ± 3σ', value: naive.precision }, { text: 'value ≥ 0.9', test: (_, v) => v >= 0.9 }),
    compared('recall', 'ratio', 'higher', quality.recall, { label: 'naive 24 h mean ± 3σ', value: naive.recall }, { text: 'value ≥ 0.9', test: (_, v) => v >= 0.9 }),
    {
      metric: 'detection delay (mean; worst in notes)',
      value: quality.meanDelayIntervals,
      unit: 'hourly intervals',
      better: 'lower',
      baseline: { label: 'naive 24 h mean ± 3σ', value: naive.meanDelayIntervals },
      target: { text: 'worst ≤ 2 intervals', met: quality.maxDelayIntervals <= 2 },
    },
    compared('false alarms', 'per 100 workloads per day', 'lower', quality.falseAlarmsPer100WorkloadsPerDay, { label: 'naive 24 h mean ± 3σ', value: naive.falseAlarmsPer100WorkloadsPerDay }, {
      text: 'value < 1',
      test: (_, v) => v < 1,
    }),
  ];
  return Promise.resolve({
    name: 'anomaly',
    description: 'Hourly cost-rate anomaly scoring (median/MAD against the same hour of previous days) on simulated clusters with injected anomalies, scored against the simulator ground truth.',
    figures,
    notes: [
      `${SEEDS.length} simulated clusters (seeds ${SEEDS.join(', ')}), each ${SIMULATION.nodes} nodes, ${SIMULATION.pods} pods, ${SIMULATION.durationMillis / DAY} days of ${SIMULATION.windowSeconds} s windows, ${SIMULATION.anomalies} injected anomalies in the second half; churn, rollouts, spot interruptions and spot price moves at the simulator defaults.`,
      `Pooled: ${quality.events} ground-truth entries, ${quality.detectedEvents} detected, ${quality.truePositiveAlarms + quality.falseAlarms} alarms of which ${quality.falseAlarms} false; worst delay ${quality.maxDelayIntervals} intervals. Naive baseline: ${naive.detectedEvents} detected, ${naive.truePositiveAlarms + naive.falseAlarms} alarms, ${naive.falseAlarms} false.`,
      'An alarm matches an entry of the same scope and key, or across workload/namespace of the same namespace, when its hour overlaps the anomaly (plus one hour after); the delay counts hours from the hour the anomaly started in to the first matching alarm.',
      'The pipeline runs in-process (the processor core without its Kafka edges): the figures measure scoring quality, not throughput.',
    ],
  });
};

export default anomalyBench;
