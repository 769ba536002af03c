import type { CapacityType, NodeState, PriceKind, PriceUpdate } from '../codec/records.generated.js';
import { CPU_MEMORY_SPLIT, DEFAULT_PRICES, GIB, defaultRates } from './default-prices.js';
import type { PriceHistory } from './price-history.js';

/** Hourly prices per unit of a node's allocatable resources, and where they came from. */
export interface ResourceRates {
  readonly cpuCoreHourUsd: number;
  readonly memoryGibHourUsd: number;
  readonly gpuHourUsd: number;
  /** aws-pricing, aws-spot, azure-retail, gcp-catalog, pricebook or default. */
  readonly source: string;
  /** effectiveFrom of the price used; null for built-in defaults. */
  readonly effectiveFrom: number | null;
}

/** A node's rates at the price it is bought at, and at the on-demand price of the same instance type. */
export interface NodeRates {
  readonly actual: ResourceRates;
  readonly onDemand: ResourceRates;
  /** The capacity type the node is priced as (UNKNOWN nodes are priced as on-demand). */
  readonly capacityType: CapacityType;
}

/** The price collector writes price-book prices as provider "custom"; they win over list prices. */
const PRICE_BOOK_PROVIDER = 'custom';

/**
 * Finds the update in effect at `atMillis` for a SKU, most specific first:
 * price book before the provider's list price, then zone, region and
 * region-less prices.
 */
export function findPrice(
  prices: PriceHistory,
  where: { provider: string; region: string; zone: string },
  kind: PriceKind,
  sku: string,
  capacityType: CapacityType,
  atMillis: number,
): PriceUpdate | null {
  for (const provider of [PRICE_BOOK_PROVIDER, where.provider]) {
    const places: Array<[string, string | null]> = [[where.region, where.zone || null], [where.region, null], ['', null]];
    for (const [region, zone] of places) {
      const found = prices.at({ provider, region, zone, kind, sku, capacityType }, atMillis);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Resolves the hourly rate of each resource of a node at `atMillis` (the
 * window's start). A total node price is split after taking the GPUs out
 * first, by the fixed CPU:RAM-GiB ratio over the allocatable resources;
 * per-resource prices are used as given; with no price in effect the
 * built-in defaults for the capacity type apply.
 */
export function resolveNodeRates(node: NodeState, prices: PriceHistory, atMillis: number): NodeRates {
  const capacityType: CapacityType = node.capacityType === 'UNKNOWN' ? 'ON_DEMAND' : node.capacityType;
  const actual = ratesFor(node, prices, capacityType, atMillis);
  const onDemand = capacityType === 'ON_DEMAND' ? actual : ratesFor(node, prices, 'ON_DEMAND', atMillis);
  return { actual, onDemand, capacityType };
}

/** Default rates, for containers whose node is unknown. */
export function defaultNodeRates(capacityType: CapacityType): NodeRates {
  const priced: CapacityType = capacityType === 'UNKNOWN' ? 'ON_DEMAND' : capacityType;
  const make = (type: CapacityType): ResourceRates => ({ ...defaultRates(type), gpuHourUsd: DEFAULT_PRICES.gpuHourUsd, source: 'default', effectiveFrom: null });
  const actual = make(priced);
  return { actual, onDemand: priced === 'ON_DEMAND' ? actual : make('ON_DEMAND'), capacityType: priced };
}

function ratesFor(node: NodeState, prices: PriceHistory, capacityType: CapacityType, atMillis: number): ResourceRates {
  const price = findPrice(prices, node, 'NODE', node.instanceType, capacityType, atMillis);
  const gpus = node.gpuAllocatable;
  const gpuUnit = price?.gpuHourUsd ?? gpuPrice(node, prices, capacityType, atMillis);
  if (price === null || (price.hourlyUsd === null && price.cpuCoreHourUsd === null && price.memoryGibHourUsd === null)) {
    return { ...defaultRates(capacityType), gpuHourUsd: gpuUnit, source: 'default', effectiveFrom: null };
  }
  const origin = { source: price.source, effectiveFrom: price.effectiveFrom };
  if (price.hourlyUsd !== null) {
    const total = Math.max(0, price.hourlyUsd);
    const gpuTotal = Math.min(total, gpus * gpuUnit);
    const rest = total - gpuTotal;
    const cores = node.cpuAllocatableCores;
    const gib = node.memoryAllocatableBytes / GIB;
    const cpuWeight = CPU_MEMORY_SPLIT.cpu * cores;
    const memoryWeight = CPU_MEMORY_SPLIT.memoryGib * gib;
    const weights = cpuWeight + memoryWeight;
    return {
      cpuCoreHourUsd: weights > 0 && cores > 0 ? (rest * cpuWeight) / weights / cores : 0,
      memoryGibHourUsd: weights > 0 && gib > 0 ? (rest * memoryWeight) / weights / gib : 0,
      gpuHourUsd: gpus > 0 ? gpuTotal / gpus : gpuUnit,
      ...origin,
    };
  }
  // Per-resource prices; a missing one follows the other by the default ratio.
  const ratio = CPU_MEMORY_SPLIT.memoryGib / CPU_MEMORY_SPLIT.cpu;
  const cpu = price.cpuCoreHourUsd ?? (price.memoryGibHourUsd ?? 0) / ratio;
  const memory = price.memoryGibHourUsd ?? cpu * ratio;
  return { cpuCoreHourUsd: Math.max(0, cpu), memoryGibHourUsd: Math.max(0, memory), gpuHourUsd: gpuUnit, ...origin };
}

function gpuPrice(node: NodeState, prices: PriceHistory, capacityType: CapacityType, atMillis: number): number {
  if (node.gpuAllocatable <= 0 || !node.gpuModel) return DEFAULT_PRICES.gpuHourUsd;
  const price = findPrice(prices, node, 'GPU', node.gpuModel, capacityType, atMillis);
  const hourly = price?.gpuHourUsd ?? price?.hourlyUsd ?? null;
  return hourly === null ? DEFAULT_PRICES.gpuHourUsd : Math.max(0, hourly);
}
