import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { recommendSettings } from './recommend-settings.js';

/** `kcost recommend`: the streaming right-sizing recommender. */
export const recommendRole = defineRole({
  name: 'recommend',
  usage: 'recommend [flags]',
  summary: 'Turn priced container windows and pod state into right-sizing recommendations, and flag idle workloads, orphaned volumes and DaemonSet-only nodes.',
  description: [
    'The recommender reads kcost.costs.v1 (PodCost) and kcost.kube.v1 (pod specs and OOM kills, workload replicas and autoscalers,',
    'read in full by every instance) and publishes a Recommendation per workload container (cluster/namespace/Kind/name/container) to the compacted',
    'kcost.recommendations.v1: each time the container\'s history crosses a --publish-interval boundary of event time, at once after',
    'a new OOM kill, and a tombstone once it has had no sample for the strategy\'s window. It routes costs by workload container',
    'to <group-id>.by-container, so run as many instances as you like with one --group-id, and keeps each container\'s model in the',
    'compacted <group-id>.history, written in the same Kafka transaction as its output, so restarts and rebalances keep it. Read',
    'the recommendations with isolation read_committed. Refused windows go to kcost.deadletter.v1. See docs/processor.md and',
    'docs/rightsizing.md.',
    'It also reads kcost.kube.v1, kcost.prices.v1 and its own recommendations in full and publishes ORPHANED_VOLUME records for',
    'claims no running pod mounted for --orphaned-volume-after, DAEMONSET_ONLY_NODE records for nodes that ran only DaemonSet',
    'pods for --daemonset-only-node-after and IDLE_WORKLOAD records for workloads whose every container stayed near zero, each',
    'published by one member of <group-id>.abandoned and tombstoned once it no longer applies.',
  ].join('\n'),
  settings: recommendSettings,
  run: lazyRun(() => import('./recommend-run.js')),
});
