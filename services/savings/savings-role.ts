import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { savingsSettings } from './savings-settings.js';

/** `kcost savings`: node-pool, spot, commitment and ARM advice from the stored costs, every --interval. */
export const savingsRole = defineRole({
  name: 'savings',
  usage: 'savings [flags]',
  summary: 'Advise node pools, spot moves, commitments and ARM candidates from the stored costs.',
  description: [
    'Reads the newest whole hour of stored node and pod costs, the price catalog and the on-demand spend history from the database,',
    'and node pools, PodDisruptionBudgets, replicas and local volumes from kcost.kube.v1, and publishes NODE_POOL, SPOT_WORKLOAD,',
    'COMMITMENT and ARM_WORKLOAD Recommendation records to kcost.recommendations.v1 (tombstones for advice that no longer applies),',
    'once per stored hour. Node pools are repacked onto the catalog instance types with --headroom; spot savings use the spot price',
    'history of --spot-lookback; commitments are simulated hour by hour over --commitment-lookback for 1- and 3-year terms. Run one',
    'instance (a second publishes the same records). See docs/savings.md.',
  ].join('\n'),
  settings: savingsSettings,
  run: lazyRun(() => import('./savings-run.js')),
});
