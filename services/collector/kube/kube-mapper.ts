import type { KubeObject, ObjectKind } from '../../codec/records.generated.js';
import { mapDisruptionBudgetState } from './disruption-mapper.js';
import type { KubeResource } from './kube-json.js';
import { checkMeta } from './kube-json.js';
import { mapNodeState } from './node-mapper.js';
import type { OwnerLookup } from './owner-resolver.js';
import { mapPodState } from './pod-mapper.js';
import { mapAutoscalerState, mapWorkloadState } from './scaling-mapper.js';
import { mapClaimState, mapVolumeState } from './storage-mapper.js';

/** What a mapping needs besides the object: where and when it was seen, and whether it is gone. */
export interface MapContext {
  readonly cluster: string;
  readonly observedAt: number;
  /** True for a watch DELETED event or an object a relist no longer returned. */
  readonly deleted: boolean;
  readonly owners: OwnerLookup;
}

/**
 * The Kubernetes kinds the collector publishes, and the ObjectKind each is
 * published as. Deployments and StatefulSets share WORKLOAD: one enum symbol
 * for every controller, so a controller added later needs no new symbol
 * (which older readers would read as POD).
 */
export const PUBLISHED_KINDS = {
  Pod: 'POD',
  Node: 'NODE',
  PersistentVolume: 'PERSISTENT_VOLUME',
  PersistentVolumeClaim: 'PERSISTENT_VOLUME_CLAIM',
  Namespace: 'NAMESPACE',
  HorizontalPodAutoscaler: 'HORIZONTAL_POD_AUTOSCALER',
  Deployment: 'WORKLOAD',
  StatefulSet: 'WORKLOAD',
  PodDisruptionBudget: 'POD_DISRUPTION_BUDGET',
} as const satisfies Record<string, ObjectKind>;

/** A Kubernetes kind the collector publishes: Pod, Node, ..., Deployment, StatefulSet. */
export type PublishedKind = keyof typeof PUBLISHED_KINDS;

const NAMESPACED: ReadonlySet<ObjectKind> = new Set<ObjectKind>(['POD', 'PERSISTENT_VOLUME_CLAIM', 'HORIZONTAL_POD_AUTOSCALER', 'WORKLOAD', 'POD_DISRUPTION_BUDGET']);

/**
 * Maps one Kubernetes object of the given kind to the KubeObject record
 * published for it. Throws MalformedObjectError (or a MALFORMED_QUANTITY
 * KcostError) when the object lacks what the record needs; the collector
 * counts and skips those.
 */
export function toKubeObject(kubeKind: PublishedKind, object: KubeResource, context: MapContext): KubeObject {
  const kind: ObjectKind = PUBLISHED_KINDS[kubeKind];
  const meta = checkMeta(object, kubeKind);
  const label = `${kubeKind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
  // A deletion seen on the watch happened no later than we saw it; a pending
  // graceful deletion ends the object at its deletionTimestamp.
  const deletedAt = context.deleted
    ? Math.min(meta.deletionRequestedAt ?? context.observedAt, context.observedAt)
    : meta.deletionRequestedAt;
  return {
    cluster: context.cluster,
    kind,
    uid: meta.uid,
    name: meta.name,
    namespace: NAMESPACED.has(kind) ? meta.namespace : null,
    labels: meta.labels,
    resourceVersion: meta.resourceVersion,
    createdAt: meta.createdAt,
    deletedAt,
    observedAt: context.observedAt,
    pod: kind === 'POD' ? mapPodState(object, { ...meta, deletedAt }, context.owners, label) : null,
    node: kind === 'NODE' ? mapNodeState(object, meta.labels, label) : null,
    volume: kind === 'PERSISTENT_VOLUME' ? mapVolumeState(object, meta.labels, label) : null,
    claim: kind === 'PERSISTENT_VOLUME_CLAIM' ? mapClaimState(object, label) : null,
    hpa: kind === 'HORIZONTAL_POD_AUTOSCALER' ? mapAutoscalerState(object, label) : null,
    workload: kubeKind === 'Deployment' || kubeKind === 'StatefulSet' ? mapWorkloadState(object, kubeKind, label) : null,
    disruptionBudget: kind === 'POD_DISRUPTION_BUDGET' ? mapDisruptionBudgetState(object, label) : null,
  };
}
