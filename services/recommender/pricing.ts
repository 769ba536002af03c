import { GIB, HOURS_PER_MONTH } from '../processor/default-prices.js';
import type { MonthlySaving, RequestPricing } from './recommendation.js';

/** Per-resource hourly rates of the nodes a workload ran on, with where each came from. */
export interface Rates {
  readonly cpuCoreHourUsd: number;
  readonly memoryGibHourUsd: number;
  readonly cpuPriceSource: string;
  readonly memoryPriceSource: string;
}

export interface Requests {
  readonly cpuCores: number | null;
  readonly memoryBytes: number | null;
}

/** Monthly cost of the requests (replicas × 730 h) today and as recommended; unset requests cost nothing. */
export function monthlyCost(rates: Rates, input: { replicas: number; replicasAfter: number; current: Requests; recommended: Requests }): { saving: MonthlySaving; pricing: RequestPricing } {
  const cpuRate = finite(rates.cpuCoreHourUsd);
  const memoryRate = finite(rates.memoryGibHourUsd);
  const perReplica = (r: Requests): number => finite(r.cpuCores) * cpuRate + (finite(r.memoryBytes) / GIB) * memoryRate;
  const currentMonthlyUsd = finite(input.replicas) * HOURS_PER_MONTH * perReplica(input.current);
  const recommendedMonthlyUsd = finite(input.replicasAfter) * HOURS_PER_MONTH * perReplica(input.recommended);
  return {
    saving: {
      currentMonthlyUsd,
      recommendedMonthlyUsd,
      monthlySavingsUsd: currentMonthlyUsd - recommendedMonthlyUsd,
      priceSources: [...new Set([`cpu:${rates.cpuPriceSource}`, `memory:${rates.memoryPriceSource}`])],
    },
    pricing: { replicas: finite(input.replicas), replicasAfter: finite(input.replicasAfter), hoursPerMonth: HOURS_PER_MONTH, cpuCoreHourUsd: cpuRate, memoryGibHourUsd: memoryRate },
  };
}

function finite(value: number | null): number {
  return value !== null && Number.isFinite(value) && value > 0 ? value : 0;
}
