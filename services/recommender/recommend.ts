import type { WindowSummary } from './container-history.js';
import { CPU_BUCKETS, MEMORY_BUCKETS } from './histogram.js';
import { monthlyCost, type Rates } from './pricing.js';
import type { HpaAdvice, ReasonCode, Recommendation, ResourceAdvice, ResourceName, Risk, WorkloadContainerRef } from './recommendation.js';
import { recommendationKey, NO_DETAILS } from './recommendation.js';
import { windowIntervals, type Strategy } from './strategy.js';

const HOUR = 3_600_000;
const MIB = 1024 ** 2;

/** An HPA on the workload, reduced to what right-sizing needs. */
export interface HpaState {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Resource-utilization metrics only (pods and external metrics do not move with requests). */
  readonly metrics: ReadonlyArray<{ readonly resource: ResourceName; readonly targetUtilizationPercent: number }>;
  /**
   * The HPA's Pods, Object and External metrics, as `External queue_depth`:
   * it scales on the largest of its metrics' proposals, so a request change
   * alone no longer decides its replicas.
   */
  readonly loadMetrics: readonly string[];
}

/** Today's spec and status of a workload container, as the kube collector reports it. */
export interface ContainerState {
  readonly target: WorkloadContainerRef;
  readonly replicas: number;
  readonly containersPerPod: number;
  readonly cpuRequestCores: number | null;
  readonly cpuLimitCores: number | null;
  readonly memoryRequestBytes: number | null;
  readonly memoryLimitBytes: number | null;
  /** Restarts summed over the workload's current pods. */
  readonly restartCount: number;
  readonly hpa: HpaState | null;
}

export interface RecommendInput {
  readonly history: WindowSummary;
  readonly state: ContainerState;
  readonly rates: Rates;
  readonly strategy: Strategy;
  readonly nowMillis: number;
}

interface Proposal {
  readonly advice: ResourceAdvice;
  readonly hpa: HpaAdvice | null;
  readonly replicasAfter: number;
}

/**
 * A strategy's recommendation for one workload container: pure, total
 * (bad or missing input gives a reason code, never NaN or a negative
 * value), and priced with the given rates.
 */
export function recommend(input: RecommendInput): Recommendation {
  const { history, state, strategy } = input;
  const windowHours = windowIntervals(strategy) * strategy.intervalHours;
  const historyHours = history.firstSampleAt === null || history.lastSampleAt === null ? 0 : Math.max(0, (history.lastSampleAt - history.firstSampleAt) / HOUR);
  const observedHours = history.observedSeconds / 3600;
  const confidenceDays = Math.min(historyHours, observedHours) / 24;
  const enough = history.samples > 0 && history.samples >= strategy.minSamples && historyHours >= strategy.minHistoryHours;
  // Kubernetes keeps replica counts in an int32.
  const replicas = Math.min(Math.floor(nonNegative(state.replicas)), 2 ** 31 - 1);
  const cpu = propose('cpu', input, enough, confidenceDays, replicas);
  const memory = propose('memory', input, enough, confidenceDays, replicas);
  const replicasAfter = Math.max(cpu.replicasAfter, memory.replicasAfter);
  const { saving, pricing } = monthlyCost(input.rates, {
    replicas,
    replicasAfter,
    current: { cpuCores: cpu.advice.currentRequest, memoryBytes: memory.advice.currentRequest },
    recommended: { cpuCores: cpu.advice.recommendedRequest, memoryBytes: memory.advice.recommendedRequest },
  });
  const confidence = Math.min(1, confidenceDays / (windowHours / 24));
  const hpa = [cpu.hpa, memory.hpa].filter((h): h is HpaAdvice => h !== null);
  return {
    ...NO_DETAILS,
    kind: 'WORKLOAD_RESOURCES',
    key: recommendationKey(state.target),
    cluster: state.target.cluster,
    generatedAt: input.nowMillis,
    confidence,
    risk: riskOf(cpu.advice, memory.advice, hpa, confidence),
    reasons: [...new Set([...cpu.advice.reasons, ...memory.advice.reasons])],
    strategy: { name: strategy.name, parameters: flatParameters(strategy) },
    saving,
    workloadResources: {
      target: state.target,
      cpu: cpu.advice,
      memory: memory.advice,
      hpa,
      evidence: {
        historyHours,
        observedHours,
        sampleCount: history.samples,
        firstSampleAt: history.firstSampleAt,
        lastSampleAt: history.lastSampleAt,
        oomKills: history.oomKills,
        restartCount: nonNegative(state.restartCount),
        requiredHistoryHours: strategy.minHistoryHours,
        requiredSamples: strategy.minSamples,
      },
      pricing,
    },
  };
}

