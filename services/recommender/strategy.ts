import { KcostError } from '../errors/kcost-error.js';
import type { HistoryOptions } from './container-history.js';

const MIB = 1024 ** 2;

/**
 * A named right-sizing strategy. Percentiles are 0..1 (1 is the exact
 * maximum); fractions are 0.15 for 15 %. Every field is plain JSON, so the
 * strategy travels with each recommendation as its evidence.
 */
export interface Strategy {
  readonly name: string;
  /** Percentile of CPU usage samples that becomes the CPU request, before the margin. */
  readonly cpuRequestPercentile: number;
  readonly cpuLowerBoundPercentile: number;
  readonly cpuUpperBoundPercentile: number;
  readonly cpuSafetyMarginFraction: number;
  /** 'unset': no CPU limit; 'keep': today's limit (raised to the request if below it); 'proportional': today's limit/request ratio kept. */
  readonly cpuLimitPolicy: 'unset' | 'keep' | 'proportional';
  readonly cpuSampleWeighting: HistoryOptions['cpuSampleWeighting'];
  /** Percentile of per-pod memory peaks (one per pod and interval) that becomes the memory request, before the margin. */
  readonly memoryRequestPercentile: number;
  readonly memoryLowerBoundPercentile: number;
  readonly memoryUpperBoundPercentile: number;
  readonly memorySafetyMarginFraction: number;
  /** 'equal-request': limit = request; 'proportional': today's limit/request ratio kept; 'percentile': its own percentile and margin. */
  readonly memoryLimitPolicy: 'equal-request' | 'proportional' | 'percentile';
  readonly memoryLimitPercentile: number;
  readonly memoryLimitMarginFraction: number;
  /** Length of a memory-peak interval (and of the history's buckets). */
  readonly intervalHours: number;
  /** How far back the strategy reads, rounded up to whole intervals. */
  readonly historyWindowHours: number;
  readonly halfLifeHours: number | null;
  /** Below this much history (first to last sample in the window) there is no recommendation. */
  readonly minHistoryHours: number;
  /** Below this many samples in the window there is no recommendation. */
  readonly minSamples: number;
  /** A change smaller than this fraction of today's value is not worth proposing. */
  readonly minChangeFraction: number;
  /** Floors per pod, shared among its containers (VPA: 25 mCPU and 250 MiB). */
  readonly podMinCpuCores: number;
  readonly podMinMemoryBytes: number;
  readonly oomBumpRatio: number;
  readonly oomMinBumpBytes: number;
  readonly oomBasis: HistoryOptions['oomBasis'];
  /**
   * Where an HPA scales on a resource's utilization: 'retarget' proposes the
   * request together with the HPA target that keeps the replica count for
   * the same load; 'leave' leaves that resource as it is; 'ignore' proposes
   * the request alone (the HPA then scales differently, which is priced).
   */
  readonly hpaPolicy: 'retarget' | 'leave' | 'ignore';
  /** Highest HPA target utilization 'retarget' proposes; the request is raised instead of going past it. */
  readonly hpaMaxTargetUtilizationPercent: number;
  /** VPA's bound widening by history length in days: upper × (1 + m/days)^e, lower × (1 + m/days)^e. */
  readonly upperBoundConfidence: { readonly multiplier: number; readonly exponent: number };
  readonly lowerBoundConfidence: { readonly multiplier: number; readonly exponent: number };
}

const VPA_BOUNDS = {
  upperBoundConfidence: { multiplier: 1, exponent: 1 },
  lowerBoundConfidence: { multiplier: 0.001, exponent: -2 },
} as const;

/**
 * The VPA recommender's defaults (logic/recommender.go, model/aggregations_config.go):
 * p90 CPU and p90 of daily memory peaks, 15 % margin, bounds at p50/p95,
 * 24 h half-life, request-weighted CPU samples, OOM bump max(×1.2, +100 MiB)
 * on the request, 25 mCPU / 250 MiB per pod, limits kept in proportion. Its
 * history is the 8 days of memory aggregation it keeps. VPA recommends from
 * the first sample; the updater changes pods only when the change is over 10 %.
 */
