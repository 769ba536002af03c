import { Registry } from 'prom-client';
import type { RoleRun } from '../cli/role.js';
import { createCodec } from '../codec/create-codec.js';
import { migrate, storageVariantOf } from '../db/migrations.js';
import { createPool } from '../db/pool.js';
import { pgSqlClient } from '../db/sql-client.js';
import { databaseAddress } from '../db/database-reachable.js';
import { classifyDbError } from '../db/pg-errors.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import { BatchingProducer } from '../kafka/batching-producer.js';
import { DeadLetterPublisher } from '../kafka/dead-letter.js';
import { createKafka, createProducer } from '../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../kafka/kafka-security.js';
import { createConsumerMetrics } from '../kafka/kafka-metrics.js';
import { startHealthServer } from '../lifecycle/health-server.js';
import { servingSecurityOf } from '../lifecycle/http-listener.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { createLogger } from '../log/logger.js';
import { databaseHealth } from './database-health.js';
import { sleepUnless, withRetry } from './retry.js';
import { buildSink } from './sink.js';
import { createSinkMetrics } from './sink-metrics.js';
import type { sinkRoleSettings } from './sink-settings.js';
import type { LoadedSchema } from './tables.js';

const HOUR = 3_600_000;

/** Runs `kcost sink`; its help and settings are in sink-role.ts. */
export const run: RoleRun<typeof sinkRoleSettings> = async (config) => {
  const logger = createLogger({ service: 'sink', level: config.logLevel });
  const registry = new Registry();
  const pool = createPool({ url: config.databaseUrl, max: config.dbPoolSize, applicationName: 'kcost-sink', logger });
  const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
  const producer = createProducer(kafka);
  const database = databaseHealth(pool, logger);
  let sink: ReturnType<typeof buildSink> | undefined;
  let stopRequested = false;
  let retention: NodeJS.Timeout | undefined;
  // Up first, so /healthz answers (and /readyz says not ready) while the sink waits for its database.
  const health = await startHealthServer({ port: config.healthPort, isReady: () => (sink?.isReady() ?? false) && database.reachable, registry , security: servingSecurityOf(config, logger) });
  logger.info({ port: health.port }, 'health server listening');
  const stopped = stopOnSignals(async () => {
    stopRequested = true;
    await sink?.stop();
  }, logger);
  try {
    const variant = await withRetry(() => prepareDatabase(pool, config.migrate, logger), {
      policy: { maxAttempts: Number.POSITIVE_INFINITY, initialDelayMillis: 500, maxDelayMillis: config.dbRetryMaxDelay },
      isRetriable: (error) => classifyDbError(error) === 'transient',
      shouldStop: () => stopRequested,
      sleep: (millis) => sleepUnless(millis, () => stopRequested),
      onRetry: (error, attempt, delayMillis) => logger.warn({ attempt, delayMillis }, `database ${databaseAddress(config.databaseUrl)} unavailable (${messageOf(error)}); waiting for it`),
    });
    if (stopRequested) return 0;
    database.start();
    const codec = createCodec({ schemaRegistryUrl: config.schemaRegistryUrl });
    const consumerMetrics = createConsumerMetrics(registry);
    await producer.connect();
    const deadLetters = new DeadLetterPublisher({
      producer: new BatchingProducer({ producer, codec, logger }),
      service: 'sink',
      counter: consumerMetrics.deadLetters,
      logger,
      topic: config.deadLetterTopic,
    });
    const topics = (
      [
        [config.costsTopic, 'PodCost'],
        [config.nodeCostsTopic, 'NodeCost'],
        [config.anomaliesTopic, 'CostAnomaly'],
        [config.pricesTopic, 'PriceUpdate'],
        [config.recommendationsTopic, 'Recommendation'],
        [config.billingTopic, 'BillingLine'],
      ] as Array<[string, LoadedSchema]>
    )
      .filter(([topic]) => topic !== '')
      .map(([topic, schema]) => ({ topic, schema }));
    if (topics.length === 0) throw new KcostError('INVALID_CONFIG', 'every topic is disabled; set at least one of --costs-topic, --node-costs-topic, --anomalies-topic, --prices-topic, --recommendations-topic, --billing-topic');
    sink = buildSink(
      { kafka, pool, codec, variant, deadLetters, consumerMetrics, metrics: createSinkMetrics(registry), logger },
      {
        groupId: config.groupId,
        topics,
        maxBatchRows: config.maxBatchRows,
        maxBatchWaitMillis: config.maxBatchWait,
        minFetchBytes: config.minFetchBytes,
        maxFetchBytesPerPartition: config.maxFetchBytesPerPartition,
        sessionTimeoutMillis: config.sessionTimeout,
        retry: { maxAttempts: config.dbMaxAttempts, initialDelayMillis: 200, maxDelayMillis: config.dbRetryMaxDelay },
      },
    );
    await sink.start();
    if (variant === 'postgres') {
      const dropExpired = () =>
        pool
          .query<{ dropped: number }>('SELECT kcost_drop_expired($1::interval) AS dropped', [`${Math.round(config.rawRetention / 1000)} seconds`])
          .then(({ rows }) => logger.info({ dropped: rows[0]?.dropped }, 'applied retention'))
          .catch((error: unknown) => logger.warn({ err: error }, 'retention failed; it runs again in an hour'));
      void dropExpired();
      retention = setInterval(() => void dropExpired(), HOUR);
    }
    await stopped;
    return 0;
  } finally {
    if (retention) clearInterval(retention);
    database.stop();
    await health.close();
    await producer.disconnect().catch(() => undefined);
    await pool.end();
  }
};

async function prepareDatabase(pool: ReturnType<typeof createPool>, runMigrations: boolean, logger: ReturnType<typeof createLogger>) {
  const client = await pool.connect();
  try {
    const sql = pgSqlClient(client);
    if (runMigrations) return (await migrate(sql, { logger })).variant;
    const variant = await storageVariantOf(sql);
    if (!variant) throw new KcostError('NOT_MIGRATED', 'the database has no kcost schema yet: run kcost migrate (or start the sink with --migrate)');
    return variant;
  } finally {
    client.release();
  }
}
