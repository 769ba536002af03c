// JSON schemas of /v1/forecast and /v1/budgets, for validation and /openapi.json.
import { AGGREGATES, FORMATS } from './allocation-params.js';
import { FILTER_GRAMMAR } from './filter.js';
import { FORECAST_DEFAULTS, MAX_HORIZON_DAYS } from './forecast-params.js';
import { ERROR_SCHEMA } from './schemas.js';
import { WINDOW_FORMS } from './time-window.js';

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
const num = (description: string) => ({ type: 'number', description });
const nullable = (schema: Record<string, unknown>) => ({ ...schema, type: [schema.type as string, 'null'] });

const errors = { 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 414: ERROR_SCHEMA, 422: ERROR_SCHEMA, 429: ERROR_SCHEMA, 503: ERROR_SCHEMA } as const;
const historyParam = str(
  `History the model is fitted on: ${WINDOW_FORMS}; cut to the whole UTC days in it that have ended (today is not over). Default ${FORECAST_DEFAULTS.window}. A forecast needs 21 days of it.`,
  { maxLength: 120 },
);
const formatParam = str('json (default) or csv.', { enum: [...FORMATS] });
const interval = { lower80: num('80 % interval, lower end, USD.'), upper80: num('80 % interval, upper end, USD.'), lower95: num('95 % interval, lower end, USD.'), upper95: num('95 % interval, upper end, USD.') };

const SERIES = {
  type: 'object',
  properties: {
    name: str('The group, named as /v1/allocation names its rows.'),
    properties: { type: 'object', description: 'The values the group is defined by, as in /v1/allocation.', additionalProperties: true },
    actuals: { type: 'array', description: 'Cost per whole UTC day of the history, from the first day with cost (days without rows are 0).', items: { type: 'object', properties: { date: str('UTC day, YYYY-MM-DD.'), costUsd: num('Cost, USD.') } } },
    forecast: { type: 'array', description: 'One point per day after the history, for the horizon; empty when the history is too short.', items: { type: 'object', properties: { date: str('UTC day.'), costUsd: num('Expected cost, USD.'), ...interval } } },
    monthEnd: nullable({
      type: 'object',
      description: "The month the forecast starts in: actual cost of its days before the forecast plus the forecast of its remaining days, with the interval of that sum.",
      properties: { month: str('YYYY-MM.'), actualUsd: num('Cost of the month so far (whole days), USD.'), forecastDays: num('Days of the month forecast.'), projectedUsd: num('Projected cost of the whole month, USD.'), ...interval },
    }),
    model: nullable({ type: 'object', description: 'The fitted model: the average of a damped Holt-Winters fit with a weekly season (additive or multiplicative) and a log-linear weekly regression over the last 8 weeks; the Holt-Winters smoothing parameters, its one-step error and the level shifts both restarted from.', additionalProperties: true }),
    backtest: nullable({
      type: 'object',
      description: 'The same model refitted at the last (up to four) weekly origins of this series and compared with the following 7 days; null when the history is under 28 days.',
      properties: { horizonDays: num('Days forecast at each origin.'), origins: num('Origins tried.'), mape: num('Mean absolute percentage error (0.1: 10 %).'), mase: num('Mean absolute error over the in-sample seasonal-naive error.'), coverage80: { type: ['number', 'null'], description: 'Share of days inside the 80 % interval.' } },
    }),
    insufficientHistory: nullable({ type: 'object', description: 'Set when this group has too little history to forecast: how much it has and needs.', properties: { historyDays: num('Days of history.'), neededDays: num('Days needed.') } }),
    source: str('stored: the forecast kcost forecast stored (cost_forecast, fitted on the same window); fitted: fitted on this request.'),
    generatedAt: str('When the forecast was made, RFC 3339 (a stored one: when kcost forecast ran).'),
  },
  required: ['name', 'actuals', 'forecast', 'source'],
};

