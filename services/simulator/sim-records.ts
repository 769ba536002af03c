import type { KubeObject, PriceUpdate, UsageSample } from '../codec/records.generated.js';
import type { InstanceType } from './instance-catalog.js';
import type { Workload } from './cluster-plan.js';
import { disruptionBudgetState, type DisruptionBudgetPlan } from './disruption-budgets.js';
import type { AutoscalerPlan } from './extra-workloads.js';
import { NO_RESTARTS, type RestartHistory } from './oom-model.js';
import type { ContainerUsage } from './usage-model.js';
import type { NodeIncarnation, PodIncarnation, VolumePair } from './timeline.js';
import type { ReplicaCounts } from './workload-status.js';

const GiB = 1024 ** 3;

/** Fields every KubeObject of the simulated cluster shares. */
export interface Meta {
  readonly cluster: string;
  readonly resourceVersion: string;
  readonly observedAt: number;
}

function base(meta: Meta, kind: KubeObject['kind'], uid: string, name: string, namespace: string | null, labels: Record<string, string>, createdAt: number): KubeObject {
  return { cluster: meta.cluster, kind, uid, name, namespace, labels, resourceVersion: meta.resourceVersion, createdAt, deletedAt: null, observedAt: meta.observedAt, pod: null, node: null, volume: null, claim: null, hpa: null, workload: null, disruptionBudget: null };
}

export function namespaceObject(meta: Meta, uid: string, name: string, createdAt: number): KubeObject {
  return base(meta, 'NAMESPACE', uid, name, null, { 'kubernetes.io/metadata.name': name }, createdAt);
}

/** The Karpenter NodePool a node belongs to: GPU nodes have a pool of their own, as their taint asks. */
export function nodePoolOf(type: InstanceType): string {
  return type.gpus > 0 ? 'gpu' : 'general';
}

/** A node as the kube collector publishes one: well-known, EKS and Karpenter labels (its pool, architecture, type, zone), capacity and allocatable. */
export function nodeObject(meta: Meta, node: NodeIncarnation, region: string, deletedAt: number | null): KubeObject {
  const p = node.position;
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': node.name,
    'node.kubernetes.io/instance-type': p.type.name,
    'topology.kubernetes.io/region': region,
    'topology.kubernetes.io/zone': p.zone,
    'eks.amazonaws.com/capacityType': p.capacityType,
    'karpenter.sh/capacity-type': p.capacityType === 'SPOT' ? 'spot' : 'on-demand',
    'karpenter.sh/nodepool': nodePoolOf(p.type),
    'kubernetes.io/arch': p.type.architecture,
    'kubernetes.io/os': 'linux',
  };
  if (p.type.gpuModel) labels['nvidia.com/gpu.product'] = p.type.gpuModel;
  return {
    ...base(meta, 'NODE', node.uid, node.name, null, labels, node.createdAt),
    deletedAt,
    node: {
      provider: 'aws',
      providerId: node.providerId,
      instanceType: p.type.name,
      region,
      zone: p.zone,
      capacityType: p.capacityType,
      cpuCapacityCores: p.type.vcpu,
      memoryCapacityBytes: p.type.memoryGib * GiB,
      gpuCapacity: p.type.gpus,
      cpuAllocatableCores: p.cpuAllocatableCores,
      memoryAllocatableBytes: p.memoryAllocatableBytes,
      gpuAllocatable: p.type.gpus,
      gpuModel: p.type.gpuModel,
    },
  };
}

/** When the kubelet started a pod: at once when it was created in the run, two seconds after its creation for one that predates it. */
export function startedAtOf(pod: PodIncarnation): number {
  return pod.createdAt === pod.startMillis ? pod.startMillis : pod.createdAt + 2000;
}

