import type { ContainerResources, NodeCost, PodCost, UsageSample, VolumeCost } from '../codec/records.generated.js';
import { allocate, DEFAULT_BASES, type AllocationBases, type Demand } from './allocation.js';
import type { ClusterState, NodeObject, PodObject } from './cluster-state.js';
import { GIB } from './default-prices.js';
import { networkCostUsd } from './network-cost.js';
import { defaultNodeRates, resolveNodeRates, type NodeRates } from './node-rates.js';
import { priceNodeWindow, type ContainerShare } from './node-window.js';
import type { PriceHistory } from './price-history.js';
import { podStorageCosts, sumVolumeCosts } from './storage-cost.js';

/** The usage samples of one event-time window, one per container. */
export interface WindowSamples {
  readonly windowStart: number;
  readonly windowSeconds: number;
  readonly samples: readonly UsageSample[];
  /** Clusters that have this window, also where no sample of theirs is here (from window ticks); the samples' clusters count anyway. */
  readonly clusters?: readonly string[];
}

/** Whether this instance prices a node's cost (it owns the node's by-node partition); a single instance owns them all. */
export type NodeOwnership = (node: NodeObject) => boolean;

export interface PricedWindow {
  readonly podCosts: PodCost[];
  readonly nodeCosts: NodeCost[];
}

interface Line {
  readonly sample: UsageSample;
  readonly pod: PodObject | undefined;
  readonly container: ContainerResources | undefined;
  readonly node: NodeObject | undefined;
  readonly demand: Demand;
}

/**
 * Prices one closed window: every container sample becomes a PodCost, and
 * every node of each cluster seen in the window a NodeCost whose cost equals
 * its containers' CPU, memory and GPU costs plus idle. Prices are those in
 * effect at the window's start. A sample without pod state is priced on its
 * usage (UNKNOWN_POD); one without node state at default prices
 * (UNKNOWN_NODE) outside any node's conservation.
 *
 * With several instances, each publishes the NodeCost of the nodes it owns
 * only. The router sends a node's samples to its owner (and the pricing stage
 * sends on one routed before its node was known), so the owner sees all of
 * the node's pods.
 */
