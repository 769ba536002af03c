import type { NodeHour } from './savings-inputs.js';

/**
 * Node-pool labels of the managed services and autoscalers, in the order
 * they are trusted: a Karpenter node in an EKS cluster carries both of the
 * first two, and the NodePool is what decides its shape.
 */
export const NODE_POOL_LABELS = [
  'karpenter.sh/nodepool',
  'karpenter.sh/provisioner-name',
  'eks.amazonaws.com/nodegroup',
  'cloud.google.com/gke-nodepool',
  'kubernetes.azure.com/agentpool',
  'agentpool',
] as const;

export interface NodePoolName {
  readonly pool: string;
  /** The label it came from; null when the node carries none of NODE_POOL_LABELS. */
  readonly poolLabel: string | null;
}

/**
 * The pool a node belongs to. Nodes without a pool label are grouped by
 * capacity type (`unlabelled-on-demand`, `unlabelled-spot`): kcost cannot
 * tell which of them an autoscaler would replace together, and on-demand and
 * spot are never packed into each other.
 */
export function nodePoolOf(node: Pick<NodeHour, 'labels' | 'capacityType'>): NodePoolName {
  for (const label of NODE_POOL_LABELS) {
    const value = node.labels[label];
    if (value) return { pool: value, poolLabel: label };
  }
  return { pool: `unlabelled-${node.capacityType.toLowerCase().replace(/_/g, '-')}`, poolLabel: null };
}

/** Groups nodes by pool name, pools and their nodes sorted by name. */
export function groupByPool<N extends Pick<NodeHour, 'labels' | 'capacityType' | 'name'>>(nodes: readonly N[]): Array<{ pool: NodePoolName; nodes: N[] }> {
  const pools = new Map<string, { pool: NodePoolName; nodes: N[] }>();
  for (const node of nodes) {
    const pool = nodePoolOf(node);
    const entry = pools.get(pool.pool) ?? { pool, nodes: [] };
    entry.nodes.push(node);
    pools.set(pool.pool, entry);
  }
  return [...pools.values()]
    .map((p) => ({ ...p, nodes: p.nodes.sort((a, b) => compare(a.name, b.name)) }))
    .sort((a, b) => compare(a.pool.pool, b.pool.pool));
}

/** The architecture a node's label names, else null. */
export function nodeArchitecture(node: Pick<NodeHour, 'labels'>): 'amd64' | 'arm64' | null {
  const arch = node.labels['kubernetes.io/arch'] ?? node.labels['beta.kubernetes.io/arch'];
  return arch === 'amd64' || arch === 'arm64' ? arch : null;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
