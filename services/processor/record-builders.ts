import type { ContainerResources, KubeObject, NodeState, PodState, PriceUpdate, UsageSample } from '../codec/records.generated.js';

// Builders of well-formed input records with every field set, for tests,
// benchmarks and demos that feed the processor without a collector.

const GIB = 1024 ** 3;

/** A node KubeObject; sizes in cores and GiB. */
export function nodeObject(o: {
  cluster?: string;
  name: string;
  uid?: string;
  provider?: string;
  providerId?: string | null;
  instanceType?: string;
  region?: string;
  zone?: string;
  capacityType?: NodeState['capacityType'];
  cores: number;
  memoryGib: number;
  gpus?: number;
  gpuModel?: string | null;
  createdAt?: number;
  deletedAt?: number | null;
  observedAt?: number;
}): KubeObject {
  return {
    cluster: o.cluster ?? 'prod',
    kind: 'NODE',
    uid: o.uid ?? `uid-${o.name}`,
    name: o.name,
    namespace: null,
    labels: {},
    resourceVersion: '1',
    createdAt: o.createdAt ?? 0,
    deletedAt: o.deletedAt ?? null,
    observedAt: o.observedAt ?? o.createdAt ?? 0,
    pod: null,
    node: {
      provider: o.provider ?? 'aws',
      providerId: o.providerId ?? null,
      instanceType: o.instanceType ?? 'm5.large',
      region: o.region ?? 'us-east-1',
      zone: o.zone ?? 'us-east-1a',
      capacityType: o.capacityType ?? 'ON_DEMAND',
      cpuCapacityCores: o.cores,
      memoryCapacityBytes: Math.round(o.memoryGib * GIB),
      gpuCapacity: o.gpus ?? 0,
      cpuAllocatableCores: o.cores,
      memoryAllocatableBytes: Math.round(o.memoryGib * GIB),
      gpuAllocatable: o.gpus ?? 0,
      gpuModel: o.gpuModel ?? null,
    },
    volume: null,
    claim: null,
    hpa: null,
    workload: null,
    disruptionBudget: null,
  };
}

/** Requests of one container; memory in GiB. */
export function container(name: string, cpuCores: number, memoryGib: number, gpus = 0): ContainerResources {
  return {
    name,
    cpuRequestCores: cpuCores,
    cpuLimitCores: null,
    memoryRequestBytes: Math.round(memoryGib * GIB),
    memoryLimitBytes: null,
    gpuRequest: gpus,
    gpuLimit: null,
    restartCount: 0,
    lastTerminationReason: null,
    lastTerminatedAt: null,
  };
}

/** A running pod KubeObject. */
export function podObject(o: {
  cluster?: string;
  namespace?: string;
  name: string;
  uid?: string;
  nodeName: string | null;
  containers: ContainerResources[];
  workload?: PodState['workload'];
  claimNames?: string[];
  labels?: Record<string, string>;
  createdAt?: number;
  deletedAt?: number | null;
  endedAt?: number | null;
  observedAt?: number;
}): KubeObject {
  return {
    cluster: o.cluster ?? 'prod',
    kind: 'POD',
    uid: o.uid ?? `uid-${o.name}`,
    name: o.name,
    namespace: o.namespace ?? 'default',
    labels: o.labels ?? {},
    resourceVersion: '1',
    createdAt: o.createdAt ?? 0,
    deletedAt: o.deletedAt ?? null,
    observedAt: o.observedAt ?? o.createdAt ?? 0,
    pod: {
      nodeName: o.nodeName,
      phase: 'Running',
      startedAt: o.createdAt ?? 0,
      endedAt: o.endedAt ?? null,
      workload: o.workload ?? null,
      containers: o.containers,
      claimNames: o.claimNames ?? [],
    },
    node: null,
    volume: null,
    claim: null,
    hpa: null,
    workload: null,
    disruptionBudget: null,
  };
}

/** A bound claim and its volume; size in GiB. */
export function claimAndVolume(o: { cluster?: string; namespace?: string; claim: string; volume: string; sizeGib: number; storageClass?: string; region?: string; providerVolumeId?: string }): KubeObject[] {
  const base = { cluster: o.cluster ?? 'prod', labels: {}, resourceVersion: '1', createdAt: 0, deletedAt: null, observedAt: 0, pod: null, node: null, hpa: null, workload: null, disruptionBudget: null };
  const bytes = o.sizeGib * GIB;
  return [
    {
      ...base,
      kind: 'PERSISTENT_VOLUME_CLAIM',
      uid: `uid-${o.claim}`,
      name: o.claim,
      namespace: o.namespace ?? 'default',
      volume: null,
      claim: { volumeName: o.volume, storageClass: o.storageClass ?? 'gp3', requestBytes: bytes, capacityBytes: bytes, phase: 'Bound' },
    },
    {
      ...base,
      kind: 'PERSISTENT_VOLUME',
      uid: `uid-${o.volume}`,
      name: o.volume,
      namespace: null,
      claim: null,
      volume: { capacityBytes: bytes, storageClass: o.storageClass ?? 'gp3', claimNamespace: o.namespace ?? 'default', claimName: o.claim, driver: 'ebs.csi.aws.com', region: o.region ?? 'us-east-1', local: false, providerVolumeId: o.providerVolumeId ?? null },
    },
  ];
}

