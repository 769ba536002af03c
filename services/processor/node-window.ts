import type { Demand } from './allocation.js';
import { GIB } from './default-prices.js';
import type { ResourceRates } from './node-rates.js';

/** Allocatable resources of a node: what its cost is spread over. */
export interface NodeCapacity {
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly gpus: number;
}

/** Cost of one resource of a node for a window, what containers were charged and what was left idle. */
export interface ResourceSplit {
  readonly costUsd: number;
  readonly allocatedUsd: number;
  readonly idleUsd: number;
}

/** One container's share of its node for a window, after scaling to capacity. */
export interface ContainerShare {
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly gpus: number;
  readonly cpuCostUsd: number;
  readonly memoryCostUsd: number;
  readonly gpuCostUsd: number;
  /** At least one of its resources was scaled down because the node was over-allocated. */
  readonly scaled: boolean;
}

export interface NodeWindowCost {
  readonly cpu: ResourceSplit;
  readonly memory: ResourceSplit;
  readonly gpu: ResourceSplit;
  readonly containers: readonly ContainerShare[];
  /** Some resource's allocations exceeded the node's capacity and were scaled down. */
  readonly overcommitted: boolean;
}

/**
 * Prices one node for one window and splits its cost among the containers
 * on it. Each container pays its (scaled) allocation's fraction of the
 * node's cost of that resource; when allocations exceed capacity they are
 * scaled down proportionally, so idle = cost − allocated is never negative
 * and Σ container costs + idle = node cost per resource.
 */
export function priceNodeWindow(capacity: NodeCapacity, rates: ResourceRates, windowSeconds: number, demands: readonly Demand[]): NodeWindowCost {
  const hours = windowSeconds / 3600;
  const cpu = resource(demands.map((d) => d.cpuCores), capacity.cpuCores, rates.cpuCoreHourUsd * capacity.cpuCores * hours);
  const memory = resource(demands.map((d) => d.memoryBytes), capacity.memoryBytes, rates.memoryGibHourUsd * (capacity.memoryBytes / GIB) * hours);
  const gpu = resource(demands.map((d) => d.gpus), capacity.gpus, rates.gpuHourUsd * capacity.gpus * hours);
  const containers = demands.map((_, i) => ({
    cpuCores: cpu.amounts[i] ?? 0,
    memoryBytes: memory.amounts[i] ?? 0,
    gpus: gpu.amounts[i] ?? 0,
    cpuCostUsd: cpu.costs[i] ?? 0,
    memoryCostUsd: memory.costs[i] ?? 0,
    gpuCostUsd: gpu.costs[i] ?? 0,
    scaled: (cpu.scaled && (demands[i]?.cpuCores ?? 0) > 0) || (memory.scaled && (demands[i]?.memoryBytes ?? 0) > 0) || (gpu.scaled && (demands[i]?.gpus ?? 0) > 0),
  }));
  return { cpu: cpu.split, memory: memory.split, gpu: gpu.split, containers, overcommitted: cpu.scaled || memory.scaled || gpu.scaled };
}

function resource(demands: readonly number[], capacity: number, costUsd: number) {
  const cost = Number.isFinite(costUsd) && costUsd > 0 ? costUsd : 0;
  const total = demands.reduce((sum, d) => sum + d, 0);
  const scaled = total > capacity;
  const factor = scaled ? (capacity > 0 ? capacity / total : 0) : 1;
  const amounts = demands.map((d) => d * factor);
  const costs = amounts.map((a) => (capacity > 0 ? (cost * a) / capacity : 0));
  const allocatedUsd = costs.reduce((sum, c) => sum + c, 0);
  // Rounding can put Σ a hair above the cost when everything is allocated; idle then is 0, not -1e-18.
  const idleUsd = Math.max(0, cost - allocatedUsd);
  return { amounts, costs, scaled, split: { costUsd: cost, allocatedUsd, idleUsd } };
}
