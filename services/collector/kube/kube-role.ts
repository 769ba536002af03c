import { defineRole } from '../../cli/role.js';
import { lazyRun } from '../../cli/lazy-run.js';
import { kubeSettings } from './kube-settings.js';

/** `kcost collect kube`: watches the Kubernetes API and publishes the state costing needs to kcost.kube.v1. */
export const kubeRole = defineRole({
  name: 'kube',
  usage: 'kube [flags]',
  summary: 'Publish nodes, pods, volumes, claims, namespaces, autoscalers and workloads to kcost.kube.v1.',
  description:
    'Lists and watches nodes, pods, persistent volumes, claims, namespaces, HorizontalPodAutoscalers (autoscaling/v2), Deployments and StatefulSets (plus ReplicaSets and Jobs to resolve each pod to its Deployment, CronJob, StatefulSet or DaemonSet) and publishes one KubeObject per observed state, keyed cluster/kind/uid on the compacted topic. A deletion is published as the last state with deletedAt. Broken watches reconnect with backoff from the last resourceVersion; a 410 Gone relists. A malformed object is logged, counted in kcost_kube_objects_malformed_total and skipped. Needs only get/list/watch: see deploy/rbac/clusterrole.yaml. Works in a pod (service account) or with a kubeconfig.',
  settings: kubeSettings,
  run: lazyRun(() => import('./kube-run.js')),
});
