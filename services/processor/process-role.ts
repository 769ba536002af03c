import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { processorSettings } from './processor-settings.js';

/** `kcost process`: the cost processor. */
export const processRole = defineRole({
  name: 'process',
  usage: 'process [flags]',
  summary: 'Join usage, state and prices into priced pod and node costs.',
  description: [
    'The cost processor rebuilds Kubernetes state and price history from kcost.kube.v1 and kcost.prices.v1 (read in full by every',
    'instance), then runs three stages, each a consumer group: it routes kcost.usage.v1 by node to <group-id>.usage-by-node, prices',
    'whole nodes from there and, when named, from kcost.usage.bynode.v1 and kcost.usage.nodewindow.v1 (usage its producers keyed by',
    'node already, a sample or a whole node window a record, read without that copy), and',
    'scores hourly workload and namespace costs from <group-id>.cost-rates. Run as many instances as',
    'you like with one --group-id: each node is priced by one of them. Each event-time window is priced with the prices in effect',
    'at its start; for every node and window, container costs plus idle equal the node cost. It publishes kcost.costs.v1 (PodCost),',
    'kcost.node-costs.v1 (NodeCost) and kcost.anomalies.v1 (CostAnomaly) in Kafka transactions with its input offsets, so a restart',
    'never prices a window twice; read those topics with isolation read_committed. Late samples go to kcost.deadletter.v1.',
    'See docs/processor.md.',
  ].join('\n'),
  settings: processorSettings,
  run: lazyRun(() => import('./process-run.js')),
});