/** A pod at its start (ended false), after an OOM kill, or at its end (deleted, or its job finished); restarts by container name. */
export function podObject(meta: Meta, pod: PodIncarnation, ended: boolean, restarts?: ReadonlyMap<string, RestartHistory>): KubeObject {
  const w = pod.slot.workload;
  const labels: Record<string, string> = { app: w.name };
  if (w.kind === 'StatefulSet') labels['statefulset.kubernetes.io/pod-name'] = pod.name;
  if (w.kind === 'CronJob') labels['job-name'] = pod.name.slice(0, pod.name.lastIndexOf('-'));
  const pending = pod.node === null;
  const finished = ended && pod.endPhase !== 'Running';
  return {
    ...base(meta, 'POD', pod.uid, pod.name, w.namespace, labels, pod.createdAt),
    // Job pods stay after they finish; the others are deleted.
    deletedAt: ended && !finished ? pod.endMillis : null,
    pod: {
      nodeName: pod.node?.name ?? null,
      phase: pending ? 'Pending' : finished ? pod.endPhase : 'Running',
      startedAt: pending ? null : startedAtOf(pod),
      endedAt: ended ? pod.endMillis : null,
      workload: { kind: w.kind, name: w.name },
      containers: w.containers.map((c) => ({ ...c, gpuLimit: c.gpuRequest > 0 ? c.gpuRequest : null, ...(restarts?.get(c.name) ?? NO_RESTARTS) })),
      claimNames: pod.claimName ? [pod.claimName] : [],
    },
  };
}

/** A Deployment or StatefulSet with its desired replicas and the pods it has (`replicas`) and that run on a node (`ready`). */
export function workloadObject(meta: Meta, w: Workload, uid: string, createdAt: number, counts: { desired: number; replicas: number; ready: number }): KubeObject {
  return {
    ...base(meta, 'WORKLOAD', uid, w.name, w.namespace, { app: w.name }, createdAt),
    workload: { controllerKind: w.kind, desiredReplicas: counts.desired, replicas: counts.replicas, readyReplicas: counts.ready },
  };
}

/** The HPA of an autoscaled workload, scaled to `replicas` (at `lastScaleTime`, null before its first change). */
export function autoscalerObject(meta: Meta, a: AutoscalerPlan, uid: string, createdAt: number, replicas: number, lastScaleTime: number | null): KubeObject {
  const w = a.workload;
  return {
    ...base(meta, 'HORIZONTAL_POD_AUTOSCALER', uid, w.name, w.namespace, { app: w.name }, createdAt),
    hpa: {
      targetKind: w.kind,
      targetName: w.name,
      minReplicas: a.spec.minReplicas,
      maxReplicas: a.spec.maxReplicas,
      currentReplicas: replicas,
      desiredReplicas: replicas,
      lastScaleTime,
      metrics: [{ type: 'Resource', name: 'cpu', container: null, targetType: 'Utilization', targetAverageUtilizationPercent: a.spec.targetUtilizationPercent }],
    },
  };
}

/** The EBS volume id (vol- and 17 hex digits) of a simulated volume, as its PV's CSI volumeHandle and the bill name it. */
export function ebsVolumeIdOf(volumeUid: string): string {
  return `vol-${volumeUid.replace(/-/g, '').slice(0, 17)}`;
}

/** The storage class of the simulator's local persistent volumes (spec.local, as the local static provisioner makes them). */
export const LOCAL_STORAGE_CLASS = 'local-storage';

