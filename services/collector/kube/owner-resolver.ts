import type { WorkloadRef } from '../../codec/records.generated.js';
import type { OwnerReference } from './kube-json.js';

/** Finds the owner references of a ReplicaSet or Job in a namespace (an informer cache). */
export interface OwnerLookup {
  ownersOf(kind: 'ReplicaSet' | 'Job', namespace: string, name: string): readonly OwnerReference[] | undefined;
}

/** An OwnerLookup that knows nothing: every pod resolves from its own references. */
export const noOwners: OwnerLookup = { ownersOf: () => undefined };

function controllerOf(references: readonly OwnerReference[] | null | undefined): OwnerReference | undefined {
  const list = references ?? [];
  return list.find((ref) => ref.controller === true) ?? list[0];
}

/**
 * The top controller of a pod: Pod → ReplicaSet → Deployment, Pod → Job →
 * CronJob; StatefulSet, DaemonSet and other owners as they are. The
 * ReplicaSet or Job is looked up in the cache; when it is not there yet (the
 * pod's watch event can arrive before its ReplicaSet's), a ReplicaSet whose
 * pod carries a pod-template-hash label was made by a Deployment, whose name
 * is the ReplicaSet's minus its last dash-separated segment.
 */
export function resolveWorkload(
  namespace: string | null,
  podOwners: readonly OwnerReference[] | null | undefined,
  podLabels: Readonly<Record<string, string>>,
  lookup: OwnerLookup,
): WorkloadRef | null {
  const owner = controllerOf(podOwners);
  if (!owner?.kind || !owner.name) return null;
  if ((owner.kind === 'ReplicaSet' || owner.kind === 'Job') && namespace !== null) {
    const known = lookup.ownersOf(owner.kind, namespace, owner.name);
    if (known !== undefined) {
      const parent = controllerOf(known);
      return parent?.kind && parent.name ? { kind: parent.kind, name: parent.name } : { kind: owner.kind, name: owner.name };
    }
    if (owner.kind === 'ReplicaSet' && podLabels['pod-template-hash'] !== undefined && owner.name.includes('-')) {
      return { kind: 'Deployment', name: owner.name.slice(0, owner.name.lastIndexOf('-')) };
    }
  }
  return { kind: owner.kind, name: owner.name };
}
