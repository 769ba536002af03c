import { parseNonEmpty, parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';

/** How the Kubernetes collectors reach the API server and name the cluster in their records. */
export const kubeConnectionSettings = {
  kubeconfig: setting('kubeconfig', {
    description:
      'Path of a kubeconfig file. Empty: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account (the usual case in a pod). "in-cluster" forces the service account.',
    default: '',
    defaultLabel: '(default loading rules)',
    parse: parseString,
  }),
  context: setting('context', {
    description: 'Kubeconfig context to use instead of its current-context.',
    default: '',
    defaultLabel: '(current-context)',
    parse: parseString,
  }),
  cluster: setting('cluster', {
    description: 'Name of the cluster written into every record (one pipeline serves many clusters).',
    default: 'default',
    parse: parseNonEmpty,
  }),
};
