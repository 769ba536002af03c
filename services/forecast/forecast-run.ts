import { randomUUID } from 'node:crypto';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { RoleRun } from '../cli/role.js';
import { createCodec } from '../codec/create-codec.js';
import { checkDatabase } from '../db/database-reachable.js';
import { createPool } from '../db/pool.js';
import { messageOf } from '../errors/kcost-error.js';
import { createKafka } from '../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../kafka/kafka-security.js';
import { watchKubeTopic, type KubeTopicWatcher } from '../kafka/kube-topic-watcher.js';
import { startHealthServer } from '../lifecycle/health-server.js';
import { servingSecurityOf } from '../lifecycle/http-listener.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { createLogger } from '../log/logger.js';
import { storeForecasts, storeNamespaceBudgets } from './forecast-writer.js';
import type { forecastSettings } from './forecast-settings.js';
import { NamespaceBudgetBook } from './namespace-budget-book.js';

// A changed budget label reaches namespace_budget within this, without waiting for the next forecast run.
const BUDGET_FLUSH_MILLIS = 5_000;

/** Runs `kcost forecast`; its help and settings are in forecast-role.ts. */
export const run: RoleRun<typeof forecastSettings> = async (config) => {
  const logger = createLogger({ service: 'forecast', level: config.logLevel });
  await checkDatabase(config.databaseUrl);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const storedSeries = new Gauge({ name: 'kcost_forecast_series', help: 'Series (clusters and namespaces) the last successful run stored a forecast for.', registers: [registry] });
  const lastSuccess = new Gauge({ name: 'kcost_forecast_last_success_timestamp_seconds', help: 'When the last successful run finished.', registers: [registry] });
  const runDuration = new Gauge({ name: 'kcost_forecast_run_duration_seconds', help: 'How long the last run took, fitting and storing.', registers: [registry] });
  const runs = new Counter({ name: 'kcost_forecast_runs_total', help: 'Runs by outcome (stored or failed).', labelNames: ['outcome'], registers: [registry] });
  const budgetCount = new Gauge({ name: 'kcost_forecast_namespace_budgets', help: 'Namespaces with a kcost.io/monthly-budget-usd label, as last stored.', registers: [registry] });
  const pool = createPool({ url: config.databaseUrl, max: 2, applicationName: 'kcost-forecast', logger });
  const book = new NamespaceBudgetBook();
  let watcher: KubeTopicWatcher | undefined;
  try {
    if (config.kubeTopic !== '') {
      const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
      watcher = await watchKubeTopic({
        kafka,
        codec: createCodec(config),
        topic: config.kubeTopic,
        groupId: `${config.clientId}-forecast-kube-${randomUUID()}`,
        observe: (_key, object) => book.observe(object),
        logger,
        catchUpMillis: config.kubeCatchUpTimeout,
      });
      await watcher.caughtUp;
    }
    const budgets = () => (config.kubeTopic === '' ? undefined : book.list());
    let storedBudgetVersion = -1;
    const options = { history: config.history, horizonDays: config.horizonDays, maxRows: 1_000_000 };
    const forecastOnce = async (yieldBetween?: () => Promise<void>) => {
      const started = Date.now();
      const version = book.version;
      const current = budgets();
      try {
        const result = await storeForecasts(pool, started, options, logger, current, yieldBetween);
        if (current !== undefined) {
          storedBudgetVersion = version;
          budgetCount.set(current.length);
        }
        storedSeries.set(result.series);
        lastSuccess.set(Date.now() / 1000);
        runs.inc({ outcome: 'stored' });
      } catch (error) {
        runs.inc({ outcome: 'failed' });
        throw error;
      } finally {
        runDuration.set((Date.now() - started) / 1000);
      }
    };
    if (config.every === 0) {
      await forecastOnce();
      return 0;
    }
    let ready = false;
    const health = await startHealthServer({ port: config.healthPort, isReady: () => ready, registry, security: servingSecurityOf(config, logger) });
    logger.info({ port: health.port }, 'health server listening');
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let inFlight: Promise<void> = Promise.resolve();
    // Between series the event loop answers probes and scrapes: a run over many namespaces takes seconds.
    const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));
    const loop = async (): Promise<void> => {
      try {
        await forecastOnce(breathe);
        ready = true;
      } catch (error) {
        // The next run tries again: the database may be back by then.
        logger.error({ err: error }, `forecast run failed: ${messageOf(error)}`);
      }
      // Chained, as the budget flushes are: shutdown awaits whichever runs last.
      if (!stopped) {
        timer = setTimeout(() => {
          inFlight = inFlight.then(loop);
        }, config.every);
      }
    };
    const flushBudgets = setInterval(() => {
      const current = budgets();
      const version = book.version;
      if (current === undefined || version === storedBudgetVersion) return;
      inFlight = inFlight.then(async () => {
        try {
          await storeNamespaceBudgets(pool, current);
          storedBudgetVersion = version;
          budgetCount.set(current.length);
          logger.info({ namespaceBudgets: current.length }, 'stored namespace budgets');
        } catch (error) {
          logger.error({ err: error }, `storing namespace budgets failed: ${messageOf(error)}`);
        }
      });
    }, BUDGET_FLUSH_MILLIS);
    inFlight = loop();
    await stopOnSignals(async () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(flushBudgets);
      await inFlight; // a run in progress commits (or rolls back) before the pool closes
      await health.close();
    }, logger);
    return 0;
  } finally {
    await watcher?.stop();
    await pool.end();
  }
};