/** A bound claim and its volume: an EBS gp3 volume, or with `local` a local persistent volume that pins its pod to the node. */
export function volumeObjects(meta: Meta, v: VolumePair, region: string, local = false): [KubeObject, KubeObject] {
  const w = v.workload;
  const storageClass = local ? LOCAL_STORAGE_CLASS : 'gp3';
  const volume: KubeObject = {
    ...base(meta, 'PERSISTENT_VOLUME', v.volumeUid, v.volumeName, null, { 'topology.kubernetes.io/region': region }, v.createdAt),
    // The collector names an in-tree source by its spec key: `local` for spec.local.
    volume: { capacityBytes: v.sizeBytes, storageClass, claimNamespace: w.namespace, claimName: v.claimName, driver: local ? 'local' : 'ebs.csi.aws.com', region, local, providerVolumeId: local ? null : ebsVolumeIdOf(v.volumeUid) },
  };
  const claim: KubeObject = {
    ...base(meta, 'PERSISTENT_VOLUME_CLAIM', v.claimUid, v.claimName, w.namespace, { app: w.name }, v.createdAt),
    claim: { volumeName: v.volumeName, storageClass, requestBytes: v.sizeBytes, capacityBytes: v.sizeBytes, phase: 'Bound' },
  };
  return [volume, claim];
}

/** The PodDisruptionBudget over a Deployment's pods, with the status its replica counts give. */
export function disruptionBudgetObject(meta: Meta, budget: DisruptionBudgetPlan, uid: string, createdAt: number, counts: ReplicaCounts): KubeObject {
  const w = budget.workload;
  return {
    ...base(meta, 'POD_DISRUPTION_BUDGET', uid, budget.name, w.namespace, { app: w.name }, createdAt),
    disruptionBudget: disruptionBudgetState(budget, counts),
  };
}

export function usageSample(cluster: string, pod: PodIncarnation, container: string, windowStart: number, windowSeconds: number, usage: ContainerUsage, network: { rx: number; tx: number } | null): UsageSample {
  return {
    cluster,
    namespace: pod.slot.workload.namespace,
    podUid: pod.uid,
    podName: pod.name,
    container,
    nodeName: pod.node?.name ?? null,
    windowStart,
    windowSeconds,
    cpuCoreSeconds: usage.cpuCores * windowSeconds,
    memoryWorkingSetAvgBytes: usage.memoryAvgBytes,
    memoryWorkingSetMaxBytes: usage.memoryMaxBytes,
    networkRxBytes: network?.rx ?? null,
    networkTxBytes: network?.tx ?? null,
    gap: false,
    source: 'simulator',
  };
}

/** A price as the AWS price sources publish it (same source names, so the processor treats both alike). */
export function nodePrice(type: InstanceType, region: string, zone: string | null, capacityType: 'ON_DEMAND' | 'SPOT', hourlyUsd: number, at: number): PriceUpdate {
  return {
    provider: 'aws',
    region,
    zone,
    kind: 'NODE',
    sku: type.name,
    capacityType,
    effectiveFrom: at,
    hourlyUsd,
    cpuCoreHourUsd: null,
    memoryGibHourUsd: null,
    // Spot GPU nodes are discounted as a whole; the GPU's share scales with the node price.
    gpuHourUsd: type.gpuHourlyUsd === null ? null : (type.gpuHourlyUsd * hourlyUsd) / type.onDemandHourlyUsd,
    storageGibMonthUsd: null,
    networkGibUsd: null,
    discount: 0,
    source: capacityType === 'SPOT' ? 'aws-spot' : 'aws-pricing',
    sourceRef: 'simulator',
    observedAt: at,
    vcpus: type.vcpu,
    memoryBytes: type.memoryGib * GiB,
    gpus: type.gpus,
    architecture: type.architecture,
  };
}

export function storagePrice(region: string, storageClass: string, gibMonthUsd: number, at: number): PriceUpdate {
  return {
    provider: 'aws',
    region,
    zone: null,
    kind: 'STORAGE',
    sku: storageClass,
    capacityType: 'UNKNOWN',
    effectiveFrom: at,
    hourlyUsd: null,
    cpuCoreHourUsd: null,
    memoryGibHourUsd: null,
    gpuHourUsd: null,
    storageGibMonthUsd: gibMonthUsd,
    networkGibUsd: null,
    discount: 0,
    source: 'aws-pricing',
    sourceRef: 'simulator',
    observedAt: at,
    vcpus: null,
    memoryBytes: null,
    gpus: null,
    architecture: null,
  };
}
