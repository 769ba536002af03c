import type { ClaimState, VolumeState } from '../../codec/records.generated.js';
import type { KubeResource, ResourceMap } from './kube-json.js';
import { MalformedObjectError } from './kube-json.js';
import { parseBytes } from './quantity.js';

interface NodeSelectorTerm {
  readonly matchExpressions?: ReadonlyArray<{ readonly key?: string; readonly values?: readonly string[] | null }> | null;
}

/** The PersistentVolume fields the mapper reads; volume sources are any other spec key. */
export interface KubePersistentVolume extends KubeResource {
  readonly spec?: {
    readonly capacity?: ResourceMap;
    readonly storageClassName?: string | null;
    readonly claimRef?: { readonly namespace?: string | null; readonly name?: string | null } | null;
    readonly csi?: { readonly driver?: string; readonly volumeHandle?: string | null } | null;
    readonly awsElasticBlockStore?: { readonly volumeID?: string | null } | null;
    readonly gcePersistentDisk?: { readonly pdName?: string | null } | null;
    readonly azureDisk?: { readonly diskURI?: string | null } | null;
    readonly nodeAffinity?: { readonly required?: { readonly nodeSelectorTerms?: readonly NodeSelectorTerm[] | null } | null } | null;
    readonly [source: string]: unknown;
  } | null;
}

/** The PersistentVolumeClaim fields the mapper reads. */
export interface KubePersistentVolumeClaim extends KubeResource {
  readonly spec?: {
    readonly volumeName?: string | null;
    readonly storageClassName?: string | null;
    readonly resources?: { readonly requests?: ResourceMap } | null;
  } | null;
  readonly status?: { readonly capacity?: ResourceMap; readonly phase?: string | null } | null;
}

// Spec keys of a PersistentVolume that are not its volume source.
const NOT_A_SOURCE = new Set([
  'accessModes', 'capacity', 'claimRef', 'mountOptions', 'nodeAffinity', 'persistentVolumeReclaimPolicy',
  'storageClassName', 'volumeMode', 'volumeAttributesClassName', 'csi',
]);
const REGION_KEYS = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];

function isPresent(source: unknown): boolean {
  return source !== null && source !== undefined;
}

/** The CSI driver, else the name of the in-tree plugin (gcePersistentDisk, awsElasticBlockStore, nfs, …). */
function driverOf(spec: NonNullable<KubePersistentVolume['spec']>): string {
  if (spec.csi?.driver) return spec.csi.driver;
  const source = Object.keys(spec).find((key) => !NOT_A_SOURCE.has(key) && spec[key] !== null && spec[key] !== undefined);
  return source ?? '';
}

function regionOf(spec: NonNullable<KubePersistentVolume['spec']>, labels: Readonly<Record<string, string>>): string {
  for (const key of REGION_KEYS) if (labels[key]) return labels[key];
  for (const term of spec.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const expression of term.matchExpressions ?? []) {
      const value = expression.values?.[0];
      if (expression.key && REGION_KEYS.includes(expression.key) && value) return value;
    }
  }
  return '';
}

/**
 * The provider's id of the disk, as its bill names it (the CSI volumeHandle
 * or an in-tree plugin's disk id), or null for a source no bill names (NFS,
 * local, hostPath). In-tree AWS writes aws://us-east-1a/vol-0abc: the bill
 * line's resource id is vol-0abc, so only the id after the last slash is kept.
 */
function providerVolumeIdOf(spec: NonNullable<KubePersistentVolume['spec']>): string | null {
  if (spec.csi?.volumeHandle) return spec.csi.volumeHandle;
  const aws = spec.awsElasticBlockStore?.volumeID;
  if (aws) return aws.split('/').pop() || null;
  return spec.gcePersistentDisk?.pdName || spec.azureDisk?.diskURI || null;
}

/** PersistentVolume state that costing needs. */
export function mapVolumeState(volume: KubePersistentVolume, labels: Readonly<Record<string, string>>, label: string): VolumeState {
  const spec = volume.spec;
  const storage = spec?.capacity?.storage;
  if (!spec || storage === undefined) throw new MalformedObjectError(`${label}: no spec.capacity.storage`);
  return {
    capacityBytes: parseBytes(storage, `${label} spec.capacity.storage`),
    storageClass: spec.storageClassName ?? '',
    claimNamespace: spec.claimRef?.namespace || null,
    claimName: spec.claimRef?.name || null,
    driver: driverOf(spec),
    region: regionOf(spec, labels),
    // Both live on one node's disk and pin every pod that mounts them there (hostPath PVs are single-node by nature).
    local: isPresent(spec.local) || isPresent(spec.hostPath),
    providerVolumeId: providerVolumeIdOf(spec),
  };
}

/** PersistentVolumeClaim state that costing needs. */
export function mapClaimState(claim: KubePersistentVolumeClaim, label: string): ClaimState {
  const request = claim.spec?.resources?.requests?.storage;
  const capacity = claim.status?.capacity?.storage;
  return {
    volumeName: claim.spec?.volumeName || null,
    storageClass: claim.spec?.storageClassName ?? '',
    requestBytes: request === undefined ? 0 : parseBytes(request, `${label} spec.resources.requests.storage`),
    capacityBytes: capacity === undefined ? 0 : parseBytes(capacity, `${label} status.capacity.storage`),
    phase: claim.status?.phase ?? '',
  };
}
