import { Counter, Gauge, type Registry } from 'prom-client';

/** Prometheus metrics of the kube collector. */
export interface KubeCollectorMetrics {
  readonly published: Counter<'kind' | 'event'>;
  readonly malformed: Counter<'kind'>;
  readonly watchErrors: Counter<'resource'>;
  readonly publishFailures: Counter;
  readonly synced: Gauge<'resource'>;
}

export function createKubeCollectorMetrics(registry: Registry): KubeCollectorMetrics {
  const registers = [registry];
  return {
    published: new Counter({ name: 'kcost_kube_objects_published_total', help: 'Object states handed to Kafka, by kind and event (add, update, delete, resync).', labelNames: ['kind', 'event'], registers }),
    malformed: new Counter({ name: 'kcost_kube_objects_malformed_total', help: 'Objects skipped because they lack what costing needs or carry an unreadable value.', labelNames: ['kind'], registers }),
    watchErrors: new Counter({ name: 'kcost_kube_watch_errors_total', help: 'Failed lists and broken watches, each followed by a reconnect with backoff.', labelNames: ['resource'], registers }),
    publishFailures: new Counter({ name: 'kcost_kube_publish_failures_total', help: 'Records Kafka did not acknowledge; the next resync publishes the state again.', registers }),
    synced: new Gauge({ name: 'kcost_kube_informer_synced', help: '1 once the resource has been listed, else 0.', labelNames: ['resource'], registers }),
  };
}
