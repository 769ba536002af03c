// Reconciliation of one UTC day with the cloud bill: a pure function of the
// day's node and pod costs at list prices and the day's billing lines. The
// billed EffectiveCost of a node's instance replaces its list-price estimate,
// and the node-day's pod compute and idle costs are scaled by the same
// factor, so Σ pod compute + idle = node still holds exactly. Lines that
// bill the disk of a volume the day's pods mounted replace those pods' list
// cost of the volume (volumes.ts). The other lines are external costs
// (external.ts).
import { allocateExternal, type ExternalRow, type ExternalRules } from './external.js';
import { diskIdOf, matchVolumes, reconciledShareUsd, type ReconciledVolume, type VolumeShare } from './volumes.js';

/** A node's cost over one UTC day at list prices (sums of node_cost). */
export interface NodeDay {
  readonly cluster: string;
  readonly nodeName: string;
  /** The VM billed for the node (from its providerID); null when it has none. */
  readonly instanceId: string | null;
  readonly listCostUsd: number;
}

/** A workload's cost on one node over one UTC day at list prices (sums of pod_cost). */
export interface PodDay {
  readonly cluster: string;
  readonly nodeName: string;
  readonly namespace: string;
  readonly workloadKind: string;
  readonly workloadName: string;
  /** cpu + memory + gpu: the part of the node's cost the pods were charged. */
  readonly computeCostUsd: number;
  /** Persistent volumes, billed apart from the node. */
  readonly storageCostUsd: number;
  /** Kept at list: a bill's transfer lines name no pod. */
  readonly networkCostUsd: number;
  /** The part of storageCostUsd whose disk is known, per disk. */
  readonly volumes: readonly VolumeShare[];
}

/** A billing line's share of the day (a line spanning several days is prorated by time: dayShare). */
export interface DayLine {
  readonly instanceId: string | null;
  /** The line's ResourceId (a disk's lines are matched by it). */
  readonly resourceId: string | null;
  readonly serviceName: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly effectiveCostUsd: number;
}

export type NodeStatus = 'BILLED' | 'UNBILLED' | 'ALL_IDLE';

export interface ReconciledNode {
  readonly cluster: string;
  readonly nodeName: string;
  readonly instanceId: string | null;
  readonly status: NodeStatus;
  readonly factor: number;
  readonly listCostUsd: number;
  readonly reconciledCostUsd: number;
  readonly listIdleCostUsd: number;
  readonly reconciledIdleCostUsd: number;
}

export interface ReconciledPod extends Omit<PodDay, 'computeCostUsd' | 'storageCostUsd' | 'networkCostUsd' | 'volumes'> {
  /** compute + storage + network at list. */
  readonly listCostUsd: number;
  /** reconciledCompute + reconciledStorage + network (at list). */
  readonly reconciledCostUsd: number;
  /** compute × the node-day factor: with the node's reconciled idle, the node's reconciled cost. */
  readonly reconciledComputeCostUsd: number;
  readonly listStorageCostUsd: number;
  /** Storage with each billed disk's share at its billed cost, the rest at list. */
  readonly reconciledStorageCostUsd: number;
}

export interface ReconciledDay {
  readonly nodes: readonly ReconciledNode[];
  readonly pods: readonly ReconciledPod[];
  readonly external: readonly ExternalRow[];
  /** The disks billed that day that pods mounted, per cluster. */
  readonly volumes: readonly ReconciledVolume[];
  readonly billedEffectiveCostUsd: number;
}

const DAY_MILLIS = 86_400_000;

/**
 * The share of a line's cost that falls in the UTC day starting at
 * `dayStartMillis`, by time: a daily line falls whole in its day, a monthly
 * fee a 30th in each. A line with an empty charge period (start = end)
 * belongs whole to the day its start is in.
 */
export function dayShare(chargeStartMillis: number, chargeEndMillis: number, dayStartMillis: number): number {
  const dayEnd = dayStartMillis + DAY_MILLIS;
  if (chargeEndMillis <= chargeStartMillis) return chargeStartMillis >= dayStartMillis && chargeStartMillis < dayEnd ? 1 : 0;
  const overlap = Math.min(chargeEndMillis, dayEnd) - Math.max(chargeStartMillis, dayStartMillis);
  return overlap <= 0 ? 0 : overlap / (chargeEndMillis - chargeStartMillis);
}

