import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { topicsSettings } from './topics-settings.js';

/** `kcost topics`: creates the kcost topics that are missing, with their partitions and cleanup policies. */
export const topicsRole = defineRole({
  name: 'topics',
  usage: 'topics [flags]',
  summary: 'Create the kcost topics on the brokers (safe to repeat).',
  description:
    'Creates every kcost topic that does not exist yet: kcost.kube.v1 and kcost.prices.v1 compacted, the others deleted after their retention, the internal topics of the processor group --processor-group-id and of the recommender group --recommender-group-id. Existing topics are left unchanged. Prints one JSON line per topic.',
  settings: topicsSettings,
  run: lazyRun(() => import('./topics-run.js')),
});
