import type { PodCost } from '../codec/records.generated.js';
import { KcostError } from '../errors/kcost-error.js';
import { isValidObservation, type UsageObservation } from './container-history.js';
import type { WorkloadContainerRef } from './recommendation.js';

/** The kind a container's target gets when its pod has no controller: the pod is its own workload. */
export const BARE_POD_KIND = 'Pod';

/**
 * The workload container a priced window belongs to, so that every replica
 * of a workload feeds one model: `Deployment/web`, or `Pod/<name>` for a bare
 * pod. A window priced without its pod's state (UNKNOWN_POD) has no known
 * workload: keyed by pod, each replica would get a model of its own, so it is
 * refused instead (UNKNOWN_POD).
 */
export function targetOfCost(cost: PodCost): WorkloadContainerRef {
  if (cost.flags.includes('UNKNOWN_POD')) {
    throw new KcostError('UNKNOWN_POD', `pod ${cost.cluster}/${cost.namespace}/${cost.podName} (${cost.podUid}) was priced without its state, so its workload is unknown`);
  }
  const bare = cost.workloadKind === '' || cost.workloadName === '';
  return {
    cluster: cost.cluster,
    namespace: cost.namespace,
    workloadKind: bare ? BARE_POD_KIND : cost.workloadKind,
    workloadName: bare ? cost.podName : cost.workloadName,
    container: cost.container,
  };
}

/** What one priced window adds to its workload's per-resource rates. */
export interface CostFigures {
  readonly hours: number;
  readonly cpuCostUsd: number;
  readonly cpuAllocatedCores: number;
  readonly memoryCostUsd: number;
  readonly memoryAllocatedBytes: number;
  readonly priceSource: string;
  readonly podUid: string;
  readonly cpuRequestCores: number;
  readonly memoryRequestBytes: number;
}

/** One priced window as the recommender reads it: its usage, and its cost for the rates. */
export interface CostSample {
  readonly observation: UsageObservation;
  readonly figures: CostFigures;
}

/**
 * A priced window as a usage observation and its cost figures; null for a
 * gap window, which measured nothing (it is not zero usage). The peak is the
 * window's largest working set (PodCost v3), else, in records written before
 * it existed, the window's average, the best there is.
 */
export function costSampleOf(cost: PodCost): CostSample | null {
  if (cost.flags.includes('GAP')) return null;
  const observation: UsageObservation = {
    podUid: cost.podUid,
    windowStart: cost.windowStart,
    windowSeconds: cost.windowSeconds,
    cpuCores: cost.cpuUsageCoresAvg,
    memoryPeakBytes: cost.memoryWorkingSetMaxBytes ?? cost.memoryUsageBytesAvg,
    cpuRequestCores: cost.cpuRequestCores,
  };
  const figures: CostFigures = {
    hours: cost.windowSeconds / 3600,
    cpuCostUsd: cost.cpuCostUsd,
    cpuAllocatedCores: cost.cpuAllocatedCores,
    memoryCostUsd: cost.memoryCostUsd,
    memoryAllocatedBytes: cost.memoryAllocatedBytes,
    priceSource: cost.priceSource,
    podUid: cost.podUid,
    cpuRequestCores: cost.cpuRequestCores,
    memoryRequestBytes: cost.memoryRequestBytes,
  };
  return { observation, figures };
}

// A container's own figures beyond these are not measurements (the histograms' ranges, input-bounds.ts' price bounds).
const MAX_CORES = 1000;
const MAX_BYTES = 1e12;
const MAX_USD_PER_CORE_HOUR = 10;
const MAX_USD_PER_GIB_HOUR = 1;

/**
 * Why a priced window cannot feed a model (OUT_OF_BOUNDS), or null: usage
 * the history refuses (NaN, negative, past 1000 cores or 1e12 bytes), or
 * requests, allocations and costs that are negative, not finite or absurd,
 * which would make the rates, and so the savings, NaN or negative.
 */
export function costSampleProblem(sample: CostSample): KcostError | null {
  const { observation: o, figures: f } = sample;
  const where = `window ${new Date(Number.isFinite(o.windowStart) ? o.windowStart : 0).toISOString()} of pod ${o.podUid}`;
  if (!isValidObservation(o)) return new KcostError('OUT_OF_BOUNDS', `usage of ${where} is not a measurement: ${o.cpuCores} cores, ${o.memoryPeakBytes} bytes over ${o.windowSeconds} s`);
  const within = (value: number, max: number) => Number.isFinite(value) && value >= 0 && value <= max;
  const bad = (
    [
      ['cpuRequestCores', f.cpuRequestCores, MAX_CORES],
      ['memoryRequestBytes', f.memoryRequestBytes, MAX_BYTES],
      ['cpuAllocatedCores', f.cpuAllocatedCores, MAX_CORES],
      ['memoryAllocatedBytes', f.memoryAllocatedBytes, MAX_BYTES],
      ['cpuCostUsd', f.cpuCostUsd, MAX_CORES * MAX_USD_PER_CORE_HOUR * f.hours],
      ['memoryCostUsd', f.memoryCostUsd, (MAX_BYTES / 1024 ** 3) * MAX_USD_PER_GIB_HOUR * f.hours],
    ] as const
  ).find(([, value, max]) => !within(value, max));
  return bad ? new KcostError('OUT_OF_BOUNDS', `${bad[0]} of ${where} is out of bounds: ${bad[1]}`) : null;
}
