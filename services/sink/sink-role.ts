import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { sinkRoleSettings } from './sink-settings.js';

/** `kcost sink`: loads cost records from Kafka into the database exactly once. */
export const sinkRole = defineRole({
  name: 'sink',
  usage: 'sink [flags]',
  summary: 'Load cost records into PostgreSQL/TimescaleDB exactly once.',
  description: [
    'Consumes kcost.costs.v1, kcost.node-costs.v1, kcost.anomalies.v1 and kcost.recommendations.v1 (and kcost.prices.v1 when --prices-topic is set, kcost.billing.v1 when --billing-topic is set) and loads them with COPY into pod_cost, node_cost, cost_anomaly, recommendation_history, price_history and billing_line.',
    'Billing lines: billing_line keeps one row per kcost.billing.v1 key, the last delivered; a tombstone deletes the line.',
    'Recommendations: every version goes to recommendation_history; recommendation keeps the latest per key, replaced only by a version whose generatedAt is not older, and a tombstone (null value) deletes the key.',
    'Each batch is one transaction: the rows, the hourly and daily rollups (plain PostgreSQL; TimescaleDB maintains continuous aggregates itself) and the partition offsets in sink_offset. On start and on every rebalance the sink resumes from the stored offsets, so a crash neither loses nor duplicates a record.',
    'Transient database errors are retried with backoff; a record that fails validation or that the database refuses goes to kcost.deadletter.v1 and the partition moves on. Run kcost migrate first, or pass --migrate.',
    'Serves /healthz, /readyz and /metrics on --health-port; stops cleanly on SIGTERM.',
  ].join('\n\n'),
  settings: sinkRoleSettings,
  run: lazyRun(() => import('./sink-run.js')),
});
