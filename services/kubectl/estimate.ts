import { CPU_MEMORY_SPLIT, DEFAULT_PRICES, GIB, HOURS_PER_MONTH } from '../processor/default-prices.js';
import type { WorkloadRequests } from './manifest.js';

/** Per-resource prices an estimate uses, and where they came from. */
export interface Rates {
  readonly cpuCoreHourUsd: number;
  readonly memoryGibHourUsd: number;
  readonly gpuHourUsd: number;
  /** Storage price per GiB-month, by storage class ("" for a claim without one). */
  readonly storageGibMonthUsd: (storageClass: string) => number;
  /** Where the prices came from, for the printout. */
  readonly source: string;
}

/** The current price of a node SKU, as GET /v1/prices returns it. */
export interface NodePrice {
  readonly hourlyUsd: number | null;
  readonly cpuCoreHourUsd: number | null;
  readonly memoryGibHourUsd: number | null;
  readonly gpuHourUsd: number | null;
}

export interface WorkloadEstimate {
  readonly workload: WorkloadRequests;
  readonly hourlyUsd: number;
  readonly storageMonthlyUsd: number;
  readonly monthlyUsd: number;
}

/** The design's built-in prices, used when no price for the SKU is known. */
export function defaultRates(capacityType: string): Omit<Rates, 'storageGibMonthUsd' | 'source'> {
  const compute = capacityType === 'SPOT' ? DEFAULT_PRICES.spot : DEFAULT_PRICES.onDemand;
  return { cpuCoreHourUsd: compute.cpuCoreHourUsd, memoryGibHourUsd: compute.memoryGibHourUsd, gpuHourUsd: DEFAULT_PRICES.gpuHourUsd };
}

/**
 * Per-resource hourly rates from a node price: the per-resource prices when
 * the provider gives them; otherwise the node's total, split into CPU and
 * memory by the fixed CPU:GiB cost ratio over the node's capacity (the cost
 * model's rule). Returns undefined when a total cannot be split because the
 * capacity is unknown.
 */
export function ratesFromNodePrice(price: NodePrice, capacity: { cpuCores: number; memoryGib: number }): Omit<Rates, 'storageGibMonthUsd' | 'source'> | undefined {
  const gpuHourUsd = price.gpuHourUsd ?? DEFAULT_PRICES.gpuHourUsd;
  if (price.cpuCoreHourUsd !== null && price.memoryGibHourUsd !== null) {
    return { cpuCoreHourUsd: price.cpuCoreHourUsd, memoryGibHourUsd: price.memoryGibHourUsd, gpuHourUsd };
  }
  if (price.hourlyUsd === null || capacity.cpuCores <= 0 || capacity.memoryGib <= 0) return undefined;
  const cpuWeight = capacity.cpuCores * CPU_MEMORY_SPLIT.cpu;
  const memoryWeight = capacity.memoryGib * CPU_MEMORY_SPLIT.memoryGib;
  const cpuShare = cpuWeight / (cpuWeight + memoryWeight);
  return {
    cpuCoreHourUsd: (price.hourlyUsd * cpuShare) / capacity.cpuCores,
    memoryGibHourUsd: (price.hourlyUsd * (1 - cpuShare)) / capacity.memoryGib,
    gpuHourUsd,
  };
}

/** Monthly cost (730 hours) of each workload: replicas × per-replica requests × rates, plus its claims' storage. */
export function estimateMonthly(workloads: readonly WorkloadRequests[], rates: Rates): WorkloadEstimate[] {
  return workloads.map((workload) => {
    const perReplicaHourly = workload.cpuCores * rates.cpuCoreHourUsd + (workload.memoryBytes / GIB) * rates.memoryGibHourUsd + workload.gpus * rates.gpuHourUsd;
    const hourlyUsd = perReplicaHourly * workload.replicas;
    const storageMonthlyUsd = workload.volumes.reduce((sum, v) => sum + (v.bytes / GIB) * rates.storageGibMonthUsd(v.storageClass), 0) * workload.replicas;
    return { workload, hourlyUsd, storageMonthlyUsd, monthlyUsd: hourlyUsd * HOURS_PER_MONTH + storageMonthlyUsd };
  });
}