export function priceWindow(window: WindowSamples, state: ClusterState, prices: PriceHistory, bases: AllocationBases = DEFAULT_BASES, ownsNode: NodeOwnership = () => true): PricedWindow {
  const { windowStart, windowSeconds } = window;
  const windowEnd = windowStart + windowSeconds * 1000;
  const lines = window.samples.map((sample) => toLine(sample, state, bases));
  const byNode = new Map<NodeObject, Line[]>();
  const podCosts: PodCost[] = [];
  const nodeCosts: NodeCost[] = [];
  const storageShares = storageSharesOf(lines, state, prices, windowStart, windowSeconds);

  for (const cluster of new Set([...(window.clusters ?? []), ...lines.map((l) => l.sample.cluster)])) {
    for (const node of state.nodesDuring(cluster, windowStart, windowEnd)) if (ownsNode(node)) byNode.set(node, []);
  }
  for (const line of lines) {
    if (line.node) {
      const list = byNode.get(line.node) ?? [];
      list.push(line);
      byNode.set(line.node, list);
    }
  }

  for (const [node, nodeLines] of byNode) {
    const rates = resolveNodeRates(node.node, prices, windowStart);
    const capacity = { cpuCores: node.node.cpuAllocatableCores, memoryBytes: node.node.memoryAllocatableBytes, gpus: node.node.gpuAllocatable };
    const priced = priceNodeWindow(capacity, rates.actual, windowSeconds, nodeLines.map((l) => l.demand));
    const onDemand = rates.capacityType === 'ON_DEMAND' ? priced : priceNodeWindow(capacity, rates.onDemand, windowSeconds, nodeLines.map((l) => l.demand));
    nodeLines.forEach((line, i) => {
      const share = priced.containers[i] as ContainerShare;
      const onDemandShare = onDemand.containers[i] as ContainerShare;
      podCosts.push(podCost(line, share, onDemandShare, rates, window, storageShares.get(line.sample) ?? [], prices));
    });
    if (!ownsNode(node)) continue;
    const cost = priced.cpu.costUsd + priced.memory.costUsd + priced.gpu.costUsd;
    const onDemandCost = onDemand.cpu.costUsd + onDemand.memory.costUsd + onDemand.gpu.costUsd;
    const flags: string[] = [];
    if (rates.actual.source === 'default') flags.push('DEFAULT_PRICE');
    if (priced.overcommitted) flags.push('OVERCOMMITTED');
    nodeCosts.push({
      cluster: node.cluster,
      nodeName: node.name,
      nodeUid: node.uid,
      provider: node.node.provider,
      providerId: node.node.providerId,
      instanceType: node.node.instanceType,
      region: node.node.region,
      zone: node.node.zone,
      capacityType: node.node.capacityType,
      windowStart,
      windowSeconds,
      cpuCores: capacity.cpuCores,
      memoryBytes: capacity.memoryBytes,
      gpuCount: capacity.gpus,
      cpuCostUsd: priced.cpu.costUsd,
      memoryCostUsd: priced.memory.costUsd,
      gpuCostUsd: priced.gpu.costUsd,
      costUsd: cost,
      cpuAllocatedCostUsd: priced.cpu.allocatedUsd,
      memoryAllocatedCostUsd: priced.memory.allocatedUsd,
      gpuAllocatedCostUsd: priced.gpu.allocatedUsd,
      cpuIdleCostUsd: priced.cpu.idleUsd,
      memoryIdleCostUsd: priced.memory.idleUsd,
      gpuIdleCostUsd: priced.gpu.idleUsd,
      idleCostUsd: priced.cpu.idleUsd + priced.memory.idleUsd + priced.gpu.idleUsd,
      onDemandCostUsd: onDemandCost,
      spotSavingsUsd: rates.capacityType === 'ON_DEMAND' ? 0 : onDemandCost - cost,
      priceSource: rates.actual.source,
      priceEffectiveFrom: rates.actual.effectiveFrom,
      flags,
    });
  }

  // Without node state there is no capacity to conserve against: default prices, unscaled.
  for (const line of lines) {
    if (line.node) continue;
    const rates = defaultNodeRates('UNKNOWN');
    const hours = windowSeconds / 3600;
    const share: ContainerShare = {
      ...line.demand,
      cpuCostUsd: line.demand.cpuCores * rates.actual.cpuCoreHourUsd * hours,
      memoryCostUsd: (line.demand.memoryBytes / GIB) * rates.actual.memoryGibHourUsd * hours,
      gpuCostUsd: line.demand.gpus * rates.actual.gpuHourUsd * hours,
      scaled: false,
    };
    podCosts.push(podCost(line, share, share, rates, window, storageShares.get(line.sample) ?? [], prices));
  }
  return { podCosts, nodeCosts };
}

function toLine(sample: UsageSample, state: ClusterState, bases: AllocationBases): Line {
  const pod = state.pod(sample.cluster, sample.podUid);
  const container = pod?.pod.containers.find((c) => c.name === sample.container);
  const nodeName = sample.nodeName ?? pod?.pod.nodeName ?? null;
  const node = nodeName ? state.node(sample.cluster, nodeName) : undefined;
  const seconds = sample.windowSeconds > 0 ? sample.windowSeconds : 60;
  const demand = allocate(
    {
      cpuRequestCores: container?.cpuRequestCores ?? 0,
      cpuUsageCores: sample.gap ? 0 : sample.cpuCoreSeconds / seconds,
      memoryRequestBytes: container?.memoryRequestBytes ?? 0,
      memoryUsageBytes: sample.gap ? 0 : sample.memoryWorkingSetAvgBytes,
      gpuRequest: container?.gpuRequest ?? 0,
      gap: sample.gap,
    },
    bases,
  );
  return { sample, pod, container, node, demand };
}

