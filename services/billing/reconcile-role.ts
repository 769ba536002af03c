import pg from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import { defineRole } from '../cli/role.js';
import { checkDatabase } from '../db/database-reachable.js';
import { startHealthServer } from '../lifecycle/health-server.js';
import { servingSecurityOf } from '../lifecycle/http-listener.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { createLogger } from '../log/logger.js';
import type { ExternalRules } from './external.js';
import { reconcileChangedDays } from './reconcile-store.js';
import { reconcileSettings } from './reconcile-settings.js';
import { runPeriodically } from '../lifecycle/periodic-loop.js';

const DAY_MILLIS = 86_400_000;

/** `kcost reconcile`: replaces list-price node costs by the billed effective cost and allocates out-of-cluster lines, per UTC day. */
export const reconcileRole = defineRole({
  name: 'reconcile',
  usage: 'reconcile [flags]',
  summary: 'Reconcile node costs with the cloud bill and allocate out-of-cluster costs, per UTC day.',
  description: [
    'Per node and UTC day, the billed EffectiveCost of the node\'s instance (billing_line.instance_id, matched with the node\'s providerID) replaces its list-price cost, and the pod and idle costs of that node-day are scaled by the same factor, so pods + idle = node still holds exactly; Savings Plans, reservations and spot rates land on the nodes they cover. Billing lines that are no node (databases, load balancers, egress, fees, discounts, credits) are allocated to clusters and namespaces by their tags, and what names no namespace is shared by --unattributed.',
    'Writes reconciled_node_cost_daily, reconciled_pod_cost_daily, external_cost_daily and reconciled_day (sql/0014), a day at a time in one transaction, whenever the day\'s billing lines or costs changed (a digest of them is stored per day): a restated day is recomputed and replaced, a day nothing changed in is left alone. Docs: docs/billing.md.',
    'Checks every --every (once with --every 0). Serves /healthz, /readyz (after the first pass) and /metrics on --health-port and stops cleanly on SIGTERM, after the day in hand.',
  ].join('\n\n'),
  settings: reconcileSettings,
  async run(config) {
    const logger = createLogger({ service: 'reconcile', level: config.logLevel });
    await checkDatabase(config.databaseUrl);
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2, application_name: 'kcost-reconcile' });
    pool.on('error', (error) => logger.warn({ err: error }, 'an idle database connection failed; it was discarded'));
    const rules: ExternalRules = { clusterTag: config.clusterTag === '' ? null : config.clusterTag, namespaceTag: config.namespaceTag, unattributed: config.unattributed };
    const registry = new Registry();
    const daysReconciled = new Counter({ name: 'kcost_reconcile_days_total', help: 'UTC days reconciled again because their billing lines or costs changed.', registers: [registry] });
    const failures = new Counter({ name: 'kcost_reconcile_failures_total', help: 'Reconciliation passes that failed (retried at the next pass).', registers: [registry] });
    const lastSuccess = new Gauge({ name: 'kcost_reconcile_last_success_timestamp_seconds', help: 'When a reconciliation pass last succeeded.', registers: [registry] });
    const pass = async (): Promise<boolean> => {
      const now = Date.now();
      const today = Math.floor(now / DAY_MILLIS) * DAY_MILLIS;
      try {
        const days = await reconcileChangedDays(pool, { fromMillis: today - config.lookbackDays * DAY_MILLIS, toMillis: today + DAY_MILLIS, rules, nowMillis: now });
        daysReconciled.inc(days.length);
        lastSuccess.set(Date.now() / 1000);
        logger.info({ days: days.map((d) => new Date(d).toISOString().slice(0, 10)) }, `reconciled ${days.length} changed days`);
        return true;
      } catch (error) {
        failures.inc();
        logger.error({ err: error }, `reconciliation failed: ${(error as Error).message}`);
        return false;
      }
    };
    try {
      if (config.every === 0) return (await pass()) ? 0 : 1;
      let ready = false;
      const health = await startHealthServer({ port: config.healthPort, isReady: () => ready, registry, security: servingSecurityOf(config, logger) });
      const loop = runPeriodically(async () => {
        ready = (await pass()) || ready;
      }, config.every);
      await stopOnSignals(loop.stop, logger);
      await health.close();
      return 0;
    } finally {
      await pool.end();
    }
  },
});
