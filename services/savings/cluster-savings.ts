import type { Recommendation } from '../codec/records.generated.js';
import { adviseArm } from './arm-advice.js';
import { adviseCommitments, type CommitmentOptions } from './commitment-advice.js';
import { adviseNodePools, type NodePoolOptions } from './node-pool-advice.js';
import type { ClusterSavingsInput } from './savings-inputs.js';
import { adviseSpot } from './spot-advice.js';

export interface ClusterSavingsOptions {
  readonly nodePools: NodePoolOptions;
  readonly commitments: CommitmentOptions;
}

/** Every kind of cluster-savings advice for one cluster, from one hour of costs and state: a pure function of its input. */
export function adviseCluster(input: ClusterSavingsInput, options: ClusterSavingsOptions): Recommendation[] {
  if (input.nodes.length === 0) return [];
  return [...adviseNodePools(input, options.nodePools), ...adviseSpot(input), ...adviseCommitments(input, options.commitments), ...adviseArm(input)];
}

/** Keys stored before that this run no longer advises: each gets a tombstone, so the topic and the table forget them. */
export function retiredKeys(stored: ReadonlySet<string>, advice: readonly Recommendation[]): string[] {
  const current = new Set(advice.map((r) => r.key));
  return [...stored].filter((key) => !current.has(key)).sort();
}
