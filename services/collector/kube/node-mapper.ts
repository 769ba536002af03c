import type { CapacityType, NodeState } from '../../codec/records.generated.js';
import type { KubeResource, ResourceMap } from './kube-json.js';
import { MalformedObjectError } from './kube-json.js';
import { parseBytes, parseCores } from './quantity.js';

/** The Node fields the mapper reads. */
export interface KubeNode extends KubeResource {
  readonly spec?: { readonly providerID?: string | null } | null;
  readonly status?: { readonly capacity?: ResourceMap; readonly allocatable?: ResourceMap } | null;
}

const GPU_RESOURCES = ['nvidia.com/gpu', 'amd.com/gpu'];

/** First label present among the well-known name and its deprecated predecessors. */
function firstLabel(labels: Readonly<Record<string, string>>, names: readonly string[]): string {
  for (const name of names) {
    const value = labels[name];
    if (value) return value;
  }
  return '';
}

/** aws, gcp, azure or unknown, from the scheme of spec.providerID. */
export function providerOf(providerId: string | null | undefined): string {
  const scheme = /^([a-z]+):\/\//.exec(providerId ?? '')?.[1];
  if (scheme === 'aws') return 'aws';
  if (scheme === 'gce') return 'gcp';
  if (scheme === 'azure') return 'azure';
  return 'unknown';
}

/**
 * How the node's capacity is bought, from the labels each platform sets:
 * EKS managed node groups, Karpenter, GKE (spot and the older preemptible),
 * AKS scale-set priority and the kops/eksctl lifecycle label. A GKE or AKS
 * node without a spot marker is on-demand; anything else without a marker is
 * UNKNOWN, so the cost model can say it assumed.
 */
export function capacityTypeOf(labels: Readonly<Record<string, string>>): CapacityType {
  const eks = labels['eks.amazonaws.com/capacityType'];
  if (eks) return eks.toUpperCase() === 'SPOT' ? 'SPOT' : eks.toUpperCase() === 'ON_DEMAND' ? 'ON_DEMAND' : 'UNKNOWN';
  const karpenter = labels['karpenter.sh/capacity-type'];
  if (karpenter) return ({ spot: 'SPOT', 'on-demand': 'ON_DEMAND', reserved: 'RESERVED' } as const)[karpenter] ?? 'UNKNOWN';
  if (labels['cloud.google.com/gke-spot'] === 'true' || labels['cloud.google.com/gke-preemptible'] === 'true') return 'SPOT';
  const aks = labels['kubernetes.azure.com/scalesetpriority'];
  if (aks) return aks.toLowerCase() === 'spot' ? 'SPOT' : 'ON_DEMAND';
  const lifecycle = labels['node.kubernetes.io/lifecycle'];
  if (lifecycle) return lifecycle === 'spot' ? 'SPOT' : 'ON_DEMAND';
  if (labels['cloud.google.com/gke-nodepool'] || labels['kubernetes.azure.com/agentpool']) return 'ON_DEMAND';
  return 'UNKNOWN';
}

function gpus(resources: ResourceMap, what: string): number {
  return GPU_RESOURCES.reduce((sum, name) => {
    const raw = resources?.[name];
    return raw === undefined ? sum : sum + parseCores(raw, `${what}[${name}]`);
  }, 0);
}

function required(resources: ResourceMap, name: string, what: string): string {
  const raw = resources?.[name];
  if (raw === undefined) throw new MalformedObjectError(`${what}: no ${name}`);
  return raw;
}

/** Node state that costing needs; `label` names the node in error messages. */
export function mapNodeState(node: KubeNode, labels: Readonly<Record<string, string>>, label: string): NodeState {
  const providerId = node.spec?.providerID ?? null;
  const capacity = node.status?.capacity;
  const allocatable = node.status?.allocatable;
  const cap = `${label} status.capacity`;
  const alloc = `${label} status.allocatable`;
  return {
    provider: providerOf(providerId),
    providerId: providerId || null,
    instanceType: firstLabel(labels, ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type']),
    region: firstLabel(labels, ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region']),
    zone: firstLabel(labels, ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone']),
    capacityType: capacityTypeOf(labels),
    cpuCapacityCores: parseCores(required(capacity, 'cpu', cap), `${cap}.cpu`),
    memoryCapacityBytes: parseBytes(required(capacity, 'memory', cap), `${cap}.memory`),
    gpuCapacity: gpus(capacity, cap),
    cpuAllocatableCores: parseCores(required(allocatable, 'cpu', alloc), `${alloc}.cpu`),
    memoryAllocatableBytes: parseBytes(required(allocatable, 'memory', alloc), `${alloc}.memory`),
    gpuAllocatable: gpus(allocatable, alloc),
    gpuModel: firstLabel(labels, ['nvidia.com/gpu.product', 'cloud.google.com/gke-accelerator']) || null,
  };
}
