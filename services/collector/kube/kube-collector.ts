import { AppsV1Api, AutoscalingV2Api, BatchV1Api, CoreV1Api, PolicyV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { ObjectKind } from '../../codec/records.generated.js';
import type { OutgoingRecord } from '../../kafka/batching-producer.js';
import { kubeObjectKey } from '../../kafka/topics.js';
import type { Logger } from '../../log/logger.js';
import { messageOf } from '../../errors/kcost-error.js';
import { PUBLISHED_KINDS, toKubeObject, type PublishedKind } from './kube-mapper.js';
import { createKubeCollectorMetrics } from './kube-metrics.js';
import type { OwnerLookup } from './owner-resolver.js';
import { ResourceInformer, type ListPage } from './resource-informer.js';

/** Where records go: the BatchingProducer in production. */
export interface RecordPublisher {
  publish(records: readonly OutgoingRecord[]): Promise<void>;
  flush(): Promise<void>;
}

export interface KubeCollectorConfig {
  /** Cluster name written into every record. */
  readonly cluster: string;
  /** Topic of KubeObject records (kcost.kube.v1). */
  readonly topic: string;
  /** Republish every cached object this often, so a lost record heals; 0 turns it off. */
  readonly resyncMillis: number;
  readonly reconnectInitialMillis: number;
  readonly reconnectMaxMillis: number;
  /** Objects per list page. */
  readonly listPageSize: number;
}

export interface KubeCollectorDeps {
  readonly kubeConfig: KubeConfig;
  readonly publisher: RecordPublisher;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Source of observedAt; tests fix it. */
  readonly clock?: () => number;
}

export interface KubeCollector {
  /** Lists and watches every resource; resolves once each has made its first attempt. */
  start(): Promise<void>;
  /** Stops the watches and waits until every record handed to Kafka is acknowledged. */
  stop(): Promise<void>;
  /** True once every resource has been listed. */
  isReady(): boolean;
}

type AnyList = ListPage<KubernetesObject>;

interface ResourceSpec {
  readonly resource: string;
  readonly path: string;
  /** The Kubernetes kind published for it; absent for resources watched only to resolve owners. */
  readonly kind?: PublishedKind;
  readonly list: AnyList;
}

interface Clients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly autoscaling: AutoscalingV2Api;
  readonly policy: PolicyV1Api;
}

type Page = { limit: number; _continue?: string };

interface Watched {
  /** API group ('' for the core group) and plural resource, as RBAC rules name them. */
  readonly group: string;
  readonly resource: string;
  readonly path: string;
  readonly kind?: PublishedKind;
  readonly list: (clients: Clients, page: Page) => Promise<unknown>;
}

// Owners (ReplicaSets, Jobs) are watched only to resolve pods to their top controller.
const WATCHED: readonly Watched[] = [
  { group: 'apps', resource: 'replicasets', path: '/apis/apps/v1/replicasets', list: (c, p) => c.apps.listReplicaSetForAllNamespaces(p) },
  { group: 'batch', resource: 'jobs', path: '/apis/batch/v1/jobs', list: (c, p) => c.batch.listJobForAllNamespaces(p) },
  { group: '', resource: 'namespaces', path: '/api/v1/namespaces', kind: 'Namespace', list: (c, p) => c.core.listNamespace(p) },
  { group: '', resource: 'nodes', path: '/api/v1/nodes', kind: 'Node', list: (c, p) => c.core.listNode(p) },
  { group: '', resource: 'persistentvolumes', path: '/api/v1/persistentvolumes', kind: 'PersistentVolume', list: (c, p) => c.core.listPersistentVolume(p) },
  { group: '', resource: 'persistentvolumeclaims', path: '/api/v1/persistentvolumeclaims', kind: 'PersistentVolumeClaim', list: (c, p) => c.core.listPersistentVolumeClaimForAllNamespaces(p) },
  { group: 'apps', resource: 'deployments', path: '/apis/apps/v1/deployments', kind: 'Deployment', list: (c, p) => c.apps.listDeploymentForAllNamespaces(p) },
  { group: 'apps', resource: 'statefulsets', path: '/apis/apps/v1/statefulsets', kind: 'StatefulSet', list: (c, p) => c.apps.listStatefulSetForAllNamespaces(p) },
  { group: 'autoscaling', resource: 'horizontalpodautoscalers', path: '/apis/autoscaling/v2/horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', list: (c, p) => c.autoscaling.listHorizontalPodAutoscalerForAllNamespaces(p) },
  { group: 'policy', resource: 'poddisruptionbudgets', path: '/apis/policy/v1/poddisruptionbudgets', kind: 'PodDisruptionBudget', list: (c, p) => c.policy.listPodDisruptionBudgetForAllNamespaces(p) },
  { group: '', resource: 'pods', path: '/api/v1/pods', kind: 'Pod', list: (c, p) => c.core.listPodForAllNamespaces(p) },
];

