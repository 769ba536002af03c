import pg from 'pg';
import { defineRole } from '../cli/role.js';
import { processSettings } from '../config/common-settings.js';
import { parseDurationMillis, parseInteger, parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { checkDatabase } from '../db/database-reachable.js';
import { databaseSettings } from '../db/db-settings.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { createLogger } from '../log/logger.js';
import { MAX_HORIZON_DAYS } from '../api/forecast-params.js';
import { storeForecasts } from './forecast-writer.js';

const settings = {
  databaseUrl: databaseSettings.databaseUrl,
  logLevel: processSettings.logLevel,
  history: setting('history', {
    description: 'History each forecast is fitted on, as GET /v1/forecast\'s window (whole UTC days before today), e.g. 90d.',
    default: '90d',
    parse: parseString,
  }),
  horizonDays: setting('horizonDays', {
    description: `Days forecast and stored per series, 1 to ${MAX_HORIZON_DAYS}.`,
    default: 31,
    parse: parseInteger(1, MAX_HORIZON_DAYS),
  }),
  every: setting('every', {
    description: 'How often to forecast again, e.g. 1h (the daily rollups change within the day: today is not part of the history, yesterday becomes part of it at midnight); 0 runs once and exits (for a CronJob).',
    default: 3_600_000,
    defaultLabel: '1h',
    parse: parseDurationMillis,
  }),
};

/** `kcost forecast`: stores the daily cost forecast of every cluster and namespace for Grafana. */
export const forecastRole = defineRole({
  name: 'forecast',
  usage: 'forecast [flags]',
  summary: 'Store daily cost forecasts per cluster and namespace for Grafana.',
  description: [
    'Fits kcost\'s forecast model (damped Holt-Winters with a weekly season and level-shift restarts, docs/forecasting.md) to the daily cost of every cluster and of every namespace in it, from the daily rollups exactly as GET /v1/forecast does, and replaces the table cost_forecast with the next --horizon-days days and their 80 % and 95 % intervals in one transaction, every --every (or once with --every 0). Grafana\'s "Daily cost and 30-day forecast" panel reads it.',
    'A series with less than 21 days of history gets no rows: nothing is made up. Stops cleanly on SIGTERM between runs.',
  ].join('\n\n'),
  settings,
  async run(config) {
    const logger = createLogger({ service: 'forecast', level: config.logLevel });
    await checkDatabase(config.databaseUrl);
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2, application_name: 'kcost-forecast' });
    pool.on('error', (error) => logger.warn({ err: error }, 'an idle database connection failed; it was discarded'));
    let stopping = false;
    let wake = () => undefined as void;
    void stopOnSignals(async () => {
      stopping = true;
      wake();
    }, logger);
    try {
      for (;;) {
        await storeForecasts(pool, Date.now(), { history: config.history, horizonDays: config.horizonDays, maxRows: 1_000_000 }, logger);
        if (config.every === 0 || stopping) return 0;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, config.every);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (stopping) return 0;
      }
    } finally {
      await pool.end();
    }
  },
});
