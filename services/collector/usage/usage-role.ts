import { defineRole } from '../../cli/role.js';
import { lazyRun } from '../../cli/lazy-run.js';
import { usageSettings } from './usage-settings.js';

/** `kcost collect usage`: one UsageSample per container per window, from the metrics API or the kubelet Summary API. */
export const usageRole = defineRole({
  name: 'usage',
  usage: 'usage [flags]',
  summary: 'Publish per-container usage samples to kcost.usage.v1.',
  description:
    'Reads container usage several times per window (--scrape-interval) from the metrics API (PodMetrics) or, with --usage-source kubelet-summary, from every node\'s kubelet /stats/summary through the API server proxy, and publishes one UsageSample per container per window (--window-seconds, aligned; with --usage-node-window-topic, those of each node as one NodeUsage record per window): CPU core-seconds, memory working set average and maximum, and network bytes where the kubelet gives them. A window in which a container\'s source could not be read is published as a gap (gap=true, zeros), never invented. Watches pods to key usage by pod uid. RBAC: deploy/rbac/clusterrole.yaml.',
  settings: usageSettings,
  run: lazyRun(() => import('./usage-run.js')),
});