/** A HorizontalPodAutoscaler KubeObject scaling a Deployment on CPU utilization. */
export function autoscalerObject(o: {
  cluster?: string;
  namespace?: string;
  name: string;
  uid?: string;
  target?: { kind: string; name: string };
  minReplicas?: number;
  maxReplicas?: number;
  replicas?: number;
  cpuTargetPercent?: number;
  labels?: Record<string, string>;
  deletedAt?: number | null;
  observedAt?: number;
}): KubeObject {
  const replicas = o.replicas ?? 2;
  return {
    cluster: o.cluster ?? 'prod',
    kind: 'HORIZONTAL_POD_AUTOSCALER',
    uid: o.uid ?? `uid-hpa-${o.name}`,
    name: o.name,
    namespace: o.namespace ?? 'default',
    labels: o.labels ?? {},
    resourceVersion: '1',
    createdAt: 0,
    deletedAt: o.deletedAt ?? null,
    observedAt: o.observedAt ?? 0,
    pod: null,
    node: null,
    volume: null,
    claim: null,
    hpa: {
      targetKind: o.target?.kind ?? 'Deployment',
      targetName: o.target?.name ?? o.name,
      minReplicas: o.minReplicas ?? 1,
      maxReplicas: o.maxReplicas ?? 10,
      currentReplicas: replicas,
      desiredReplicas: replicas,
      lastScaleTime: null,
      metrics: [{ type: 'Resource', name: 'cpu', container: null, targetType: 'Utilization', targetAverageUtilizationPercent: o.cpuTargetPercent ?? 60 }],
    },
    workload: null,
    disruptionBudget: null,
  };
}

/** A Deployment or StatefulSet KubeObject with its replica counts. */
export function workloadObject(o: {
  cluster?: string;
  namespace?: string;
  name: string;
  uid?: string;
  controllerKind?: 'Deployment' | 'StatefulSet';
  desiredReplicas?: number;
  readyReplicas?: number;
  labels?: Record<string, string>;
  deletedAt?: number | null;
  observedAt?: number;
}): KubeObject {
  const desired = o.desiredReplicas ?? 1;
  return {
    cluster: o.cluster ?? 'prod',
    kind: 'WORKLOAD',
    uid: o.uid ?? `uid-workload-${o.name}`,
    name: o.name,
    namespace: o.namespace ?? 'default',
    labels: o.labels ?? {},
    resourceVersion: '1',
    createdAt: 0,
    deletedAt: o.deletedAt ?? null,
    observedAt: o.observedAt ?? 0,
    pod: null,
    node: null,
    volume: null,
    claim: null,
    hpa: null,
    workload: { controllerKind: o.controllerKind ?? 'Deployment', desiredReplicas: desired, replicas: desired, readyReplicas: o.readyReplicas ?? desired },
    disruptionBudget: null,
  };
}

/** A policy/v1 PodDisruptionBudget KubeObject over the pods labelled app=<name>, allowing `disruptionsAllowed` of them to go. */
export function disruptionBudgetObject(o: { cluster?: string; namespace?: string; name: string; uid?: string; disruptionsAllowed?: number; observedAt?: number }): KubeObject {
  const allowed = o.disruptionsAllowed ?? 1;
  return {
    cluster: o.cluster ?? 'prod',
    kind: 'POD_DISRUPTION_BUDGET',
    uid: o.uid ?? `uid-pdb-${o.name}`,
    name: o.name,
    namespace: o.namespace ?? 'default',
    labels: {},
    resourceVersion: '1',
    createdAt: 0,
    deletedAt: null,
    observedAt: o.observedAt ?? 0,
    pod: null,
    node: null,
    volume: null,
    claim: null,
    hpa: null,
    workload: null,
    disruptionBudget: {
      minAvailable: null, maxUnavailable: String(allowed), matchLabels: { app: o.name }, matchExpressions: [],
      disruptionsAllowed: allowed, currentHealthy: 3, desiredHealthy: 3 - allowed, expectedPods: 3,
    },
  };
}

/** A price update with unset prices null; override what the case needs. */
export function priceUpdate(o: Partial<PriceUpdate> & Pick<PriceUpdate, 'sku' | 'effectiveFrom'>): PriceUpdate {
  return {
    provider: 'aws',
    region: 'us-east-1',
    zone: null,
    kind: 'NODE',
    capacityType: 'ON_DEMAND',
    hourlyUsd: null,
    cpuCoreHourUsd: null,
    memoryGibHourUsd: null,
    gpuHourUsd: null,
    storageGibMonthUsd: null,
    networkGibUsd: null,
    discount: 0,
    vcpus: null,
    memoryBytes: null,
    gpus: null,
    architecture: null,
    source: 'aws-pricing',
    sourceRef: null,
    observedAt: o.effectiveFrom,
    ...o,
  };
}

/** A usage sample of one container for one window; usage as average cores and GiB. */
export function usageSample(o: {
  cluster?: string;
  namespace?: string;
  podName: string;
  podUid?: string;
  container: string;
  nodeName?: string | null;
  windowStart: number;
  windowSeconds?: number;
  cpuCores: number;
  memoryGib: number;
  networkTxBytes?: number | null;
  gap?: boolean;
}): UsageSample {
  const seconds = o.windowSeconds ?? 60;
  const memory = Math.round(o.memoryGib * GIB);
  return {
    cluster: o.cluster ?? 'prod',
    namespace: o.namespace ?? 'default',
    podUid: o.podUid ?? `uid-${o.podName}`,
    podName: o.podName,
    container: o.container,
    nodeName: o.nodeName ?? null,
    windowStart: o.windowStart,
    windowSeconds: seconds,
    cpuCoreSeconds: o.cpuCores * seconds,
    memoryWorkingSetAvgBytes: memory,
    memoryWorkingSetMaxBytes: memory,
    networkRxBytes: null,
    networkTxBytes: o.networkTxBytes ?? null,
    gap: o.gap ?? false,
    source: 'simulator',
  };
}