function riskOf(cpu: ResourceAdvice, memory: ResourceAdvice, hpa: readonly HpaAdvice[], confidence: number): Risk {
  const cuts = [cpu, memory].filter((a) => a.action === 'CHANGE' && a.currentRequest !== null && a.recommendedRequest !== null && a.recommendedRequest < a.currentRequest);
  const limitBelowPeak = memory.action === 'CHANGE' && memory.recommendedLimit !== null && memory.recommendedLimit < 1.1 * memory.percentiles.max && (memory.currentLimit === null || memory.recommendedLimit < memory.currentLimit);
  if (limitBelowPeak || (cuts.length > 0 && confidence < 0.25)) return 'HIGH';
  const halved = cuts.some((a) => (a.recommendedRequest as number) < 0.5 * (a.currentRequest as number));
  if (halved || hpa.some((h) => h.recommendedTargetUtilizationPercent !== null)) return 'MEDIUM';
  return 'LOW';
}

function propose(resource: ResourceName, input: RecommendInput, enough: boolean, confidenceDays: number, replicas: number): Proposal {
  const { history, state, strategy } = input;
  const isCpu = resource === 'cpu';
  // Values past the histogram's range (1000 cores, 1e12 bytes) are not real specs: read them as that range's end.
  const ceiling = isCpu ? CPU_BUCKETS.maxValue : MEMORY_BUCKETS.maxValue;
  const currentRequest = positiveOrNull(isCpu ? state.cpuRequestCores : state.memoryRequestBytes, ceiling);
  const currentLimit = positiveOrNull(isCpu ? state.cpuLimitCores : state.memoryLimitBytes, ceiling);
  const at = (p: number): number => nonNegative(isCpu ? history.cpuPercentile(p) : history.memoryPercentile(p));
  const percentiles = { p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), max: at(1) };
  const margin = isCpu ? strategy.cpuSafetyMarginFraction : strategy.memorySafetyMarginFraction;
  const floor = (isCpu ? strategy.podMinCpuCores : strategy.podMinMemoryBytes) / Math.max(1, Math.floor(nonNegative(state.containersPerPod)));
  const round = (value: number): number => Math.max(0, isCpu ? Math.ceil(value * 1000 - 1e-9) / 1000 : Math.ceil(value / MIB - 1e-9) * MIB);
  const sized = (p: number, extra: number, factor = 1): number => round(Math.max(floor, at(p) * (1 + extra) * factor));
  const hpaMetric = state.hpa?.metrics.find((m) => m.resource === resource && m.targetUtilizationPercent > 0) ?? null;
  const loadMetrics = state.hpa?.loadMetrics ?? [];
  // A new target × request keeps the replicas only where utilization alone drives them: with other metrics, leave it.
  const hpaPolicy = strategy.hpaPolicy === 'retarget' && loadMetrics.length > 0 ? 'leave' : strategy.hpaPolicy;
  const noted = (note: string): string => (loadMetrics.length === 0 ? note : `${note}; the HPA also scales on ${loadMetrics.join(', ')}, which a request change does not move, so the request alone does not decide its replicas`);
  const base = { resource, unit: isCpu ? ('cores' as const) : ('bytes' as const), currentRequest, currentLimit, percentiles };
  const reasons: ReasonCode[] = [];
  if (currentRequest === null) reasons.push('NO_REQUESTS');
  if (hpaMetric) reasons.push('HPA_MANAGED');
  if (!isCpu && history.oomKills > 0) reasons.push('OOM_KILLED');
  const unchanged = (action: 'KEEP' | 'NONE', why: ReasonCode[], bounds = { lowerBound: null as number | null, upperBound: null as number | null }): Proposal => ({
    advice: { ...base, action, recommendedRequest: currentRequest, recommendedLimit: currentLimit, ...bounds, reasons: why },
    hpa: hpaMetric ? { resource, currentTargetUtilizationPercent: hpaMetric.targetUtilizationPercent, recommendedTargetUtilizationPercent: null, note: noted('target unchanged') } : null,
    replicasAfter: replicas,
  });
  if (!enough) return unchanged('NONE', [...reasons, 'INSUFFICIENT_HISTORY']);
  if (hpaMetric && hpaPolicy === 'leave') return unchanged('NONE', reasons);

  let request = sized(isCpu ? strategy.cpuRequestPercentile : strategy.memoryRequestPercentile, margin);
  let target: number | null = null;
  if (hpaMetric && hpaPolicy === 'retarget' && currentRequest !== null) {
    // Utilization = usage / request, so target × request fixed keeps the replica count for the same load.
    const perReplica = (hpaMetric.targetUtilizationPercent / 100) * currentRequest;
    target = Math.floor((hpaMetric.targetUtilizationPercent * currentRequest) / request);
    if (target > strategy.hpaMaxTargetUtilizationPercent) target = Math.floor(strategy.hpaMaxTargetUtilizationPercent);
    target = Math.max(1, target);
    request = round(Math.max(floor, (perReplica * 100) / target));
    if (target === hpaMetric.targetUtilizationPercent) target = null;
  }
  const upperFactor = confidenceFactor(strategy.upperBoundConfidence, confidenceDays);
  const lowerFactor = confidenceFactor(strategy.lowerBoundConfidence, confidenceDays);
  const upperPercentile = isCpu ? strategy.cpuUpperBoundPercentile : strategy.memoryUpperBoundPercentile;
  const lowerPercentile = isCpu ? strategy.cpuLowerBoundPercentile : strategy.memoryLowerBoundPercentile;
  const upperBound = Number.isFinite(upperFactor) ? sized(upperPercentile, margin, upperFactor) : null;
  const lowerBound = sized(lowerPercentile, margin, Number.isFinite(lowerFactor) ? lowerFactor : 0);
  const limit = proposedLimit(resource, strategy, request, currentRequest, currentLimit, (p, m) => sized(p, m));

  const changed = currentRequest === null || relativeChange(request, currentRequest) >= strategy.minChangeFraction || limitChanged(limit, currentLimit, strategy.minChangeFraction);
  if (!changed) return unchanged('KEEP', reasons, { lowerBound, upperBound });
  if (currentRequest !== null) reasons.push(request < currentRequest ? 'OVER_PROVISIONED' : 'UNDER_PROVISIONED');
  const scalesWithRequest = hpaMetric !== null && target === null && currentRequest !== null && request > 0;
  const replicasAfter = scalesWithRequest && state.hpa ? clamp(Math.ceil((replicas * currentRequest) / request - 1e-9), state.hpa.minReplicas, state.hpa.maxReplicas) : replicas;
  return {
    advice: { ...base, action: 'CHANGE', recommendedRequest: request, recommendedLimit: limit, lowerBound: Math.min(lowerBound, request), upperBound: upperBound === null ? null : Math.max(upperBound, request), reasons },
    hpa: hpaMetric
      ? {
          resource,
          currentTargetUtilizationPercent: hpaMetric.targetUtilizationPercent,
          recommendedTargetUtilizationPercent: target,
          note: noted(target === null ? 'target unchanged: the HPA will run more (or fewer) replicas for the same load' : 'set together with the request: same replicas for the same load'),
        }
      : null,
    replicasAfter,
  };
}

