import pg from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import type { RoleRun } from '../cli/role.js';
import { checkDatabase } from '../db/database-reachable.js';
import { startHealthServer } from '../lifecycle/health-server.js';
import { servingSecurityOf } from '../lifecycle/http-listener.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { createLogger } from '../log/logger.js';
import type { ExternalRules } from './external.js';
import { reconcileChangedDays } from './reconcile-store.js';
import type { reconcileSettings } from './reconcile-settings.js';
import { runPeriodically } from '../lifecycle/periodic-loop.js';

const DAY_MILLIS = 86_400_000;

/** Runs `kcost reconcile`; its help and settings are in reconcile-role.ts. */
export const run: RoleRun<typeof reconcileSettings> = async (config) => {
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
};
