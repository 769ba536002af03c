import { Counter, Gauge, type Registry } from 'prom-client';
import type { StoreSizes } from './cost-store.js';

/** The exporter's own health metrics, served on /metrics after the kube_cost_* series. */
export interface ExporterMetrics {
  readonly records: Counter<'topic' | 'outcome'>;
  readonly lag: Gauge<'topic' | 'partition'>;
}

/**
 * Registers kube_cost_exporter_* on `registry`. `isUp` and `sizes` are read
 * at scrape time. Dead letters and batch failures are counted by the Kafka
 * layer (kcost_dead_letters_total, kcost_batch_failures_total) on the same registry.
 */
export function createExporterMetrics(registry: Registry, probes: { isUp: () => boolean; sizes: () => StoreSizes }): ExporterMetrics {
  new Gauge({
    name: 'kube_cost_exporter_up',
    help: '1 while the exporter consumes its topics, 0 when its consumer stopped.',
    registers: [registry],
    collect() {
      this.set(probes.isUp() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'kube_cost_exporter_series',
    help: 'Series the exporter serves, by metric family.',
    labelNames: ['family'],
    registers: [registry],
    collect() {
      for (const [family, count] of Object.entries(probes.sizes().series)) this.set({ family }, count);
    },
  });
  return {
    records: new Counter({
      name: 'kube_cost_exporter_records_consumed_total',
      help: 'Records read by the exporter, by topic and outcome: applied (a new window, budget or advice; a tombstone that removed advice), duplicate (a window already counted, redelivered or late; an older observation or advice than the one shown), invalid (no usable window, cost, budget or advice; logged and skipped) or ignored (of no interest: another kind of object, advice of a kind this version does not know, a tombstone for advice not shown).',
      labelNames: ['topic', 'outcome'],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'kube_cost_exporter_consumer_lag',
      help: 'Records of the partition not yet read by the exporter, after its latest batch.',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
  };
}
