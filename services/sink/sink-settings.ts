import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseBoolean, parseDurationMillis, parseInteger, parseNonEmpty, parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { databaseSettings } from '../db/db-settings.js';
import { TOPICS } from '../kafka/topics.js';

/** Every setting of `kcost sink`. */
export const sinkSettings = {
  ...kafkaSettings,
  ...processSettings,
  ...databaseSettings,
  groupId: setting('groupId', {
    description: 'Kafka consumer group, also the key of the offsets stored in the sink_offset table.',
    default: 'kcost-sink',
    parse: parseNonEmpty,
  }),
  costsTopic: setting('costsTopic', {
    description: 'Topic of PodCost records loaded into pod_cost (and its rollups); empty to skip.',
    default: TOPICS.costs.name,
    parse: parseString,
  }),
  nodeCostsTopic: setting('nodeCostsTopic', {
    description: 'Topic of NodeCost records loaded into node_cost (and its rollups); empty to skip.',
    default: TOPICS.nodeCosts.name,
    parse: parseString,
  }),
  anomaliesTopic: setting('anomaliesTopic', {
    description: 'Topic of CostAnomaly records loaded into cost_anomaly; empty to skip.',
    default: TOPICS.anomalies.name,
    parse: parseString,
  }),
  pricesTopic: setting('pricesTopic', {
    description: 'Topic of PriceUpdate records loaded into price_history; empty (the default) to skip.',
    default: '',
    defaultLabel: '(empty: not loaded)',
    parse: parseString,
  }),
  recommendationsTopic: setting('recommendationsTopic', {
    description: 'Topic of Recommendation records: each version is appended to recommendation_history, the latest per key kept in recommendation (a tombstone deletes the key); empty to skip.',
    default: TOPICS.recommendations.name,
    parse: parseString,
  }),
  billingTopic: setting('billingTopic', {
    description: `Topic of BillingLine records kept in billing_line, one row per key as last delivered (a tombstone deletes the line), e.g. ${TOPICS.billing.name} where kcost collect bill runs; empty (the default) to skip.`,
    default: '',
    defaultLabel: '(empty: not loaded)',
    parse: parseString,
  }),
  deadLetterTopic: setting('deadLetterTopic', {
    description: 'Topic that receives the records the sink cannot load (DeadLetter records naming topic, partition, offset and reason).',
    default: TOPICS.deadLetter.name,
    parse: parseNonEmpty,
  }),
  maxBatchRows: setting('maxBatchRows', {
    description: 'Most records loaded in one transaction; a larger fetch is split into several transactions.',
    default: 20_000,
    parse: parseInteger(1, 1_000_000),
  }),
  maxBatchWait: setting('maxBatchWait', {
    description: 'Longest the broker holds a fetch open to gather records (the time bound of a batch), e.g. 500ms.',
    default: 500,
    defaultLabel: '500ms',
    parse: parseDurationMillis,
  }),
  minFetchBytes: setting('minFetchBytes', {
    description: 'The broker answers a fetch as soon as it holds this many bytes, else after --max-batch-wait.',
    default: 256 * 1024,
    parse: parseInteger(1),
  }),
  maxFetchBytesPerPartition: setting('maxFetchBytesPerPartition', {
    description: 'Most bytes fetched per partition at once (bounds a batch by size).',
    default: 8 * 1024 * 1024,
    parse: parseInteger(1024),
  }),
  sessionTimeout: setting('sessionTimeout', {
    description: 'Kafka group session timeout: how soon the group reassigns the partitions of a sink that died.',
    default: 10_000,
    defaultLabel: '10s',
    parse: parseDurationMillis,
  }),
  dbMaxAttempts: setting('dbMaxAttempts', {
    description: 'Attempts per batch transaction when the database is unavailable (connection lost, serialization failure, deadlock, shutdown) before the batch is handed back to Kafka for redelivery.',
    default: 10,
    parse: parseInteger(1, 1000),
  }),
  dbRetryMaxDelay: setting('dbRetryMaxDelay', {
    description: 'Longest wait between two attempts (exponential backoff from 200ms).',
    default: 30_000,
    defaultLabel: '30s',
    parse: parseDurationMillis,
  }),
  dbPoolSize: setting('dbPoolSize', {
    description: 'Database connections the sink keeps open.',
    default: 4,
    parse: parseInteger(1, 100),
  }),
  migrate: setting('migrate', {
    description: 'Apply pending migrations (as kcost migrate does) before consuming.',
    default: false,
    parse: parseBoolean,
    isSwitch: true,
  }),
};

/** Retention of the plain PostgreSQL path (TimescaleDB runs its own retention policies). */
export const retentionSettings = {
  rawRetention: setting('rawRetention', {
    description: 'Plain PostgreSQL only: daily partitions of pod_cost and node_cost older than this are dropped, once an hour (TimescaleDB uses its retention policies instead).',
    default: 90 * 86_400_000,
    defaultLabel: '90d',
    parse: parseDurationMillis,
  }),
};

/** Every setting of `kcost sink`. */
export const sinkRoleSettings = { ...sinkSettings, ...retentionSettings };
