import { KcostError } from '../../errors/kcost-error.js';

// The parts of Kubernetes objects the mappers read. Objects arrive two ways:
// list responses go through the client's ObjectSerializer (timestamps become
// Date), watch events are raw JSON (timestamps stay RFC 3339 strings), so
// every timestamp is typed as either.

/** A timestamp as the client hands it over. */
export type KubeTime = Date | string | null | undefined;

/** A resource map such as requests, limits, capacity or allocatable. */
export type ResourceMap = Readonly<Record<string, string | undefined>> | null | undefined;

export interface OwnerReference {
  readonly kind?: string;
  readonly name?: string;
  readonly controller?: boolean | null;
}

export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string | null;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: KubeTime;
  readonly deletionTimestamp?: KubeTime;
  readonly labels?: Readonly<Record<string, string>> | null;
  readonly ownerReferences?: readonly OwnerReference[] | null;
}

/** Any object with metadata: what the informers carry and the mappers accept. */
export interface KubeResource {
  readonly metadata?: ObjectMeta;
}

/** Thrown when an object lacks what costing needs or carries an unreadable value. */
export class MalformedObjectError extends KcostError {
  constructor(message: string, cause?: unknown) {
    super('MALFORMED_OBJECT', message, { retriable: false, cause });
  }
}

/** Epoch millis of a timestamp, or null when absent; throws on an unreadable one. */
export function toMillis(value: KubeTime, what: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  const millis = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(millis)) throw new MalformedObjectError(`${what}: ${JSON.stringify(String(value))} is not a timestamp`);
  return millis;
}

/** The fields every KubeObject record carries, read and checked from metadata. */
export interface CheckedMeta {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string | null;
  readonly labels: Record<string, string>;
  readonly resourceVersion: string;
  readonly createdAt: number;
  readonly deletionRequestedAt: number | null;
}

/** Reads metadata, failing with a message that names the object when uid, name or creationTimestamp is missing. */
export function checkMeta(object: KubeResource, kind: string): CheckedMeta {
  const meta = object.metadata;
  const label = `${kind} ${meta?.namespace ? `${meta.namespace}/` : ''}${meta?.name ?? '(unnamed)'}`;
  if (!meta || typeof meta !== 'object') throw new MalformedObjectError(`${label}: no metadata`);
  if (typeof meta.uid !== 'string' || meta.uid === '') throw new MalformedObjectError(`${label}: no metadata.uid`);
  if (typeof meta.name !== 'string' || meta.name === '') throw new MalformedObjectError(`${label}: no metadata.name`);
  const createdAt = toMillis(meta.creationTimestamp, `${label} metadata.creationTimestamp`);
  if (createdAt === null) throw new MalformedObjectError(`${label}: no metadata.creationTimestamp`);
  return {
    uid: meta.uid,
    name: meta.name,
    namespace: meta.namespace ? meta.namespace : null,
    labels: { ...(meta.labels ?? {}) },
    resourceVersion: meta.resourceVersion ?? '',
    createdAt,
    deletionRequestedAt: toMillis(meta.deletionTimestamp, `${label} metadata.deletionTimestamp`),
  };
}
