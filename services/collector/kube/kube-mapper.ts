import type { KubeObject, ObjectKind } from '../../codec/records.generated.js';
import type { KubeResource } from './kube-json.js';
import { checkMeta } from './kube-json.js';
import { mapNodeState } from './node-mapper.js';
import type { OwnerLookup } from './owner-resolver.js';
import { mapPodState } from './pod-mapper.js';
import { mapClaimState, mapVolumeState } from './storage-mapper.js';

/** What a mapping needs besides the object: where and when it was seen, and whether it is gone. */
export interface MapContext {
  readonly cluster: string;
  readonly observedAt: number;
  /** True for a watch DELETED event or an object a relist no longer returned. */
  readonly deleted: boolean;
  readonly owners: OwnerLookup;
}

const KIND_LABEL: Record<ObjectKind, string> = {
  POD: 'Pod',
  NODE: 'Node',
  PERSISTENT_VOLUME: 'PersistentVolume',
  PERSISTENT_VOLUME_CLAIM: 'PersistentVolumeClaim',
  NAMESPACE: 'Namespace',
  HORIZONTAL_POD_AUTOSCALER: 'HorizontalPodAutoscaler',
  WORKLOAD: 'Workload',
};

/**
 * Maps one Kubernetes object to the KubeObject record published for it.
 * Throws MalformedObjectError (or a MALFORMED_QUANTITY KcostError) when the
 * object lacks what costing needs; the collector counts and skips those.
 */
export function toKubeObject(kind: ObjectKind, object: KubeResource, context: MapContext): KubeObject {
  const meta = checkMeta(object, KIND_LABEL[kind]);
  const label = `${KIND_LABEL[kind]} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
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
    namespace: kind === 'POD' || kind === 'PERSISTENT_VOLUME_CLAIM' ? meta.namespace : null,
    labels: meta.labels,
    resourceVersion: meta.resourceVersion,
    createdAt: meta.createdAt,
    deletedAt,
    observedAt: context.observedAt,
    pod: kind === 'POD' ? mapPodState(object, { ...meta, deletedAt }, context.owners, label) : null,
    node: kind === 'NODE' ? mapNodeState(object, meta.labels, label) : null,
    volume: kind === 'PERSISTENT_VOLUME' ? mapVolumeState(object, meta.labels, label) : null,
    claim: kind === 'PERSISTENT_VOLUME_CLAIM' ? mapClaimState(object, label) : null,
    // The collector does not watch autoscalers and workloads yet.
    hpa: null,
    workload: null,
  };
}