const nodeKey = (cluster: string, nodeName: string): string => `${cluster}\u0000${nodeName}`;
const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/** Reconciles one UTC day; see the file comment. */
export function reconcileDay(nodes: readonly NodeDay[], pods: readonly PodDay[], lines: readonly DayLine[], rules: ExternalRules): ReconciledDay {
  const billedByInstance = new Map<string, number>();
  for (const line of lines) {
    if (line.instanceId !== null) billedByInstance.set(line.instanceId, (billedByInstance.get(line.instanceId) ?? 0) + line.effectiveCostUsd);
  }
  // Two node rows with one instance (a node renamed within the day) share its bill by their list cost.
  const listByInstance = new Map<string, number>();
  for (const node of nodes) {
    if (node.instanceId !== null) listByInstance.set(node.instanceId, (listByInstance.get(node.instanceId) ?? 0) + node.listCostUsd);
  }
  const computeByNode = new Map<string, number>();
  for (const pod of pods) computeByNode.set(nodeKey(pod.cluster, pod.nodeName), (computeByNode.get(nodeKey(pod.cluster, pod.nodeName)) ?? 0) + pod.computeCostUsd);

  const factorByNode = new Map<string, number>();
  const matchedInstances = new Set<string>();
  const reconciledNodes = nodes.map((node): ReconciledNode => {
    const key = nodeKey(node.cluster, node.nodeName);
    const listCompute = computeByNode.get(key) ?? 0;
    const listIdle = node.listCostUsd - listCompute;
    const billed = node.instanceId === null ? undefined : billedByInstance.get(node.instanceId);
    if (billed === undefined || node.instanceId === null) {
      factorByNode.set(key, 1);
      return { ...node, status: 'UNBILLED', factor: 1, reconciledCostUsd: node.listCostUsd, listIdleCostUsd: listIdle, reconciledIdleCostUsd: listIdle };
    }
    matchedInstances.add(node.instanceId);
    const instanceList = listByInstance.get(node.instanceId) ?? 0;
    const countOfInstance = nodes.filter((n) => n.instanceId === node.instanceId).length;
    const reconciled = instanceList > 0 ? (billed * node.listCostUsd) / instanceList : billed / countOfInstance;
    if (node.listCostUsd <= 0) {
      factorByNode.set(key, 0);
      return { ...node, status: 'ALL_IDLE', factor: 0, reconciledCostUsd: reconciled, listIdleCostUsd: listIdle, reconciledIdleCostUsd: reconciled };
    }
    const factor = reconciled / node.listCostUsd;
    factorByNode.set(key, factor);
    // Idle is what the pods' scaled compute leaves of the billed cost, so the node-day conserves exactly.
    return { ...node, status: 'BILLED', factor, reconciledCostUsd: reconciled, listIdleCostUsd: listIdle, reconciledIdleCostUsd: reconciled - listCompute * factor };
  });

  const volumeMatch = matchVolumes(pods.flatMap((pod) => pod.volumes), lines.filter((line) => line.instanceId === null || !matchedInstances.has(line.instanceId)));
  const volumes = new Map<string, { cluster: string; volumeId: string; listCostUsd: number; billedCostUsd: number }>();
  const reconciledPods = pods.map((pod): ReconciledPod => {
    const factor = factorByNode.get(nodeKey(pod.cluster, pod.nodeName)) ?? 1;
    let storage = pod.storageCostUsd;
    for (const share of pod.volumes) {
      const volumeId = diskIdOf(share.providerVolumeId);
      if (!volumeMatch.billedByVolume.has(volumeId)) continue;
      const billed = reconciledShareUsd(share, volumeMatch);
      storage += billed - share.listCostUsd;
      const key = nodeKey(pod.cluster, volumeId);
      const volume = volumes.get(key) ?? { cluster: pod.cluster, volumeId, listCostUsd: 0, billedCostUsd: 0 };
      volume.listCostUsd += share.listCostUsd;
      volume.billedCostUsd += billed;
      volumes.set(key, volume);
    }
    const compute = pod.computeCostUsd * factor;
    return {
      cluster: pod.cluster,
      nodeName: pod.nodeName,
      namespace: pod.namespace,
      workloadKind: pod.workloadKind,
      workloadName: pod.workloadName,
      listCostUsd: pod.computeCostUsd + pod.storageCostUsd + pod.networkCostUsd,
      reconciledCostUsd: compute + storage + pod.networkCostUsd,
      reconciledComputeCostUsd: compute,
      listStorageCostUsd: pod.storageCostUsd,
      reconciledStorageCostUsd: storage,
    };
  });

  const namespaceCost = new Map<string, Map<string, number>>();
  for (const pod of reconciledPods) {
    const ofCluster = namespaceCost.get(pod.cluster) ?? new Map<string, number>();
    ofCluster.set(pod.namespace, (ofCluster.get(pod.namespace) ?? 0) + pod.reconciledCostUsd);
    namespaceCost.set(pod.cluster, ofCluster);
  }
  const externalLines = lines.filter((line) => (line.instanceId === null || !matchedInstances.has(line.instanceId)) && !volumeMatch.matchedLines.has(line));
  return {
    nodes: reconciledNodes,
    pods: reconciledPods,
    external: allocateExternal(externalLines, namespaceCost, rules),
    volumes: [...volumes.values()],
    billedEffectiveCostUsd: sum(lines.map((l) => l.effectiveCostUsd)),
  };
}
