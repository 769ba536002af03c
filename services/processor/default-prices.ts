import type { CapacityType } from '../codec/records.generated.js';

/**
 * Built-in prices used when no cloud or price-book price is in effect
 * (../shared/design.md, Cost model). They are the public default list prices
 * of a vCPU-hour and a GiB-hour; their ratio also splits a node's total
 * hourly price into CPU and memory.
 */
export const DEFAULT_PRICES = {
  onDemand: { cpuCoreHourUsd: 0.031611, memoryGibHourUsd: 0.004237 },
  spot: { cpuCoreHourUsd: 0.006655, memoryGibHourUsd: 0.000892 },
  gpuHourUsd: 0.95,
  storageGibMonthUsd: 0.04,
} as const;

/** CPU:RAM-GiB cost ratio used to split a total node price (≈ 7.46). */
export const CPU_MEMORY_SPLIT = { cpu: 0.031611, memoryGib: 0.004237 } as const;

/** Hours in a billing month, the convention every cloud uses to turn GiB-month into GiB-hour. */
export const HOURS_PER_MONTH = 730;

export const GIB = 1024 ** 3;

/** Default per-resource hourly rates for a capacity type (spot defaults for spot, on-demand otherwise). */
export function defaultRates(capacityType: CapacityType): { cpuCoreHourUsd: number; memoryGibHourUsd: number } {
  return capacityType === 'SPOT' ? DEFAULT_PRICES.spot : DEFAULT_PRICES.onDemand;
}
