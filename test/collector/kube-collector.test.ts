import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { loadKubeConfig } from '../../services/collector/kube-connection.js';
import { buildKubeCollector, type KubeCollector } from '../../services/collector/kube/kube-collector.js';
import type { KubeObject } from '../../services/codec/records.generated.js';
import { BatchingProducer } from '../../services/kafka/batching-producer.js';
import { TOPICS } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { goneEvent, kubeFixture, list, startFakeKubeApi, watchFixture, type FakeKubeApi } from './kube-fake-api.js';

const NOW = Date.parse('2026-01-03T00:00:00Z');
const DELETION = Date.parse('2026-01-02T20:45:12Z');

type Pod = { metadata: Record<string, unknown>; spec: Record<string, unknown>; status: Record<string, unknown> };
const events = watchFixture();
const podItems = kubeFixture<{ items: Pod[] }>('k8s-pod-list.json').items;
const knmwr = podItems[0]!;
const psws6 = events[1]!.object as Pod;
const knmwrDeleting = events[2]!.object as Pod;
const bookmark = events[3]!;
const knmwrDeleted = { ...events[4]!, object: { ...events[4]!.object, metadata: { ...(events[4]!.object as Pod).metadata, resourceVersion: '2701' } } };

/** A pod of the fixture's coredns ReplicaSet with a new name, uid and resourceVersion. */
function corednsPod(name: string, uid: string, resourceVersion: string, change: (pod: Pod) => void = () => {}): Pod {
  const pod = structuredClone(psws6);
  Object.assign(pod.metadata, { name, uid, resourceVersion });
  change(pod);
  return pod;
}

const later = corednsPod('coredns-789f8477df-later', 'uid-later', '2580');
const malformed = corednsPod('coredns-789f8477df-broken', 'uid-broken', '2578', (pod) => {
  ((pod.spec.containers as Array<{ resources: { requests: Record<string, string> } }>)[0]!.resources.requests).cpu = 'lots';
});
type Scaling = { metadata: Record<string, unknown>; spec: Record<string, unknown>; status: Record<string, unknown> };
const [phpApache, frontend] = kubeFixture<{ items: Scaling[] }>('k8s-hpa-list.json').items;
const coredns = kubeFixture<{ items: Scaling[] }>('k8s-deployment-list.json').items[0]!;
const nginxSts = kubeFixture<{ items: Scaling[] }>('k8s-statefulset-list.json').items[0]!;
const SCALED_AT = '2026-01-02T20:40:03Z';
/** The HPA's scale-up as its watch reports it: a new status and resourceVersion. */
const phpApacheScaled = { type: 'MODIFIED', object: { ...structuredClone(phpApache!), metadata: { ...phpApache!.metadata, resourceVersion: '2610' }, status: { ...phpApache!.status, currentReplicas: 7, desiredReplicas: 9, lastScaleTime: SCALED_AT } } };
const corednsScaled = { type: 'MODIFIED', object: { ...structuredClone(coredns), metadata: { ...coredns.metadata, resourceVersion: '2611' }, spec: { ...coredns.spec, replicas: 9 }, status: { ...coredns.status, replicas: 9, readyReplicas: 7 } } };
const [corednsBudget, zkBudget] = kubeFixture<{ items: Scaling[] }>('k8s-pdb-list.json').items;
/** The coredns budget after a node drain took one replica: no disruption allowed until it is back. */
const corednsBudgetExhausted = { type: 'MODIFIED', object: { ...structuredClone(corednsBudget!), metadata: { ...corednsBudget!.metadata, resourceVersion: '2613' }, status: { ...corednsBudget!.status, disruptionsAllowed: 0, currentHealthy: 1 } } };
const zkBudgetDeleted = { type: 'DELETED', object: { ...structuredClone(zkBudget!), metadata: { ...zkBudget!.metadata, resourceVersion: '2614' } } };
const nginxStsDeleted = { type: 'DELETED', object: { ...structuredClone(nginxSts), metadata: { ...nginxSts.metadata, resourceVersion: '2612' } } };

const psws6Finished = corednsPod('coredns-789f8477df-psws6', psws6.metadata.uid as string, '2690', (pod) => {
  pod.status.phase = 'Succeeded';
  pod.status.containerStatuses = [{ name: 'coredns', state: { terminated: { exitCode: 0, finishedAt: '2026-01-02T22:00:00Z' } } }];
});