/** Each pod's per-volume storage cost, split evenly among its containers that reported in the window. */
function storageSharesOf(lines: readonly Line[], state: ClusterState, prices: PriceHistory, windowStart: number, windowSeconds: number): Map<UsageSample, VolumeCost[]> {
  const byPod = new Map<string, Line[]>();
  for (const line of lines) {
    if (!line.pod) continue;
    const key = `${line.sample.cluster}/${line.sample.podUid}`;
    byPod.set(key, [...(byPod.get(key) ?? []), line]);
  }
  const shares = new Map<UsageSample, VolumeCost[]>();
  for (const podLines of byPod.values()) {
    const first = podLines[0] as Line;
    const volumes = podStorageCosts(state, prices, first.pod as PodObject, first.node, windowStart, windowSeconds);
    for (const line of podLines) shares.set(line.sample, volumes.map((v) => ({ ...v, costUsd: v.costUsd / podLines.length })));
  }
  return shares;
}

function podCost(line: Line, share: ContainerShare, onDemandShare: ContainerShare, rates: NodeRates, window: WindowSamples, volumes: VolumeCost[], prices: PriceHistory): PodCost {
  const { sample, pod, container, node } = line;
  // Summed from the breakdown so that storageCostUsd and volumes[].costUsd agree exactly.
  const storageUsd = sumVolumeCosts(volumes);
  const seconds = sample.windowSeconds > 0 ? sample.windowSeconds : 60;
  const networkUsd = networkCostUsd(prices, node, sample.networkTxBytes, window.windowStart);
  const total = share.cpuCostUsd + share.memoryCostUsd + share.gpuCostUsd + storageUsd + networkUsd;
  const onDemandTotal = onDemandShare.cpuCostUsd + onDemandShare.memoryCostUsd + onDemandShare.gpuCostUsd + storageUsd + networkUsd;
  const flags: string[] = [];
  if (!pod) flags.push('UNKNOWN_POD');
  if (!node) flags.push('UNKNOWN_NODE');
  if (share.scaled) flags.push('SCALED');
  if (sample.gap) flags.push('GAP');
  const spot = rates.capacityType !== 'ON_DEMAND';
  return {
    cluster: sample.cluster,
    namespace: sample.namespace,
    podUid: sample.podUid,
    podName: sample.podName,
    container: sample.container,
    nodeName: node?.name ?? '',
    workloadKind: pod?.pod.workload?.kind ?? '',
    workloadName: pod?.pod.workload?.name ?? '',
    labels: pod?.labels ?? {},
    windowStart: window.windowStart,
    windowSeconds: window.windowSeconds,
    cpuRequestCores: container?.cpuRequestCores ?? 0,
    cpuUsageCoresAvg: sample.gap ? 0 : sample.cpuCoreSeconds / seconds,
    cpuAllocatedCores: share.cpuCores,
    memoryRequestBytes: container?.memoryRequestBytes ?? 0,
    memoryUsageBytesAvg: sample.gap ? 0 : sample.memoryWorkingSetAvgBytes,
    memoryWorkingSetMaxBytes: sample.gap ? null : sample.memoryWorkingSetMaxBytes,
    memoryAllocatedBytes: share.memoryBytes,
    gpuRequest: container?.gpuRequest ?? 0,
    gpuAllocated: share.gpus,
    cpuCostUsd: share.cpuCostUsd,
    memoryCostUsd: share.memoryCostUsd,
    gpuCostUsd: share.gpuCostUsd,
    storageCostUsd: storageUsd,
    networkCostUsd: networkUsd,
    totalCostUsd: total,
    onDemandCostUsd: spot ? onDemandTotal : total,
    spotSavingsUsd: spot ? onDemandTotal - total : 0,
    capacityType: node?.node.capacityType ?? 'UNKNOWN',
    instanceType: node?.node.instanceType ?? '',
    region: node?.node.region ?? '',
    priceSource: rates.actual.source,
    priceEffectiveFrom: rates.actual.effectiveFrom,
    flags,
    volumes,
  };
}
