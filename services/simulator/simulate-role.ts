import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { simulateSettings } from './simulate-settings.js';

/** `kcost simulate`: publishes a deterministic synthetic cluster to the collectors' topics. */
export const simulateRole = defineRole({
  name: 'simulate',
  usage: 'simulate [flags]',
  summary: 'Publish a synthetic cluster for demos, tests and benchmarks.',
  description:
    'Publishes a deterministic synthetic cluster (same seed and flags, same records) on the collectors\' topics and schemas: nodes of mixed AWS instance types, on-demand and spot, in two Karpenter node pools (general, gpu), with spot interruptions and node replacement; pods of Deployments, StatefulSets (with volumes), DaemonSets and CronJobs with requests, diurnal usage, restarts and rollouts; the replica counts of each Deployment and StatefulSet; PodDisruptionBudgets over two Deployments (one allowing a disruption, one allowing none); one StatefulSet on local persistent volumes; a storefront Deployment under an HPA that scales it with the day; OOM kills (restart count, OOMKilled) of containers whose memory passes their limit, among them a leaking session-cache; on-demand prices of every catalog type with its shape (ARM siblings included, which no node runs on) and changing spot prices for every type and zone in use; and injected cost anomalies whose ground truth --ground-truth writes to a file. Samples that name their node go to --usage-by-node-topic keyed by node, or with --usage-node-window-topic as one NodeUsage record per node and window, the others to --usage-topic keyed by pod. Creates its topics if they are missing (the node-keyed ones with the usage topic\'s partition count). Prints a JSON summary of what it published when done.',
  settings: simulateSettings,
  run: lazyRun(() => import('./simulate-run.js')),
});
