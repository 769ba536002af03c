import { Counter, Histogram, type Registry } from 'prom-client';

/** What the sink exposes on /metrics besides the consumer counters. */
export interface SinkMetrics {
  readonly rowsLoaded: Counter<'table'>;
  readonly recordsSkipped: Counter<'topic'>;
  readonly recordsRejected: Counter<'topic' | 'reason'>;
  readonly dbRetries: Counter;
  readonly transactionSeconds: Histogram<'table'>;
}

export function createSinkMetrics(registry: Registry): SinkMetrics {
  return {
    rowsLoaded: new Counter({ name: 'kcost_sink_rows_loaded_total', help: 'Rows committed to the raw tables, by table.', labelNames: ['table'], registers: [registry] }),
    recordsSkipped: new Counter({
      name: 'kcost_sink_records_skipped_total',
      help: 'Records not loaded, by topic: redeliveries whose offsets the database already held, and recommendations of a kind this version does not know.',
      labelNames: ['topic'],
      registers: [registry],
    }),
    recordsRejected: new Counter({
      name: 'kcost_sink_records_rejected_total',
      help: 'Records sent to the dead-letter topic instead of the database, by topic and reason code.',
      labelNames: ['topic', 'reason'],
      registers: [registry],
    }),
    dbRetries: new Counter({ name: 'kcost_sink_db_retries_total', help: 'Batch transactions retried after a transient database error.', registers: [registry] }),
    transactionSeconds: new Histogram({
      name: 'kcost_sink_transaction_seconds',
      help: 'Time to load one batch (validation, COPY, rollups, offsets, commit), by table.',
      labelNames: ['table'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
