import { compare } from './node-pools.js';
import type { ClusterSavingsInput, NodeHour, PodHour } from './savings-inputs.js';

/** Controllers whose pods are advised per workload for spot and ARM moves (DaemonSets follow their nodes; Jobs finish). */
export const MOVABLE_KINDS = ['Deployment', 'ReplicaSet', 'StatefulSet'] as const;

export interface WorkloadPods {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  /** Desired replicas from the workload's spec, else the pods seen in the hour. */
  readonly replicas: number;
  readonly pods: ReadonlyArray<{ readonly pod: PodHour; readonly node: NodeHour }>;
}

/** The hour's pods of each Deployment, ReplicaSet and StatefulSet, with the nodes they ran on, sorted by namespace, kind and name. */
export function workloadPods(input: ClusterSavingsInput): WorkloadPods[] {
  const nodes = new Map(input.nodes.map((n) => [n.name, n]));
  const groups = new Map<string, { namespace: string; kind: string; name: string; pods: Array<{ pod: PodHour; node: NodeHour }> }>();
  for (const pod of input.pods) {
    if (!(MOVABLE_KINDS as readonly string[]).includes(pod.workloadKind)) continue;
    const node = nodes.get(pod.nodeName);
    if (!node) continue;
    const key = `${pod.namespace}/${pod.workloadKind}/${pod.workloadName}`;
    const group = groups.get(key) ?? { namespace: pod.namespace, kind: pod.workloadKind, name: pod.workloadName, pods: [] };
    group.pods.push({ pod, node });
    groups.set(key, group);
  }
  const specs = new Map(input.workloads.map((w) => [`${w.namespace}/${w.kind}/${w.name}`, w.desiredReplicas]));
  return [...groups.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([key, g]) => ({ ...g, replicas: specs.get(key) ?? new Set(g.pods.map((p) => p.pod.uid)).size }));
}