export const FORECAST_SCHEMA = {
  summary: 'Daily cost forecast and month-end projection for any grouping.',
  description: [
    'Forecasts each group\'s daily cost (from the daily rollups, or raw rows where /v1/allocation would read them) for the days after the history, with 80 % and 95 % prediction intervals, the month-end projection and the model\'s backtested error on that series.',
    'Groupings by cluster, or by cluster and namespace, filtered by cluster or namespace only, with the window kcost forecast fits on (its --history, 90d by default) are answered from its stored forecasts (source stored); the rest is fitted on the request (source fitted), at most 25 groups with enough history per request (400 naming aggregate beyond that), one at a time.',
    'A group with less than 21 days of history gets no forecast (insufficientHistory says why); when no group has enough, the answer is 422 INSUFFICIENT_HISTORY saying how much is needed. docs/forecasting.md has the model and its measured accuracy.',
    `Filter grammar: ${FILTER_GRAMMAR}`,
  ].join(' '),
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      window: historyParam,
      aggregate: str(`Comma-separated dimensions to group by: ${AGGREGATES.join(', ')} or label:<key>. Default ${FORECAST_DEFAULTS.aggregate}.`, { maxLength: 500 }),
      filter: str(`Rows to keep. ${FILTER_GRAMMAR}`, { maxLength: 4000 }),
      horizon: str(`Days to forecast, 1d to ${MAX_HORIZON_DAYS}d. Default ${FORECAST_DEFAULTS.horizon}.`, { maxLength: 10 }),
      format: formatParam,
    },
  },
  response: {
    200: {
      type: 'object',
      description: 'One entry per group (JSON); with format=csv one line per group and day: name, date, kind (actual or forecast), costUsd and the intervals.',
      properties: {
        history: { type: 'object', properties: { start: str('First day, RFC 3339.'), end: str('End (exclusive): the first forecast day.') } },
        horizonDays: num('Days forecast.'),
        aggregate: { type: 'array', items: { type: 'string' } },
        source: str('Relation the daily costs came from.'),
        series: { type: 'array', items: SERIES },
      },
      required: ['history', 'series'],
    },
    ...errors,
  },
} as const;

const BUDGET = {
  type: 'object',
  properties: {
    name: str('scope/value: cluster/prod, namespace/shop, label:team/payments; a namespace label budget cluster/prod/namespace/shop.'),
    source: str('config (kcost api --budgets) or label (the namespace\'s kcost.io/monthly-budget-usd label).'),
    cluster: str('For a label budget: the cluster of the namespace.'),
    forecastSource: { type: ['string', 'null'], description: 'stored or fitted, as /v1/forecast\'s source; null without cost this window.' },
    scope: str('cluster, namespace or label.'),
    labelKey: str('The label key, for scope label.'),
    value: str('The cluster, namespace or label value.'),
    month: str('YYYY-MM (UTC).'),
    budgetUsd: num('Monthly budget, USD.'),
    spentUsd: num('Spent this month so far, today\'s partial day included, USD.'),
    projectedUsd: { type: ['number', 'null'], description: 'Projected cost of the month: whole days so far plus the forecast to the month\'s end; null with too little history.' },
    projectedLower80: { type: ['number', 'null'], description: '80 % interval of the projection, lower end.' },
    projectedUpper80: { type: ['number', 'null'], description: '80 % interval of the projection, upper end.' },
    projectedRatio: { type: ['number', 'null'], description: 'projectedUsd / budgetUsd.' },
    runOutDate: { type: ['string', 'null'], description: 'UTC day the expected spend passes the budget (YYYY-MM-DD), null when not this month.' },
    state: str('WITHIN, PROJECTED_OVER (on course to exceed), OVER (already exceeded) or INSUFFICIENT_HISTORY (spend known, no projection).'),
    historyDays: num('Days of history the projection is fitted on.'),
    neededDays: { type: ['number', 'null'], description: 'Days of history a projection needs, when there are too few.' },
  },
  required: ['name', 'budgetUsd', 'spentUsd', 'state'],
};

export const BUDGETS_SCHEMA = {
  summary: 'Monthly budgets: spent, projected at month end, and when they run out.',
  description:
    "Every budget of `kcost api --budgets` (cluster, namespace or label value; source config) and every namespace's kcost.io/monthly-budget-usd label as kcost forecast stored it (source label, named cluster/<c>/namespace/<ns>), within the caller's scope, with the month's spend so far, the month-end projection of /v1/forecast and the day the budget is projected to run out. Cluster and label budgets are projected from kcost forecast's stored forecasts where there are some for the window; the rest are fitted on the request, at most 25 (503 FORECASTS_NOT_STORED beyond that).",
  querystring: { type: 'object', additionalProperties: false, properties: { window: historyParam, format: formatParam } },
  response: {
    200: { type: 'object', description: 'The budgets, largest projected share of budget first.', properties: { budgets: { type: 'array', items: BUDGET } }, required: ['budgets'] },
    ...errors,
  },
} as const;