export const VPA_STRATEGY: Strategy = Object.freeze({
  name: 'vpa',
  cpuRequestPercentile: 0.9,
  cpuLowerBoundPercentile: 0.5,
  cpuUpperBoundPercentile: 0.95,
  cpuSafetyMarginFraction: 0.15,
  cpuLimitPolicy: 'proportional',
  cpuSampleWeighting: 'request',
  memoryRequestPercentile: 0.9,
  memoryLowerBoundPercentile: 0.5,
  memoryUpperBoundPercentile: 0.95,
  memorySafetyMarginFraction: 0.15,
  memoryLimitPolicy: 'proportional',
  memoryLimitPercentile: 0.9,
  memoryLimitMarginFraction: 0.15,
  intervalHours: 24,
  historyWindowHours: 8 * 24,
  halfLifeHours: 24,
  minHistoryHours: 0,
  minSamples: 1,
  minChangeFraction: 0.1,
  podMinCpuCores: 0.025,
  podMinMemoryBytes: 250 * MIB,
  oomBumpRatio: 1.2,
  oomMinBumpBytes: 100 * MIB,
  oomBasis: 'request',
  hpaPolicy: 'ignore',
  hpaMaxTargetUtilizationPercent: 100,
  ...VPA_BOUNDS,
});

/**
 * Robusta KRR's "simple" strategy (robusta_krr/strategies/simple.py):
 * CPU request = p95 of usage over 336 h, no CPU limit; memory request =
 * limit = maximum + 15 %; no decay, no floors, OOM data off, at least 100
 * points; resources an HPA scales on are left alone.
 */
export const KRR_SIMPLE_STRATEGY: Strategy = Object.freeze({
  name: 'krr-simple',
  cpuRequestPercentile: 0.95,
  cpuLowerBoundPercentile: 0.95,
  cpuUpperBoundPercentile: 0.95,
  cpuSafetyMarginFraction: 0,
  cpuLimitPolicy: 'unset',
  cpuSampleWeighting: 'uniform',
  memoryRequestPercentile: 1,
  memoryLowerBoundPercentile: 1,
  memoryUpperBoundPercentile: 1,
  memorySafetyMarginFraction: 0.15,
  memoryLimitPolicy: 'equal-request',
  memoryLimitPercentile: 1,
  memoryLimitMarginFraction: 0.15,
  intervalHours: 24,
  historyWindowHours: 336,
  halfLifeHours: null,
  minHistoryHours: 0,
  minSamples: 100,
  minChangeFraction: 0.1,
  podMinCpuCores: 0,
  podMinMemoryBytes: 0,
  oomBumpRatio: 1,
  oomMinBumpBytes: 0,
  oomBasis: 'request',
  hpaPolicy: 'leave',
  hpaMaxTargetUtilizationPercent: 100,
  upperBoundConfidence: { multiplier: 0, exponent: 1 },
  lowerBoundConfidence: { multiplier: 0, exponent: 1 },
});

/**
 * kcost's default, chosen on the rightsizing bench (docs/rightsizing.md):
 * the VPA model with the window and tail of KRR where they measured better.
 */
export const KCOST_STRATEGY: Strategy = Object.freeze({
  ...VPA_STRATEGY,
  name: 'kcost',
  cpuRequestPercentile: 0.95,
  cpuSafetyMarginFraction: 0.1,
  cpuLimitPolicy: 'unset',
  memoryLimitPolicy: 'percentile',
  memoryLimitPercentile: 1,
  memoryLimitMarginFraction: 0.2,
  historyWindowHours: 14 * 24,
  halfLifeHours: 48,
  minHistoryHours: 24,
  minSamples: 60,
  oomBasis: 'limit',
  hpaPolicy: 'retarget',
  // The HPA acts only past its 10 % tolerance and a sync later: 80 % × 1.1 plus the 10 % margin stays under the request.
  hpaMaxTargetUtilizationPercent: 80,
});