function proposedLimit(
  resource: ResourceName,
  strategy: Strategy,
  request: number,
  currentRequest: number | null,
  currentLimit: number | null,
  sized: (percentile: number, margin: number) => number,
): number | null {
  // A ratio from absurd values (a limit of 1e300 over a request of 1e-300) is capped at the histogram's range.
  const ceiling = resource === 'cpu' ? CPU_BUCKETS.maxValue : MEMORY_BUCKETS.maxValue;
  const proportional = currentLimit === null || currentRequest === null ? null : Math.min(ceiling, Math.max(request, (currentLimit / currentRequest) * request));
  if (resource === 'cpu') {
    if (strategy.cpuLimitPolicy === 'unset') return null;
    if (strategy.cpuLimitPolicy === 'keep') return currentLimit === null ? null : Math.max(currentLimit, request);
    return proportional === null ? null : Math.ceil(proportional * 1000 - 1e-9) / 1000;
  }
  if (strategy.memoryLimitPolicy === 'equal-request') return request;
  if (strategy.memoryLimitPolicy === 'proportional') return proportional === null ? null : Math.ceil(proportional / MIB - 1e-9) * MIB;
  return Math.max(request, sized(strategy.memoryLimitPercentile, strategy.memoryLimitMarginFraction));
}

/** VPA's confidence multiplier (1 + multiplier / days)^exponent; 1 when the multiplier is 0. */
function confidenceFactor(confidence: { multiplier: number; exponent: number }, days: number): number {
  if (confidence.multiplier === 0) return 1;
  if (days <= 0) return confidence.exponent > 0 ? Number.POSITIVE_INFINITY : 0;
  return (1 + confidence.multiplier / days) ** confidence.exponent;
}

function relativeChange(proposed: number, current: number): number {
  return Math.abs(proposed - current) / current;
}

function limitChanged(proposed: number | null, current: number | null, minChange: number): boolean {
  if (proposed === null || current === null) return proposed !== current;
  return relativeChange(proposed, current) >= minChange;
}

function positiveOrNull(value: number | null, ceiling: number): number | null {
  return value !== null && Number.isFinite(value) && value > 0 ? Math.min(value, ceiling) : null;
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max));
}

function flatParameters(strategy: Strategy): Record<string, string | number | boolean | null> {
  const { name: _name, upperBoundConfidence, lowerBoundConfidence, ...scalars } = strategy;
  return {
    ...scalars,
    upperBoundConfidenceMultiplier: upperBoundConfidence.multiplier,
    upperBoundConfidenceExponent: upperBoundConfidence.exponent,
    lowerBoundConfidenceMultiplier: lowerBoundConfidence.multiplier,
    lowerBoundConfidenceExponent: lowerBoundConfidence.exponent,
  };
}
