import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseDurationMillis, parseInteger, parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { databaseSettings } from '../db/db-settings.js';
import { MAX_HORIZON_DAYS } from '../api/forecast-params.js';
import { TOPICS } from '../kafka/topics.js';

/** Settings of `kcost forecast`. */
export const forecastSettings = {
  ...kafkaSettings,
  ...processSettings,
  ...databaseSettings,
  kubeTopic: setting('kubeTopic', {
    description: 'Topic of the KubeObject records: the namespaces\' kcost.io/monthly-budget-usd labels are read from it into namespace_budget for GET /v1/budgets.',
    default: TOPICS.kube.name,
    parse: parseString,
  }),
  history: setting('history', {
    description: 'History each forecast is fitted on, as GET /v1/forecast\'s window (whole UTC days before today), e.g. 90d. /v1/forecast serves the stored forecasts for requests with this window.',
    default: '90d',
    parse: parseString,
  }),
  horizonDays: setting('horizonDays', {
    description: `Days forecast and stored per series, 1 to ${MAX_HORIZON_DAYS}; /v1/forecast serves stored forecasts for horizons up to this.`,
    default: 31,
    parse: parseInteger(1, MAX_HORIZON_DAYS),
  }),
  every: setting('every', {
    description: 'How often to forecast again, e.g. 1h (the daily rollups change within the day: today is not part of the history, yesterday becomes part of it at midnight); 0 runs once and exits (for a CronJob).',
    default: 3_600_000,
    defaultLabel: '1h',
    parse: parseDurationMillis,
  }),
  kubeCatchUpTimeout: setting('kubeCatchUpTimeout', {
    description: 'Longest wait at start for kcost.kube.v1 to be read up to its end before the first run (its namespace budgets are stored with it).',
    default: 60_000,
    defaultLabel: '1m',
    parse: parseDurationMillis,
  }),
};