/** The strategies known by name. */
export const STRATEGIES: Readonly<Record<string, Strategy>> = Object.freeze({
  [KCOST_STRATEGY.name]: KCOST_STRATEGY,
  [VPA_STRATEGY.name]: VPA_STRATEGY,
  [KRR_SIMPLE_STRATEGY.name]: KRR_SIMPLE_STRATEGY,
});

/** The preset `name` (default kcost) with `overrides` applied, validated and frozen. */
export function compileStrategy(name = KCOST_STRATEGY.name, overrides: Partial<Strategy> = {}): Strategy {
  const preset = STRATEGIES[name];
  if (!preset) throw new KcostError('UNKNOWN_STRATEGY', `unknown right-sizing strategy "${name}"; known: ${Object.keys(STRATEGIES).join(', ')}`);
  const strategy: Strategy = { ...preset, ...overrides, name: overrides.name ?? preset.name };
  const problems: string[] = [];
  const fraction = (key: keyof Strategy, value: number, min: number, max: number): void => {
    if (!(Number.isFinite(value) && value >= min && value <= max)) problems.push(`${key} must be in [${min}, ${max}], got ${value}`);
  };
  for (const key of ['cpuRequestPercentile', 'cpuLowerBoundPercentile', 'cpuUpperBoundPercentile', 'memoryRequestPercentile', 'memoryLowerBoundPercentile', 'memoryUpperBoundPercentile', 'memoryLimitPercentile'] as const) {
    fraction(key, strategy[key], 0, 1);
  }
  for (const key of ['cpuSafetyMarginFraction', 'memorySafetyMarginFraction', 'memoryLimitMarginFraction', 'minChangeFraction'] as const) fraction(key, strategy[key], 0, 10);
  fraction('intervalHours', strategy.intervalHours, 1, 24 * 7);
  fraction('historyWindowHours', strategy.historyWindowHours, strategy.intervalHours, 24 * 90);
  fraction('minHistoryHours', strategy.minHistoryHours, 0, strategy.historyWindowHours);
  fraction('minSamples', strategy.minSamples, 0, Number.MAX_SAFE_INTEGER);
  fraction('podMinCpuCores', strategy.podMinCpuCores, 0, 1000);
  fraction('podMinMemoryBytes', strategy.podMinMemoryBytes, 0, 1e12);
  fraction('oomBumpRatio', strategy.oomBumpRatio, 1, 10);
  fraction('oomMinBumpBytes', strategy.oomMinBumpBytes, 0, 1e12);
  fraction('hpaMaxTargetUtilizationPercent', strategy.hpaMaxTargetUtilizationPercent, 1, 1000);
  if (strategy.halfLifeHours !== null) fraction('halfLifeHours', strategy.halfLifeHours, 0.1, 24 * 365);
  if (problems.length > 0) throw new KcostError('INVALID_STRATEGY', `strategy "${strategy.name}": ${problems.join('; ')}`);
  return Object.freeze({ ...strategy, upperBoundConfidence: Object.freeze({ ...strategy.upperBoundConfidence }), lowerBoundConfidence: Object.freeze({ ...strategy.lowerBoundConfidence }) });
}

/** Intervals a strategy reads. */
export function windowIntervals(strategy: Strategy): number {
  return Math.ceil(strategy.historyWindowHours / strategy.intervalHours);
}

/** The history a strategy needs kept per container. */
export function historyOptionsOf(strategy: Strategy): HistoryOptions {
  return {
    intervalHours: strategy.intervalHours,
    retainIntervals: windowIntervals(strategy),
    halfLifeHours: strategy.halfLifeHours,
    cpuSampleWeighting: strategy.cpuSampleWeighting,
    oomBumpRatio: strategy.oomBumpRatio,
    oomMinBumpBytes: strategy.oomMinBumpBytes,
    oomBasis: strategy.oomBasis,
  };
}
