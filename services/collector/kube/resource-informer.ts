import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from '../../log/logger.js';

/** One page of a list call: the typed client's list method with limit and continue. */
export type ListPage<T extends KubernetesObject> = (page: { limit: number; _continue?: string }) => Promise<KubernetesListObject<T>>;

/** Exponential backoff between reconnects after the watch or list fails. */
export interface ReconnectBackoff {
  readonly initialMillis: number;
  readonly maxMillis: number;
}

export interface ResourceInformerOptions<T extends KubernetesObject> {
  /** Plural resource name, for logs and metrics (e.g. "pods"). */
  readonly resource: string;
  /** Collection path that the watch requests (e.g. /api/v1/pods). */
  readonly path: string;
  readonly listPage: ListPage<T>;
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly backoff: ReconnectBackoff;
  readonly pageSize: number;
  readonly onAdd?: (object: T) => void;
  readonly onUpdate?: (object: T) => void;
  readonly onDelete?: (object: T) => void;
  /** Told about every failed list or broken watch before the reconnect is scheduled. */
  readonly onError?: (error: unknown) => void;
}

/**
 * The client library's informer (ListWatch: list, then watch from the list's
 * resourceVersion; a 410 Gone clears the version so the next round relists and
 * reconciles deletions) plus what it leaves to the caller: it stops for good on
 * any error other than 410 or a timeout, so this restarts it with exponential
 * backoff, resuming the watch from the last resourceVersion it saw. Lists are
 * paged so a large cluster does not arrive as one huge response.
 */
export class ResourceInformer<T extends KubernetesObject> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private stopped = true;
  private listed = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ResourceInformerOptions<T>) {
    this.informer = makeInformer<T>(options.kubeConfig, options.path, () => this.listAll());
    const progressed = (callback?: (object: T) => void) => (object: T) => {
      this.attempt = 0;
      callback?.(object);
    };
    this.informer.on('add', progressed(options.onAdd));
    this.informer.on('update', progressed(options.onUpdate));
    this.informer.on('delete', progressed(options.onDelete));
    this.informer.on('error', (error: unknown) => this.scheduleRestart(error));
  }

  /** Lists and starts watching; resolves once the first attempt connected or failed (failures retry on their own). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.informer.start();
  }

  /** Stops watching and cancels any pending reconnect. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.informer.stop();
  }

  /** True once a list has completed: the cache holds the cluster's state. */
  get synced(): boolean {
    return this.listed;
  }

  /** The cached object, when the informer has seen it. */
  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  /** Every cached object. */
  list(): T[] {
    return [...this.informer.list()];
  }

  private async listAll(): Promise<KubernetesListObject<T>> {
    const items: T[] = [];
    let resourceVersion: string | undefined;
    let token: string | undefined;
    do {
      const page = await this.options.listPage(token === undefined ? { limit: this.options.pageSize } : { limit: this.options.pageSize, _continue: token });
      items.push(...page.items);
      // Every page of a chunked list is one consistent snapshot at the first page's version.
      resourceVersion ??= page.metadata?.resourceVersion;
      token = page.metadata?._continue || undefined;
    } while (token !== undefined);
    this.listed = true;
    this.attempt = 0;
    this.options.logger.info({ resource: this.options.resource, objects: items.length, resourceVersion }, 'listed');
    return { metadata: { resourceVersion }, items };
  }

  private scheduleRestart(error: unknown): void {
    // Stopping aborts the watch request, which reports as an error too.
    if (this.stopped) return;
    this.options.onError?.(error);
    const delay = Math.min(this.options.backoff.initialMillis * 2 ** this.attempt, this.options.backoff.maxMillis);
    this.attempt += 1;
    this.options.logger.warn({ resource: this.options.resource, err: error, retryInMillis: delay }, 'list or watch failed; reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped) return;
      this.informer.start().catch((startError: unknown) => this.scheduleRestart(startError));
    }, delay);
  }
}