describe('kcost collect kube against a replayed API server', () => {
  let api: FakeKubeApi;
  let producer: Producer;
  let consumer: Consumer;
  let collector: KubeCollector;
  const registry = new Registry();
  const received: KubeObject[] = [];
  const keys: string[] = [];

  beforeAll(async () => {
    api = await startFakeKubeApi({
      '/apis/apps/v1/replicasets': { lists: [list('ReplicaSetList', '2500', [kubeFixture('k8s-replicaset.json')])] },
      '/apis/batch/v1/jobs': { lists: [list('JobList', '2500', [])] },
      '/api/v1/namespaces': { lists: [list('NamespaceList', '2500', [{ metadata: { name: 'kube-system', uid: 'ns-kube-system', resourceVersion: '4', creationTimestamp: '2026-01-02T19:57:00Z' } }])] },
      '/api/v1/nodes': { lists: [list('NodeList', '2500', [kubeFixture('k8s-node-eks.json')])] },
      '/api/v1/persistentvolumes': { lists: [list('PersistentVolumeList', '2500', [kubeFixture('k8s-pv.json')])] },
      '/api/v1/persistentvolumeclaims': { lists: [list('PersistentVolumeClaimList', '2500', [kubeFixture('k8s-pvc.json')])] },
      '/apis/autoscaling/v2/horizontalpodautoscalers': { lists: [kubeFixture('k8s-hpa-list.json')], watches: [{ events: [phpApacheScaled], end: 'hold' }] },
      '/apis/apps/v1/deployments': { lists: [kubeFixture('k8s-deployment-list.json')], watches: [{ events: [corednsScaled], end: 'hold' }] },
      '/apis/apps/v1/statefulsets': { lists: [kubeFixture('k8s-statefulset-list.json')], watches: [{ events: [nginxStsDeleted], end: 'hold' }] },
      '/apis/policy/v1/poddisruptionbudgets': { lists: [kubeFixture('k8s-pdb-list.json')], watches: [{ events: [corednsBudgetExhausted, zkBudgetDeleted], end: 'hold' }] },
      '/api/v1/pods': {
        lists: [list('PodList', '2575', [knmwr]), list('PodList', '2700', [knmwrDeleting, psws6Finished, malformed])],
        watches: [
          // From the list: two pods arrive, a malformed one in between, then the stream breaks mid-event.
          { events: [events[1]!, { type: 'ADDED', object: malformed }, { type: 'ADDED', object: later }], end: 'break' },
          // Resumed: graceful deletion begins, a bookmark, then 410 Gone ends the stream.
          { events: [events[2]!, bookmark, goneEvent()], end: 'close' },
          // After the relist: the pod is deleted.
          { events: [knmwrDeleted], end: 'hold' },
        ],
      },
    });
    const kafka = testKafka();
    const [topic] = await createTestTopics(kafka, [TOPICS.kube]);
    producer = kafka.producer();
    await producer.connect();
    const publisher = new BatchingProducer({ producer, codec: testCodec(), logger: silentLogger(), lingerMillis: 5 });
    collector = buildKubeCollector(
      { kubeConfig: loadKubeConfig({ kubeconfig: api.writeKubeconfig(), context: '' }), publisher, logger: silentLogger(), registry, clock: () => NOW },
      { cluster: 'prod', topic: topic!.name, resyncMillis: 0, reconnectInitialMillis: 20, reconnectMaxMillis: 200, listPageSize: 500 },
    );
    consumer = kafka.consumer({ groupId: uniqueName('kube-collector-test') });
    await consumer.connect();
    await consumer.subscribe({ topic: topic!.name, fromBeginning: true });
    const codec = testCodec();
    await consumer.run({
      eachMessage: async ({ message }) => {
        keys.push(message.key?.toString() ?? '');
        received.push(await codec.decodeAs('KubeObject', message.value!));
      },
    });
    await collector.start();
  });

  afterAll(async () => {
    await collector?.stop();
    await consumer?.disconnect();
    await producer?.disconnect();
    await api?.close();
  });

  const podStates = (uid: string) => received.filter((r) => r.kind === 'POD' && r.uid === uid);

  it('publishes every listed and watched state, including the relist after 410 Gone and the deletion', async () => {
    await waitFor(() => podStates(knmwr.metadata.uid as string).some((r) => r.resourceVersion === '2701'), 30_000, 'the DELETED event');
    await waitFor(() => received.length >= 10, 10_000, 'all records');

    const summary = (uid: string) => podStates(uid).map((r) => [r.resourceVersion, r.pod?.phase, r.deletedAt, r.pod?.endedAt]);
    expect(summary(knmwr.metadata.uid as string)).toEqual([
      ['1285', 'Running', null, null],
      ['2612', 'Running', DELETION, DELETION],
      ['2701', 'Running', DELETION, DELETION],
    ]);
    expect(summary(psws6.metadata.uid as string)).toEqual([
      ['1274', 'Running', null, null],
      ['2690', 'Succeeded', null, Date.parse('2026-01-02T22:00:00Z')],
    ]);
    // Missing from the relist: deleted while the watch was gone, so it ends when the collector noticed.
    expect(summary('uid-later')).toEqual([
      ['2580', 'Running', null, null],
      ['2580', 'Running', NOW, NOW],
    ]);
    expect(received.every((r) => r.kind !== 'POD' || r.pod?.workload?.name === 'coredns')).toBe(true);
    expect(keys).toContain(`prod/POD/${knmwr.metadata.uid as string}`);
  });

  it('resumes the watch from the last resourceVersion after a break and relists after 410', () => {
    const pods = api.requests.filter((r) => r.startsWith('/api/v1/pods'));
    expect(pods).toEqual([
      '/api/v1/pods?limit=500',
      '/api/v1/pods?watch=true&resourceVersion=2575',
      '/api/v1/pods?watch=true&resourceVersion=2580',
      '/api/v1/pods?limit=500',
      '/api/v1/pods?watch=true&resourceVersion=2700',
    ]);
  });

  it('publishes nodes, volumes, claims and namespaces as their full state', () => {
    expect(received.find((r) => r.kind === 'NODE')).toEqual({
      cluster: 'prod', kind: 'NODE', uid: 'd06a4e91-b2e9-4907-a60a-66fd3932aaea', name: 'ip-10-0-10-170.ec2.internal', namespace: null,
      labels: (kubeFixture<{ metadata: { labels: Record<string, string> } }>('k8s-node-eks.json')).metadata.labels,
      resourceVersion: '2161', createdAt: Date.parse('2026-01-02T20:02:19Z'), deletedAt: null, observedAt: NOW, pod: null, volume: null, claim: null, hpa: null, workload: null, disruptionBudget: null,
      node: {
        provider: 'aws', providerId: 'aws:///us-east-1a/i-08736224042c4ee75', instanceType: 't3.small', region: 'us-east-1', zone: 'us-east-1a',
        capacityType: 'ON_DEMAND', cpuCapacityCores: 2, memoryCapacityBytes: 2_006_286_336, gpuCapacity: 0, cpuAllocatableCores: 1.93,
        memoryAllocatableBytes: 1_507_164_160, gpuAllocatable: 0, gpuModel: null,
      },
    });
    expect(received.find((r) => r.kind === 'PERSISTENT_VOLUME')?.volume).toEqual({
      capacityBytes: 53_687_091_200, storageClass: 'standard', claimNamespace: 'test-ns', claimName: 'cost-attribution-data', driver: 'gcePersistentDisk', region: 'us-central1', local: false,
      providerVolumeId: 'gke-gar-2-702b8e2e-dyn-pvc-fd986382-eddb-11e8-910e-42010a800036',
    });
    expect(received.find((r) => r.kind === 'PERSISTENT_VOLUME_CLAIM')?.claim).toEqual({
      volumeName: 'pvc-fbabd470-8725-11e9-a8e8-42010a80015b', storageClass: 'standard', requestBytes: 1_048_576, capacityBytes: 1_073_741_824, phase: 'Bound',
    });
    expect(received.filter((r) => r.kind === 'NAMESPACE').map((r) => r.name)).toEqual(['kube-system']);
  });

  it('publishes autoscalers and workloads as listed, then each watched change and deletion, keyed cluster/kind/uid', async () => {
    const states = (uid: unknown) => received.filter((r) => r.uid === uid);
    await waitFor(() => states(phpApache!.metadata.uid).length >= 2 && states(coredns.metadata.uid).length >= 2 && states(nginxSts.metadata.uid).length >= 2, 30_000, 'the scaling watch events');

    expect(states(phpApache!.metadata.uid).map((r) => [r.kind, r.namespace, r.resourceVersion, r.hpa?.currentReplicas, r.hpa?.desiredReplicas, r.hpa?.lastScaleTime])).toEqual([
      ['HORIZONTAL_POD_AUTOSCALER', 'default', '2461', 7, 7, Date.parse('2026-01-02T20:21:48Z')],
      ['HORIZONTAL_POD_AUTOSCALER', 'default', '2610', 7, 9, Date.parse(SCALED_AT)],
    ]);
    expect(states(phpApache!.metadata.uid)[0]?.hpa).toMatchObject({ targetKind: 'Deployment', targetName: 'php-apache', minReplicas: 1, maxReplicas: 10 });
    expect(states(frontend!.metadata.uid)[0]?.hpa?.metrics.map((m) => [m.type, m.name, m.targetAverageUtilizationPercent])).toEqual([
      ['Resource', 'cpu', 50], ['ContainerResource', 'memory', 70], ['Pods', 'packets-per-second', null], ['Object', 'requests-per-second', null], ['External', 'queue_messages_ready', null],
    ]);
    expect(states(coredns.metadata.uid).map((r) => [r.kind, r.name, r.resourceVersion, r.workload])).toEqual([
      ['WORKLOAD', 'coredns', '1290', { controllerKind: 'Deployment', desiredReplicas: 2, replicas: 2, readyReplicas: 2 }],
      ['WORKLOAD', 'coredns', '2611', { controllerKind: 'Deployment', desiredReplicas: 9, replicas: 9, readyReplicas: 7 }],
    ]);
    expect(states(nginxSts.metadata.uid).map((r) => [r.kind, r.resourceVersion, r.deletedAt, r.workload?.controllerKind, r.workload?.desiredReplicas])).toEqual([
      ['WORKLOAD', '26769901', null, 'StatefulSet', 3],
      ['WORKLOAD', '2612', NOW, 'StatefulSet', 3],
    ]);
    // The pods of the coredns Deployment name the workload the WORKLOAD record describes.
    expect(received.filter((r) => r.kind === 'POD').every((r) => r.pod?.workload?.kind === 'Deployment' && r.pod.workload.name === 'coredns')).toBe(true);
    for (const uid of [phpApache!.metadata.uid, frontend!.metadata.uid]) expect(keys).toContain(`prod/HORIZONTAL_POD_AUTOSCALER/${uid as string}`);
    for (const uid of [coredns.metadata.uid, nginxSts.metadata.uid]) expect(keys).toContain(`prod/WORKLOAD/${uid as string}`);
    for (const path of ['/apis/autoscaling/v2/horizontalpodautoscalers', '/apis/apps/v1/deployments', '/apis/apps/v1/statefulsets']) {
      expect(api.requests.filter((r) => r.startsWith(`${path}?`))).toEqual([`${path}?limit=500`, `${path}?watch=true&resourceVersion=2500`]);
    }
  });

  it('publishes pod disruption budgets as listed, then each watched change and deletion', async () => {
    const states = (uid: unknown) => received.filter((r) => r.uid === uid);
    await waitFor(() => states(corednsBudget!.metadata.uid).length >= 2 && states(zkBudget!.metadata.uid).length >= 2, 30_000, 'the budget watch events');

    expect(states(corednsBudget!.metadata.uid).map((r) => [r.kind, r.namespace, r.resourceVersion, r.disruptionBudget?.maxUnavailable, r.disruptionBudget?.disruptionsAllowed, r.disruptionBudget?.currentHealthy])).toEqual([
      ['POD_DISRUPTION_BUDGET', 'kube-system', '1302', '1', 1, 2],
      ['POD_DISRUPTION_BUDGET', 'kube-system', '2613', '1', 0, 1],
    ]);
    expect(states(zkBudget!.metadata.uid).map((r) => [r.resourceVersion, r.deletedAt, r.disruptionBudget?.minAvailable, r.disruptionBudget?.matchLabels])).toEqual([
      ['2433', null, '2', { app: 'zookeeper' }],
      ['2614', NOW, '2', { app: 'zookeeper' }],
    ]);
    expect(received.filter((r) => r.kind === 'POD_DISRUPTION_BUDGET' && r.name === 'web-pdb')[0]?.disruptionBudget?.matchExpressions).toEqual([
      { key: 'app', operator: 'In', values: ['storefront', 'checkout'] }, { key: 'canary', operator: 'DoesNotExist', values: [] },
    ]);
    for (const uid of [corednsBudget!.metadata.uid, zkBudget!.metadata.uid]) expect(keys).toContain(`prod/POD_DISRUPTION_BUDGET/${uid as string}`);
    const path = '/apis/policy/v1/poddisruptionbudgets';
    expect(api.requests.filter((r) => r.startsWith(`${path}?`))).toEqual([`${path}?limit=500`, `${path}?watch=true&resourceVersion=2500`]);
  });

  it('skips the malformed pod, counts it and keeps publishing the pods after it', async () => {
    expect(received.some((r) => r.uid === 'uid-broken')).toBe(false);
    expect(podStates('uid-later').length).toBeGreaterThan(0);
    const malformedCount = (await registry.getSingleMetric('kcost_kube_objects_malformed_total')?.get())?.values.find((v) => v.labels.kind === 'POD')?.value;
    expect(malformedCount).toBe(1);
    expect(collector.isReady()).toBe(true);
  });
});
