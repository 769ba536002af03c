import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseDurationMillis, parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { TOPICS } from '../kafka/topics.js';
import { parseReplayFrom, type ReplayFrom } from './start-positions.js';

/** Every setting of `kcost export`. */
export const exporterSettings = {
  ...kafkaSettings,
  ...processSettings,
  groupId: setting('groupId', {
    description:
      'Kafka consumer group. Every exporter replica must read every partition, so the default is a group of its own per process (kcost-export-<host>-<random>), deleted on a clean stop; set it only to name that group.',
    default: '',
    defaultLabel: 'kcost-export-<host>-<random>',
    parse: parseString,
  }),
  costsTopic: setting('costsTopic', {
    description: 'Topic of PodCost records (pod, namespace and spot-savings series); empty to skip.',
    default: TOPICS.costs.name,
    parse: parseString,
  }),
  nodeCostsTopic: setting('nodeCostsTopic', {
    description: 'Topic of NodeCost records (node and idle series); empty to skip.',
    default: TOPICS.nodeCosts.name,
    parse: parseString,
  }),
  anomaliesTopic: setting('anomaliesTopic', {
    description: 'Topic of CostAnomaly records (anomaly score series); empty to skip.',
    default: TOPICS.anomalies.name,
    parse: parseString,
  }),
  kubeTopic: setting('kubeTopic', {
    description: 'Topic of KubeObject records, read from the beginning for the kcost.io/monthly-budget-usd namespace label (kube_cost_namespace_budget_usd); empty to skip.',
    default: TOPICS.kube.name,
    parse: parseString,
  }),
  recommendationsTopic: setting('recommendationsTopic', {
    description:
      'Topic of Recommendation records (compacted), read from the beginning for the right-sizing series (kube_cost_recommendation_*): the latest advice per key, a tombstone removes its series; empty to skip.',
    default: TOPICS.recommendations.name,
    parse: parseString,
  }),
  deadLetterTopic: setting('deadLetterTopic', {
    description: 'Topic that undecodable records are sent to.',
    default: TOPICS.deadLetter.name,
    parse: parseString,
  }),
  replayFrom: setting<ReplayFrom>('replayFrom', {
    description:
      'Where a starting exporter reads from (by broker timestamp): today (the start of the current UTC day, so the daily namespace cost is complete once caught up; /readyz answers 503 until then), latest (fastest start: the last 10 minutes only, so the daily sums count from then), or a duration back from now such as 2h. Whatever it says, at least the last 10 minutes are read, so the windows around the start are read whole.',
    default: 'today',
    parse: (raw) => parseReplayFrom(raw, parseDurationMillis),
  }),
  seriesGrace: setting('seriesGrace', {
    description:
      "How long a cluster's window gauges stay after its last record arrived, by the exporter's clock (e.g. 5m), so they disappear rather than freeze when the pipeline stops. A deleted pod needs no grace: its series go once a window without it is complete. Anomaly scores stay for their scored interval, or this long if longer.",
    default: 5 * 60_000,
    defaultLabel: '5m',
    parse: parseDurationMillis,
  }),
  token: setting('token', {
    description: 'Bearer token that /metrics requires (Authorization: Bearer <token>); prefer the environment variable or --token-file over the flag, which other users can see in the process list.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  tokenFile: setting('tokenFile', {
    description: 'File holding the bearer token that /metrics requires (surrounding whitespace ignored); overrides --token.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  forecastApiUrl: setting('forecastApiUrl', {
    description:
      'Base URL of kcost api (e.g. http://kcost-api:8080) to fetch namespace forecasts from (GET /v1/forecast) for kube_cost_namespace_projected_monthly_usd and kube_cost_namespace_month_to_date_usd; empty: no projection series.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  forecastApiToken: setting('forecastApiToken', {
    description: 'Bearer token of that API, if it requires one.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  forecastRefresh: setting('forecastRefresh', {
    description: "How often the forecasts are fetched again, e.g. 15m (they change once a day; today's spend is added as it arrives).",
    default: 15 * 60_000,
    defaultLabel: '15m',
    parse: parseDurationMillis,
  }),
  forecastHistory: setting('forecastHistory', {
    description: 'History the forecasts are fitted on (the API\'s window), e.g. 90d.',
    default: '90d',
    parse: parseString,
  }),
};