/**
 * Every resource the kube collector lists and watches, as RBAC names it: the
 * collectors' ClusterRole (deploy/rbac/clusterrole.yaml and the Helm chart)
 * must grant list and watch on each, which a test checks.
 */
export const WATCHED_RESOURCES: ReadonlyArray<{ readonly group: string; readonly resource: string }> = WATCHED.map(({ group, resource }) => ({ group, resource }));

function resourceSpecs(config: KubeConfig): ResourceSpec[] {
  const clients: Clients = {
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
    autoscaling: config.makeApiClient(AutoscalingV2Api),
    policy: config.makeApiClient(PolicyV1Api),
  };
  return WATCHED.map((w) => ({
    resource: w.resource,
    path: w.path,
    ...(w.kind === undefined ? {} : { kind: w.kind }),
    list: ((page: Page) => w.list(clients, page)) as AnyList,
  }));
}

/**
 * The kube collector: informers for nodes, pods, volumes, claims,
 * namespaces, HorizontalPodAutoscalers, Deployments, StatefulSets and
 * PodDisruptionBudgets publish
 * each observed state (and each deletion, as the last state with deletedAt)
 * to the kube topic; ReplicaSet and Job informers only feed owner
 * resolution. A malformed object is logged, counted and skipped.
 */
export function buildKubeCollector(deps: KubeCollectorDeps, config: KubeCollectorConfig): KubeCollector {
  const clock = deps.clock ?? Date.now;
  const metrics = createKubeCollectorMetrics(deps.registry);
  const log = deps.logger;
  const informers = new Map<string, ResourceInformer<KubernetesObject>>();
  let resyncTimer: NodeJS.Timeout | undefined;

  const owners: OwnerLookup = {
    ownersOf(kind, namespace, name) {
      const cached = informers.get(kind === 'ReplicaSet' ? 'replicasets' : 'jobs')?.get(name, namespace);
      return cached === undefined ? undefined : (cached.metadata?.ownerReferences ?? []);
    },
  };

  const handle = (kubeKind: PublishedKind, object: KubernetesObject, event: 'add' | 'update' | 'delete' | 'resync'): void => {
    // Runs inside the client's callbacks: it must never throw.
    const kind: ObjectKind = PUBLISHED_KINDS[kubeKind];
    let record;
    try {
      record = toKubeObject(kubeKind, object, { cluster: config.cluster, observedAt: clock(), deleted: event === 'delete', owners });
    } catch (error) {
      metrics.malformed.inc({ kind });
      log.warn({ kind, name: object.metadata?.name, namespace: object.metadata?.namespace, err: messageOf(error) }, 'skipping malformed object');
      return;
    }
    metrics.published.inc({ kind, event });
    deps.publisher
      .publish([{ topic: config.topic, key: kubeObjectKey(record), schema: 'KubeObject', value: record }])
      .catch((error: unknown) => {
        metrics.publishFailures.inc();
        log.error({ kind, uid: record.uid, err: messageOf(error) }, 'publishing an object state failed; the next resync repeats it');
      });
  };

  const specs = resourceSpecs(deps.kubeConfig);
  for (const spec of specs) {
    const { kind } = spec;
    const informer = new ResourceInformer<KubernetesObject>({
      resource: spec.resource,
      path: spec.path,
      listPage: spec.list,
      kubeConfig: deps.kubeConfig,
      logger: log,
      backoff: { initialMillis: config.reconnectInitialMillis, maxMillis: config.reconnectMaxMillis },
      pageSize: config.listPageSize,
      onError: () => metrics.watchErrors.inc({ resource: spec.resource }),
      ...(kind === undefined
        ? {}
        : {
            onAdd: (object) => handle(kind, object, 'add'),
            onUpdate: (object) => handle(kind, object, 'update'),
            onDelete: (object) => handle(kind, object, 'delete'),
          }),
    });
    informers.set(spec.resource, informer);
  }
  const resync = (): void => {
    for (const spec of specs) {
      if (spec.kind === undefined) continue;
      for (const object of informers.get(spec.resource)?.list() ?? []) handle(spec.kind, object, 'resync');
    }
  };

  return {
    async start() {
      // Owners first, so pods listed next resolve to their Deployment or CronJob from the cache.
      const start = (owner: boolean): Array<Promise<void>> =>
        specs.filter((spec) => (spec.kind === undefined) === owner).map((spec) => informers.get(spec.resource)?.start() ?? Promise.resolve());
      await Promise.all(start(true));
      await Promise.all(start(false));
      if (config.resyncMillis > 0) resyncTimer = setInterval(resync, config.resyncMillis);
    },
    async stop() {
      if (resyncTimer) clearInterval(resyncTimer);
      await Promise.all([...informers.values()].map((informer) => informer.stop()));
      await deps.publisher.flush();
    },
    isReady() {
      let ready = true;
      for (const [resource, informer] of informers) {
        metrics.synced.set({ resource }, informer.synced ? 1 : 0);
        ready &&= informer.synced;
      }
      return ready;
    },
  };
}

