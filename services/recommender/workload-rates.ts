import { DEFAULT_PRICES, GIB } from '../processor/default-prices.js';
import type { CostFigures } from './cost-samples.js';
import type { Rates } from './pricing.js';

const HOUR = 3_600_000;

/** One event-time hour of a workload container's priced windows, summed. */
export interface RateBucket {
  readonly hourStart: number;
  cpuCostUsd: number;
  coreHours: number;
  memoryCostUsd: number;
  gibHours: number;
  /** Price sources of the nodes that priced an allocation in the hour, sorted. */
  sources: string[];
  /** Pods that reported in the hour, sorted: how many replicas ran, where the pod state does not say. */
  pods: string[];
}

/** Adds a priced window to the hourly buckets (kept sorted by hour). */
export function addToRates(buckets: RateBucket[], windowStart: number, f: CostFigures): void {
  const hourStart = Math.floor(windowStart / HOUR) * HOUR;
  let bucket = buckets.find((b) => b.hourStart === hourStart);
  if (!bucket) {
    bucket = { hourStart, cpuCostUsd: 0, coreHours: 0, memoryCostUsd: 0, gibHours: 0, sources: [], pods: [] };
    buckets.push(bucket);
    buckets.sort((a, b) => a.hourStart - b.hourStart);
  }
  bucket.cpuCostUsd += f.cpuCostUsd;
  bucket.coreHours += f.cpuAllocatedCores * f.hours;
  bucket.memoryCostUsd += f.memoryCostUsd;
  bucket.gibHours += (f.memoryAllocatedBytes / GIB) * f.hours;
  if ((f.cpuAllocatedCores > 0 || f.memoryAllocatedBytes > 0) && !bucket.sources.includes(f.priceSource)) bucket.sources = [...bucket.sources, f.priceSource].sort();
  if (!bucket.pods.includes(f.podUid)) bucket.pods = [...bucket.pods, f.podUid].sort();
}

/** Drops the buckets of hours before `fromMillis`. */
export function pruneRates(buckets: RateBucket[], fromMillis: number): RateBucket[] {
  return buckets.filter((b) => b.hourStart >= fromMillis);
}

/**
 * The USD per core-hour and per GiB-hour the workload container paid over
 * [from, until): what its windows cost over what they were charged for, on
 * whichever nodes it ran, with those nodes' price sources. A resource with
 * nothing allocated in that time gets the built-in on-demand default, and
 * says so ('default').
 */
export function ratesOf(buckets: readonly RateBucket[], fromMillis: number, untilMillis: number): Rates {
  const within = buckets.filter((b) => b.hourStart >= fromMillis && b.hourStart < untilMillis);
  const sum = (get: (b: RateBucket) => number) => within.reduce((s, b) => s + get(b), 0);
  const sources = [...new Set(within.flatMap((b) => b.sources))].sort().join('+');
  const coreHours = sum((b) => b.coreHours);
  const gibHours = sum((b) => b.gibHours);
  const cpu = coreHours > 0 ? sum((b) => b.cpuCostUsd) / coreHours : Number.NaN;
  const memory = gibHours > 0 ? sum((b) => b.memoryCostUsd) / gibHours : Number.NaN;
  const usable = (rate: number) => Number.isFinite(rate) && rate >= 0;
  return {
    cpuCoreHourUsd: usable(cpu) ? cpu : DEFAULT_PRICES.onDemand.cpuCoreHourUsd,
    cpuPriceSource: usable(cpu) && sources !== '' ? sources : 'default',
    memoryGibHourUsd: usable(memory) ? memory : DEFAULT_PRICES.onDemand.memoryGibHourUsd,
    memoryPriceSource: usable(memory) && sources !== '' ? sources : 'default',
  };
}
