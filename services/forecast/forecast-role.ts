import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { forecastSettings } from './forecast-settings.js';

/** `kcost forecast`: stores the daily cost forecast of every cluster and namespace, and the namespaces' budget labels. */
export const forecastRole = defineRole({
  name: 'forecast',
  usage: 'forecast [flags]',
  summary: 'Store daily cost forecasts per cluster and namespace, and namespace budgets, for the API and Grafana.',
  description: [
    'Fits kcost\'s forecast model (level-shift restarts, then the average of a damped weekly Holt-Winters fit and a log-linear weekly regression; docs/forecasting.md) to the daily cost of every cluster and of every namespace in it, from the daily rollups exactly as GET /v1/forecast does, with its backtest, and replaces the tables cost_forecast (the next --horizon-days days and their 80 % and 95 % intervals) and cost_forecast_series (model, backtest, month-end projection) in one transaction, every --every (or once with --every 0, for a CronJob). GET /v1/forecast and /v1/budgets serve these instead of fitting on the request; Grafana\'s forecast panels read them.',
    'Reads the namespaces\' kcost.io/monthly-budget-usd labels from --kube-topic (as kcost export does) into namespace_budget, within seconds of a change, for GET /v1/budgets; --kube-topic "" reads no Kafka and leaves namespace_budget alone.',
    'A series with less than 21 days of history gets no rows: nothing is made up. Serves /healthz, /readyz (after the first stored run) and /metrics on --health-port while it runs (not with --every 0); a failed run is logged and retried at the next --every. Stops cleanly on SIGTERM: a run in progress finishes its transaction first.',
  ].join('\n\n'),
  settings: forecastSettings,
  run: lazyRun(() => import('./forecast-run.js')),
});
