import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../log/logger.js';
import { ResourceInformer, type ListPage, type ReconnectBackoff } from '../kube/resource-informer.js';
import type { PodDirectory, PodIdentity } from './pod-directory.js';

/** A PodDirectory kept current by a pod informer (list + watch). */
export class InformerPodDirectory implements PodDirectory {
  private readonly informer: ResourceInformer<V1Pod>;
  private readonly uids = new Set<string>();

  constructor(options: { readonly kubeConfig: KubeConfig; readonly logger: Logger; readonly backoff: ReconnectBackoff; readonly pageSize: number; readonly onError?: (error: unknown) => void }) {
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const listPage: ListPage<V1Pod> = (page) => core.listPodForAllNamespaces(page);
    const remember = (pod: V1Pod): void => {
      if (pod.metadata?.uid) this.uids.add(pod.metadata.uid);
    };
    this.informer = new ResourceInformer<V1Pod>({
      resource: 'pods',
      path: '/api/v1/pods',
      listPage,
      kubeConfig: options.kubeConfig,
      logger: options.logger,
      backoff: options.backoff,
      pageSize: options.pageSize,
      onAdd: remember,
      onUpdate: remember,
      onDelete: (pod) => {
        if (pod.metadata?.uid) this.uids.delete(pod.metadata.uid);
      },
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  start(): Promise<void> {
    return this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  get synced(): boolean {
    return this.informer.synced;
  }

  lookup(namespace: string, name: string): PodIdentity | undefined {
    const pod = this.informer.get(name, namespace);
    const uid = pod?.metadata?.uid;
    return uid ? { uid, nodeName: pod.spec?.nodeName ?? null } : undefined;
  }

  nodes(): string[] {
    const running = this.informer.list().filter((pod) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed');
    return [...new Set(running.map((pod) => pod.spec?.nodeName).filter((name): name is string => Boolean(name)))].sort();
  }

  hasPod(uid: string): boolean {
    return this.uids.has(uid);
  }
}
