import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CapacityType } from '../../codec/records.generated.js';
import { toKubeObject, type MapContext } from './kube-mapper.js';
import type { KubeResource } from './kube-json.js';
import { SELECTS_NO_POD, type KubePodDisruptionBudget } from './disruption-mapper.js';
import { selectorMatches } from './label-selector.js';
import { capacityTypeOf, providerOf } from './node-mapper.js';
import { noOwners, type OwnerLookup } from './owner-resolver.js';

const fixture = <T = KubeResource>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/kube/${name}`, import.meta.url), 'utf8')) as T;

const OBSERVED = Date.parse('2026-01-03T00:00:00Z');
const context = (extra: Partial<MapContext> = {}): MapContext => ({ cluster: 'prod', observedAt: OBSERVED, deleted: false, owners: noOwners, ...extra });
const replicaSet = fixture<KubeResource & { metadata: { name: string; namespace: string } }>('k8s-replicaset.json');
const replicaSets: OwnerLookup = {
  ownersOf: (kind, namespace, name) =>
    kind === 'ReplicaSet' && namespace === replicaSet.metadata.namespace && name === replicaSet.metadata.name
      ? replicaSet.metadata.ownerReferences ?? []
      : undefined,
};
interface BreakablePod {
  metadata: { uid?: string };
  spec: { containers: Array<{ resources: { requests: Record<string, string> } }> };
  status: { startTime?: string };
}
const pods = fixture<{ items: KubeResource[] }>('k8s-pod-list.json').items;

describe('nodes', () => {
  it('maps the EKS node from its labels, providerID and resources', () => {
    const record = toKubeObject('Node', fixture('k8s-node-eks.json'), context());
    expect(record).toMatchObject({
      cluster: 'prod', kind: 'NODE', uid: 'd06a4e91-b2e9-4907-a60a-66fd3932aaea', name: 'ip-10-0-10-170.ec2.internal',
      namespace: null, resourceVersion: '2161', createdAt: Date.parse('2026-01-02T20:02:19Z'), deletedAt: null, observedAt: OBSERVED,
      pod: null, volume: null, claim: null, hpa: null, workload: null,
    });
    expect(record.node).toEqual({
      provider: 'aws', providerId: 'aws:///us-east-1a/i-08736224042c4ee75', instanceType: 't3.small', region: 'us-east-1', zone: 'us-east-1a',
      capacityType: 'ON_DEMAND', cpuCapacityCores: 2, memoryCapacityBytes: 2_006_286_336, gpuCapacity: 0,
      cpuAllocatableCores: 1.93, memoryAllocatableBytes: 1_507_164_160, gpuAllocatable: 0, gpuModel: null,
    });
  });

  it('maps the 2018 GKE preemptible node from the beta and failure-domain labels', () => {
    expect(toKubeObject('Node', fixture('k8s-node-gke.json'), context()).node).toEqual({
      provider: 'gcp', providerId: 'gce://managedkube/us-central1-c/gke-gar-1-pool-1-dce25db1-2mm5', instanceType: 'n1-standard-1',
      region: 'us-central1', zone: 'us-central1-c', capacityType: 'SPOT', cpuCapacityCores: 1, memoryCapacityBytes: 3_878_518_784,
      gpuCapacity: 0, cpuAllocatableCores: 0.94, memoryAllocatableBytes: 2_767_028_224, gpuAllocatable: 0, gpuModel: null,
    });
  });

  it('counts GPUs and reads the GPU model', () => {
    const node = fixture<KubeResource & { metadata: { labels: Record<string, string> }; status: { capacity: Record<string, string>; allocatable: Record<string, string> } }>('k8s-node-eks.json');
    node.metadata.labels['nvidia.com/gpu.product'] = 'NVIDIA-A10G';
    node.status.capacity['nvidia.com/gpu'] = '4';
    node.status.allocatable['nvidia.com/gpu'] = '3';
    expect(toKubeObject('Node', node, context()).node).toMatchObject({ gpuCapacity: 4, gpuAllocatable: 3, gpuModel: 'NVIDIA-A10G' });
  });

  it.each<[Record<string, string>, CapacityType]>([
    [{ 'eks.amazonaws.com/capacityType': 'SPOT' }, 'SPOT'],
    [{ 'eks.amazonaws.com/capacityType': 'ON_DEMAND' }, 'ON_DEMAND'],
    [{ 'karpenter.sh/capacity-type': 'spot' }, 'SPOT'],
    [{ 'karpenter.sh/capacity-type': 'on-demand' }, 'ON_DEMAND'],
    [{ 'karpenter.sh/capacity-type': 'reserved' }, 'RESERVED'],
    [{ 'cloud.google.com/gke-spot': 'true', 'cloud.google.com/gke-nodepool': 'p' }, 'SPOT'],
    [{ 'cloud.google.com/gke-preemptible': 'true' }, 'SPOT'],
    [{ 'cloud.google.com/gke-nodepool': 'default-pool' }, 'ON_DEMAND'],
    [{ 'kubernetes.azure.com/scalesetpriority': 'spot' }, 'SPOT'],
    [{ 'kubernetes.azure.com/agentpool': 'nodepool1' }, 'ON_DEMAND'],
    [{ 'node.kubernetes.io/lifecycle': 'spot' }, 'SPOT'],
    [{ 'kubernetes.io/hostname': 'rack-1' }, 'UNKNOWN'],
  ])('capacity type of %j is %s', (labels, expected) => {
    expect(capacityTypeOf(labels)).toBe(expected);
  });

  it.each([
    ['aws:///us-east-1a/i-1', 'aws'],
    ['gce://project/us-central1-c/vm', 'gcp'],
    ['azure:///subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachineScaleSets/z/virtualMachines/0', 'azure'],
    ['kind://docker/kind/kind-control-plane', 'unknown'],
    [undefined, 'unknown'],
  ])('provider of %s is %s', (providerId, expected) => {
    expect(providerOf(providerId)).toBe(expected);
  });

  it('rejects a node without allocatable memory, naming the node', () => {
    const node = fixture<KubeResource & { status: { allocatable: Record<string, string> } }>('k8s-node-eks.json');
    delete node.status.allocatable.memory;
    expect(() => toKubeObject('Node', node, context())).toThrow(/Node ip-10-0-10-170.ec2.internal status.allocatable: no memory/);
  });
});

describe('pods', () => {
  it('maps the EKS coredns pod, resolving its ReplicaSet to the Deployment through the cache', () => {
    const record = toKubeObject('Pod', pods[0]!, context({ owners: replicaSets }));
    expect(record).toMatchObject({ kind: 'POD', namespace: 'kube-system', uid: '3032ab28-3ae1-44a6-9fb6-28f57a24e176', resourceVersion: '1285', node: null });
    expect(record.pod).toEqual({
      nodeName: 'ip-10-0-10-170.ec2.internal', phase: 'Running', startedAt: Date.parse('2026-01-02T20:02:30Z'), endedAt: null,
      workload: { kind: 'Deployment', name: 'coredns' },
      containers: [{ name: 'coredns', cpuRequestCores: 0.1, cpuLimitCores: null, memoryRequestBytes: 73_400_320, memoryLimitBytes: 178_257_920, gpuRequest: 0, gpuLimit: null, restartCount: 0, lastTerminationReason: null, lastTerminatedAt: null }],
      claimNames: [],
    });
  });

  it('maps the GKE prometheus pod: app containers only, its claim, and the Deployment from the pod-template-hash', () => {
    expect(toKubeObject('Pod', pods[1]!, context()).pod).toEqual({
      nodeName: 'gke-gar-1-pool-1-acc63c03-7zvd', phase: 'Running', startedAt: Date.parse('2018-11-06T19:22:08Z'), endedAt: null,
      workload: { kind: 'Deployment', name: 'cost-attribution-prometheus' },
      containers: [{ name: 'prometheus', cpuRequestCores: 0.25, cpuLimitCores: 4, memoryRequestBytes: 262_144_000, memoryLimitBytes: 4_194_304_000, gpuRequest: 0, gpuLimit: null, restartCount: 0, lastTerminationReason: null, lastTerminatedAt: null }],
      claimNames: ['cost-attribution-data'],
    });
  });

  it("carries each container's restart count and last termination, OOMKilled above all, matched by container name", () => {
    const pod = structuredClone(pods[0]!) as KubeResource & { status: { containerStatuses: unknown[] } };
    pod.status.containerStatuses = [
      { name: 'coredns', restartCount: 3, state: { running: { startedAt: '2026-01-03T10:00:05Z' } }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-01-03T10:00:00Z' } } },
    ];
    expect(toKubeObject('Pod', pod, context()).pod?.containers[0]).toMatchObject({ restartCount: 3, lastTerminationReason: 'OOMKilled', lastTerminatedAt: Date.parse('2026-01-03T10:00:00Z') });
    // Terminated now and not restarted yet: the termination is in state, not lastState.
    pod.status.containerStatuses = [{ name: 'coredns', restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1, finishedAt: '2026-01-03T11:00:00Z' } }, lastState: {} }];
    expect(toKubeObject('Pod', pod, context()).pod?.containers[0]).toMatchObject({ restartCount: 0, lastTerminationReason: 'Error', lastTerminatedAt: Date.parse('2026-01-03T11:00:00Z') });
  });

  it.each([
    ['a Job owned by a CronJob', { kind: 'Job', name: 'backup-29000000' }, [{ kind: 'CronJob', name: 'backup', controller: true }], { kind: 'CronJob', name: 'backup' }],
    ['a Job of its own', { kind: 'Job', name: 'migrate' }, [], { kind: 'Job', name: 'migrate' }],
    ['a StatefulSet', { kind: 'StatefulSet', name: 'db' }, undefined, { kind: 'StatefulSet', name: 'db' }],
    ['a DaemonSet', { kind: 'DaemonSet', name: 'fluentd' }, undefined, { kind: 'DaemonSet', name: 'fluentd' }],
  ])('resolves a pod owned by %s', (_, owner, parents, expected) => {
    const pod = { ...pods[0]!, metadata: { ...pods[0]!.metadata, labels: {}, ownerReferences: [{ ...owner, controller: true }] } };
    const owners: OwnerLookup = { ownersOf: (kind, _ns, name) => (kind === owner.kind && name === owner.name ? parents : undefined) };
    expect(toKubeObject('Pod', pod, context({ owners })).pod?.workload).toEqual(expected);
  });

  it('has no workload for a bare pod', () => {
    const pod = { ...pods[0]!, metadata: { ...pods[0]!.metadata, ownerReferences: [] } };
    expect(toKubeObject('Pod', pod, context()).pod?.workload).toBeNull();
  });

  it('ends a finished pod when its last container terminated', () => {
    const pod = structuredClone(pods[0]!) as KubeResource & { status: Record<string, unknown> };
    pod.status.phase = 'Succeeded';
    pod.status.containerStatuses = [
      { name: 'a', state: { terminated: { finishedAt: '2026-01-02T21:00:00Z' } } },
      { name: 'b', state: { terminated: { finishedAt: '2026-01-02T21:05:00Z' } } },
    ];
    expect(toKubeObject('Pod', pod, context()).pod).toMatchObject({ phase: 'Succeeded', endedAt: Date.parse('2026-01-02T21:05:00Z') });
  });

  it('publishes a deletion as the last state, ended at its deletionTimestamp', () => {
    const deleted = JSON.parse(readFileSync(new URL('../../../test/fixtures/kube/k8s-watch-pods.jsonl', import.meta.url), 'utf8').trim().split('\n')[4]!) as { object: KubeResource };
    const record = toKubeObject('Pod', deleted.object, context({ deleted: true }));
    expect(record).toMatchObject({ resourceVersion: '2651', deletedAt: Date.parse('2026-01-02T20:45:12Z') });
    expect(record.pod?.endedAt).toBe(Date.parse('2026-01-02T20:45:12Z'));
  });

  it('reads GPU requests, defaulting the request to the limit', () => {
    const pod = structuredClone(pods[0]!) as KubeResource & { spec: { containers: Array<{ resources: unknown }> } };
    pod.spec.containers[0]!.resources = { limits: { 'nvidia.com/gpu': '2', cpu: '1' } };
    expect(toKubeObject('Pod', pod, context()).pod?.containers[0]).toMatchObject({ gpuRequest: 2, gpuLimit: 2, cpuRequestCores: 0, cpuLimitCores: 1 });
  });

  it.each([
    ['an unreadable quantity', (p: BreakablePod) => (p.spec.containers[0]!.resources.requests.cpu = 'lots'), /requests\.cpu: "lots" is not a Kubernetes quantity/],
    ['no uid', (p: BreakablePod) => delete p.metadata.uid, /Pod kube-system\/coredns-789f8477df-knmwr: no metadata.uid/],
    ['a bad timestamp', (p: BreakablePod) => (p.status.startTime = 'yesterday'), /status.startTime: "yesterday" is not a timestamp/],
  ])('rejects a pod with %s', (_, breakIt, message) => {
    const pod = structuredClone(pods[0]!) as BreakablePod;
    breakIt(pod);
    expect(() => toKubeObject('Pod', pod, context())).toThrow(message);
  });
});

describe('volumes, claims and namespaces', () => {
  it('maps the GKE persistent volume with its claim, plugin and region', () => {
    const record = toKubeObject('PersistentVolume', fixture('k8s-pv.json'), context());
    expect(record).toMatchObject({ kind: 'PERSISTENT_VOLUME', namespace: null, name: 'pvc-fd986382-eddb-11e8-910e-42010a800036' });
    expect(record.volume).toEqual({
      capacityBytes: 53_687_091_200, storageClass: 'standard', claimNamespace: 'test-ns', claimName: 'cost-attribution-data',
      driver: 'gcePersistentDisk', region: 'us-central1', local: false,
      providerVolumeId: 'gke-gar-2-702b8e2e-dyn-pvc-fd986382-eddb-11e8-910e-42010a800036',
    });
  });

  it.each([
    ['spec.local', { local: { path: '/mnt/disks/ssd1' } }, true],
    ['spec.hostPath', { hostPath: { path: '/data/pv0001', type: 'DirectoryOrCreate' } }, true],
    ['a CSI volume', { csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0a1b' } }, false],
    ['an NFS volume', { nfs: { server: 'nfs.example.com', path: '/exports' } }, false],
  ])('marks local storage: %s', (_, source, local) => {
    const volume = { metadata: { uid: 'u', name: 'pv-local', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { capacity: { storage: '375Gi' }, storageClassName: 'local-storage', ...source } };
    expect(toKubeObject('PersistentVolume', volume, context()).volume?.local).toBe(local);
  });

  it.each([
    ['an EBS CSI volume', { csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0a1b2c3d4e5f60718' } }, 'vol-0a1b2c3d4e5f60718'],
    ['an in-tree EBS volume (aws://zone/vol-…)', { awsElasticBlockStore: { volumeID: 'aws://us-east-1a/vol-0a1b2c3d4e5f60718' } }, 'vol-0a1b2c3d4e5f60718'],
    ['a GCE PD CSI volume', { csi: { driver: 'pd.csi.storage.gke.io', volumeHandle: 'projects/p/zones/europe-west1-b/disks/pvc-1' } }, 'projects/p/zones/europe-west1-b/disks/pvc-1'],
    ['an in-tree Azure disk', { azureDisk: { diskName: 'd', diskURI: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/pvc-2' } }, '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/pvc-2'],
    ['an NFS volume', { nfs: { server: 'nfs.example.com', path: '/exports' } }, null],
    ['a local volume', { local: { path: '/mnt/disks/ssd1' } }, null],
  ])('reads the provider\'s disk id the bill names: %s', (_, source, id) => {
    const volume = { metadata: { uid: 'u', name: 'pv-1', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { capacity: { storage: '10Gi' }, storageClassName: 'gp3', ...source } };
    expect(toKubeObject('PersistentVolume', volume, context()).volume?.providerVolumeId).toBe(id);
  });

  it('reads a CSI driver and the region from node affinity', () => {
    const volume = {
      metadata: { uid: 'u', name: 'pv-1', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        capacity: { storage: '100Gi' }, csi: { driver: 'ebs.csi.aws.com' }, storageClassName: 'gp3',
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/region', values: ['eu-west-1'] }] }] } },
      },
    };
    expect(toKubeObject('PersistentVolume', volume, context()).volume).toMatchObject({ driver: 'ebs.csi.aws.com', region: 'eu-west-1', capacityBytes: 107_374_182_400 });
  });

  it('maps the claim', () => {
    const record = toKubeObject('PersistentVolumeClaim', fixture('k8s-pvc.json'), context());
    expect(record).toMatchObject({ namespace: 'default', name: 'www-nginx-sts-0', labels: { app: 'nginx-sts' } });
    expect(record.claim).toEqual({ volumeName: 'pvc-fbabd470-8725-11e9-a8e8-42010a80015b', storageClass: 'standard', requestBytes: 1_048_576, capacityBytes: 1_073_741_824, phase: 'Bound' });
  });

  it('maps a namespace with its labels and no state', () => {
    const ns = { metadata: { uid: 'ns-1', name: 'team-a', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z', labels: { team: 'a' } } };
    expect(toKubeObject('Namespace', ns, context())).toEqual({
      cluster: 'prod', kind: 'NAMESPACE', uid: 'ns-1', name: 'team-a', namespace: null, labels: { team: 'a' }, resourceVersion: '7',
      createdAt: Date.parse('2026-01-01T00:00:00Z'), deletedAt: null, observedAt: OBSERVED, pod: null, node: null, volume: null, claim: null, hpa: null, workload: null, disruptionBudget: null,
    });
  });

  it('accepts Date timestamps as the client deserialises list items', () => {
    const ns = { metadata: { uid: 'ns-1', name: 'team-a', creationTimestamp: new Date('2026-01-01T00:00:00Z') } };
    expect(toKubeObject('Namespace', ns, context()).createdAt).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });
});

describe('autoscalers and workloads', () => {
  const hpas = fixture<{ items: KubeResource[] }>('k8s-hpa-list.json').items;

  it('maps the php-apache autoscaler: its target, bounds, replicas, last scale and CPU target', () => {
    const record = toKubeObject('HorizontalPodAutoscaler', hpas[0]!, context());
    expect(record).toMatchObject({
      kind: 'HORIZONTAL_POD_AUTOSCALER', uid: '3d6f6cb2-1f29-4a8e-9d5e-6c1e2b0c7a41', name: 'php-apache', namespace: 'default', resourceVersion: '2461',
      pod: null, node: null, volume: null, claim: null, workload: null,
    });
    expect(record.hpa).toEqual({
      targetKind: 'Deployment', targetName: 'php-apache', minReplicas: 1, maxReplicas: 10, currentReplicas: 7, desiredReplicas: 7,
      lastScaleTime: Date.parse('2026-01-02T20:21:48Z'),
      metrics: [{ type: 'Resource', name: 'cpu', container: null, targetType: 'Utilization', targetAverageUtilizationPercent: 50 }],
    });
  });

  it('lists every metric of the frontend autoscaler by name, with a utilization only where the target is one', () => {
    expect(toKubeObject('HorizontalPodAutoscaler', hpas[1]!, context()).hpa).toEqual({
      targetKind: 'Deployment', targetName: 'frontend', minReplicas: 2, maxReplicas: 20, currentReplicas: 2, desiredReplicas: 3, lastScaleTime: null,
      metrics: [
        { type: 'Resource', name: 'cpu', container: null, targetType: 'Utilization', targetAverageUtilizationPercent: 50 },
        { type: 'ContainerResource', name: 'memory', container: 'application', targetType: 'Utilization', targetAverageUtilizationPercent: 70 },
        { type: 'Pods', name: 'packets-per-second', container: null, targetType: 'AverageValue', targetAverageUtilizationPercent: null },
        { type: 'Object', name: 'requests-per-second', container: null, targetType: 'Value', targetAverageUtilizationPercent: null },
        { type: 'External', name: 'queue_messages_ready', container: null, targetType: 'AverageValue', targetAverageUtilizationPercent: null },
      ],
    });
  });

  it("fills in the API server's defaults: 1 min replica and 80 % CPU when no metric is given", () => {
    const bare = { metadata: { uid: 'h', name: 'web', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { scaleTargetRef: { kind: 'StatefulSet', name: 'web' }, maxReplicas: 4 } };
    expect(toKubeObject('HorizontalPodAutoscaler', bare, context()).hpa).toEqual({
      targetKind: 'StatefulSet', targetName: 'web', minReplicas: 1, maxReplicas: 4, currentReplicas: 0, desiredReplicas: 0, lastScaleTime: null,
      metrics: [{ type: 'Resource', name: 'cpu', container: null, targetType: 'Utilization', targetAverageUtilizationPercent: 80 }],
    });
  });

  it.each([
    ['no scale target', (h: { spec: Record<string, unknown> }) => delete h.spec.scaleTargetRef, /HorizontalPodAutoscaler default\/php-apache: no spec.scaleTargetRef/],
    ['no maxReplicas', (h: { spec: Record<string, unknown> }) => delete h.spec.maxReplicas, /no spec.maxReplicas/],
    ['a fractional replica count', (h: { spec: Record<string, unknown> }) => (h.spec.minReplicas = 1.5), /spec.minReplicas: 1.5 is not a replica count/],
  ])('rejects an autoscaler with %s', (_, breakIt, message) => {
    const hpa = structuredClone(hpas[0]!) as KubeResource & { spec: Record<string, unknown> };
    breakIt(hpa);
    expect(() => toKubeObject('HorizontalPodAutoscaler', hpa, context())).toThrow(message);
  });

  it('maps a Deployment and a StatefulSet to WORKLOAD with their replica counts, named as pods name their workload', () => {
    const deployment = toKubeObject('Deployment', fixture<{ items: KubeResource[] }>('k8s-deployment-list.json').items[0]!, context());
    expect(deployment).toMatchObject({ kind: 'WORKLOAD', name: 'coredns', namespace: 'kube-system', uid: '9a889c5f-9da2-4168-84fc-56f462f726e3', hpa: null, pod: null });
    expect(deployment.workload).toEqual({ controllerKind: 'Deployment', desiredReplicas: 2, replicas: 2, readyReplicas: 2 });
    // The coredns pod resolves to the same kind and name, so the two join.
    expect(toKubeObject('Pod', pods[0]!, context({ owners: replicaSets })).pod?.workload).toEqual({ kind: deployment.workload?.controllerKind, name: deployment.name });
    const statefulSet = toKubeObject('StatefulSet', fixture<{ items: KubeResource[] }>('k8s-statefulset-list.json').items[0]!, context());
    expect(statefulSet).toMatchObject({ kind: 'WORKLOAD', name: 'nginx-sts', namespace: 'default' });
    expect(statefulSet.workload).toEqual({ controllerKind: 'StatefulSet', desiredReplicas: 3, replicas: 2, readyReplicas: 1 });
  });

  it('reads a workload without spec.replicas or status as the API server defaults it: 1 desired, none running', () => {
    const fresh = { metadata: { uid: 'd', name: 'api', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: {} };
    expect(toKubeObject('Deployment', fresh, context()).workload).toEqual({ controllerKind: 'Deployment', desiredReplicas: 1, replicas: 0, readyReplicas: 0 });
  });
});

describe('pod disruption budgets', () => {
  const budgets = fixture<{ items: KubeResource[] }>('k8s-pdb-list.json').items;

  it('maps the coredns budget: its bound as given, its selector and the disruption controller\'s counts', () => {
    const record = toKubeObject('PodDisruptionBudget', budgets[0]!, context());
    expect(record).toMatchObject({
      kind: 'POD_DISRUPTION_BUDGET', name: 'coredns', namespace: 'kube-system', uid: '5c1b7e0e-6a3f-4c8d-9f0e-2b7d4a6e8c13', resourceVersion: '1302',
      pod: null, node: null, volume: null, claim: null, hpa: null, workload: null,
    });
    expect(record.disruptionBudget).toEqual({
      minAvailable: null, maxUnavailable: '1', matchLabels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' }, matchExpressions: [],
      disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2,
    });
  });

  it('keeps a percent as written and every match expression, and says when no disruption is allowed', () => {
    expect(toKubeObject('PodDisruptionBudget', budgets[1]!, context()).disruptionBudget).toMatchObject({ minAvailable: '2', maxUnavailable: null, disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3 });
    expect(toKubeObject('PodDisruptionBudget', budgets[2]!, context()).disruptionBudget).toEqual({
      minAvailable: null, maxUnavailable: '50%', matchLabels: { tier: 'web' },
      matchExpressions: [{ key: 'app', operator: 'In', values: ['storefront', 'checkout'] }, { key: 'canary', operator: 'DoesNotExist', values: [] }],
      disruptionsAllowed: 2, currentHealthy: 4, desiredHealthy: 2, expectedPods: 4,
    });
  });

  it('selects the pods Kubernetes would: the coredns budget covers the coredns pod and not prometheus', () => {
    const budget = toKubeObject('PodDisruptionBudget', budgets[0]!, context()).disruptionBudget!;
    const [coredns, prometheus] = pods.map((p) => toKubeObject('Pod', p, context()));
    expect([coredns, prometheus].map((p) => selectorMatches(p!.labels, budget.matchLabels, budget.matchExpressions))).toEqual([true, false]);
  });

  it('reads a budget the disruption controller has not looked at yet as allowing nothing, and one without a selector as selecting no pod', () => {
    const fresh: KubePodDisruptionBudget = { metadata: { uid: 'p', name: 'api', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { minAvailable: '100%' } };
    const state = toKubeObject('PodDisruptionBudget', fresh, context()).disruptionBudget!;
    expect(state).toEqual({ minAvailable: '100%', maxUnavailable: null, matchLabels: {}, matchExpressions: [SELECTS_NO_POD], disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    expect(selectorMatches({ app: 'api' }, state.matchLabels, state.matchExpressions)).toBe(false);
    // An empty selector, by contrast, covers every pod of the namespace.
    const allOfNamespace: KubePodDisruptionBudget = { ...fresh, spec: { maxUnavailable: 1, selector: {} } };
    const everyPod = toKubeObject('PodDisruptionBudget', allOfNamespace, context()).disruptionBudget!;
    expect(selectorMatches({ app: 'api' }, everyPod.matchLabels, everyPod.matchExpressions)).toBe(true);
  });

  it.each([
    ['an unknown operator', (b: { spec: Record<string, unknown> }) => (b.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Matches', values: ['x'] }] }), /PodDisruptionBudget shop\/web-pdb spec.selector.matchExpressions\[0\]: operator "Matches" is not In, NotIn, Exists or DoesNotExist/],
    ['a bound that is neither a count nor a percent', (b: { spec: Record<string, unknown> }) => (b.spec.maxUnavailable = 'half'), /spec.maxUnavailable: "half" is neither a count nor a percent/],
    ['a negative count', (b: { spec: Record<string, unknown> }) => (b.spec.minAvailable = -1), /spec.minAvailable: -1 is not a count/],
  ])('rejects a budget with %s, naming it', (_, breakIt, message) => {
    const budget = structuredClone(budgets[2]!) as KubeResource & { spec: Record<string, unknown> };
    breakIt(budget);
    expect(() => toKubeObject('PodDisruptionBudget', budget, context())).toThrow(message);
  });
});
