import { NO_DETAILS } from './recommendation.js';
import { GIB, HOURS_PER_MONTH } from '../processor/default-prices.js';
import { resolveNodeRates } from '../processor/node-rates.js';
import type { PriceHistory } from '../processor/price-history.js';
import type { NodeObject, NodeUsage } from './node-occupancy.js';
import type { Recommendation } from './recommendation.js';

const HOUR = 3_600_000;

/** The rule's one parameter (recommend-settings.ts: --daemonset-only-node-after). */
export interface DaemonSetOnlyOptions {
  /** How long a node may run nothing but DaemonSet and static pods before it is advice. */
  readonly daemonSetsOnlyForMillis: number;
}

/** A node's price per hour, the capacity type it is priced as and where the price came from. */
export interface NodePrice {
  readonly hourlyUsd: number;
  readonly capacityType: string;
  readonly source: string;
}

/** The key of a node's advice: `cluster/Node/name`. */
export function daemonSetOnlyNodeKey(cluster: string, node: string): string {
  return [cluster, 'Node', node].join('/');
}

/**
 * A node's cost per hour at `atMillis`, as the processor prices it
 * (node-rates.ts): the rates of the price in effect for its provider,
 * region, instance type and capacity type (or the defaults) times its
 * allocatable CPU, memory and GPUs, which together make up the whole node
 * price where a provider gives a total.
 */
export function nodePriceOf(node: NodeObject, prices: PriceHistory, atMillis: number): NodePrice {
  const { actual, capacityType } = resolveNodeRates(node.node, prices, atMillis);
  const state = node.node;
  const hourlyUsd = actual.cpuCoreHourUsd * state.cpuAllocatableCores + (actual.memoryGibHourUsd * state.memoryAllocatableBytes) / GIB + actual.gpuHourUsd * state.gpuAllocatable;
  return { hourlyUsd: Math.max(0, hourlyUsd), capacityType, source: actual.source };
}

/**
 * The advice for one node at event time `nowMillis`, or null: a node that
 * exists and has run nothing but DaemonSet pods and static (mirror) pods
 * since at least the threshold ago, counted from the end of the last other
 * pod on it, or from the node's creation when none ever ran there. Removing
 * it saves its whole cost, hourly × 730. Confidence as for orphaned volumes
 * (0.5 at the threshold, 1 at twice it). Risk LOW: nothing but per-node
 * services runs there, and a cluster autoscaler adds a node back on demand.
 */
export function daemonSetOnlyNodeOf(usage: NodeUsage, nowMillis: number, options: DaemonSetOnlyOptions, price: NodePrice): Recommendation | null {
  const { node } = usage;
  if (node.deletedAt !== null || usage.workloadPodsNow > 0) return null;
  const since = usage.lastWorkloadPod ? Math.max(usage.lastWorkloadPod.at, node.createdAt) : node.createdAt;
  const quietFor = nowMillis - since;
  if (!(quietFor >= options.daemonSetsOnlyForMillis)) return null;
  const threshold = options.daemonSetsOnlyForMillis;
  const monthly = price.hourlyUsd * HOURS_PER_MONTH;
  return {
    ...NO_DETAILS,
    kind: 'DAEMONSET_ONLY_NODE',
    key: daemonSetOnlyNodeKey(node.cluster, node.name),
    cluster: node.cluster,
    generatedAt: nowMillis,
    confidence: threshold > 0 ? Math.min(1, 0.5 + (0.5 * (quietFor - threshold)) / threshold) : 1,
    risk: 'LOW',
    reasons: ['ONLY_DAEMONSETS'],
    strategy: { name: 'daemonset-only-node', parameters: { daemonSetsOnlyForHours: threshold / HOUR, hoursPerMonth: HOURS_PER_MONTH } },
    saving: { currentMonthlyUsd: monthly, recommendedMonthlyUsd: 0, monthlySavingsUsd: monthly, priceSources: [price.source] },
    daemonSetOnlyNode: {
      target: { cluster: node.cluster, node: node.name },
      provider: node.node.provider,
      instanceType: node.node.instanceType,
      capacityType: price.capacityType,
      hourlyUsd: price.hourlyUsd,
      daemonSetsOnlySince: since,
      lastWorkloadPodAt: usage.lastWorkloadPod?.at ?? null,
      lastWorkloadPod: usage.lastWorkloadPod?.pod ?? null,
      daemonSets: [...usage.daemonSets],
    },
  };
}
