/** `--type`, and the recommendation kind each lists. */
export const RECOMMENDATION_TYPES = {
  resources: 'WORKLOAD_RESOURCES',
  'idle-workloads': 'IDLE_WORKLOAD',
  'orphaned-volumes': 'ORPHANED_VOLUME',
  'daemonset-only-nodes': 'DAEMONSET_ONLY_NODE',
  'node-pools': 'NODE_POOL',
  spot: 'SPOT_WORKLOAD',
  commitments: 'COMMITMENT',
  arm: 'ARM_WORKLOAD',
} as const;
export type RecommendationType = keyof typeof RECOMMENDATION_TYPES;
