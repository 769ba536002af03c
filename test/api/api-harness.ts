import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { Registry } from 'prom-client';
import type { CostAnomaly, NodeCost, PodCost, PriceUpdate, Recommendation } from '../../services/codec/records.generated.js';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { build, type ApiApp, type ApiConfig } from '../../services/api/app.js';
import { openPgCursor } from '../../services/api/pg-cursor.js';
import { DeadLetterPublisher } from '../../services/kafka/dead-letter.js';
import { createConsumerMetrics } from '../../services/kafka/kafka-metrics.js';
import { anomalyKey, nodeKey, podKey, priceKey, TOPICS } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { buildSink } from '../../services/sink/sink.js';
import { createSinkMetrics } from '../../services/sink/sink-metrics.js';
import { createTestDatabase } from '../support/database.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { testProducer } from '../support/pipeline.js';
import { anomalyRecords, costRecords, NOW, priceRecords } from './cost-records.js';
import { recommendationRecords } from './recommendation-records.js';

export interface Records {
  readonly pods: readonly PodCost[];
  readonly nodes: readonly NodeCost[];
  readonly anomalies: readonly CostAnomaly[];
  readonly prices: readonly PriceUpdate[];
  /** Published in this order (so an older version may follow a newer one), to kcost.recommendations.v1. */
  readonly recommendations?: readonly Recommendation[];
}

/** A fresh, migrated database filled through the real sink from real Kafka topics. */
export interface LoadedDatabase {
  readonly pool: pg.Pool;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Creates a unique database, runs the migrations (as `kcost migrate` does),
 * publishes the records to unique copies of the cost topics and runs the sink
 * in-process until every row is loaded, then stops it.
 */
export async function loadThroughSink(records: Records): Promise<LoadedDatabase> {
  const database = await createTestDatabase('kcost_api');
  const migrator = new pg.Client({ connectionString: database.url });
  await migrator.connect();
  await migrate(pgSqlClient(migrator), { logger: silentLogger(), variant: 'postgres' });
  await migrator.end();

  const kafka = testKafka('kcost-api-test');
  const codec = testCodec();
  const [costs, nodeCosts, anomalies, prices, deadLetter, recommendations] = await createTestTopics(kafka, [
    TOPICS.costs,
    TOPICS.nodeCosts,
    TOPICS.anomalies,
    TOPICS.prices,
    TOPICS.deadLetter,
    TOPICS.recommendations,
  ]);
  if (!costs || !nodeCosts || !anomalies || !prices || !deadLetter || !recommendations) throw new Error('topics were not created');
  const { producer, disconnect } = await testProducer(kafka, codec);
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // close() drops the database WITH (FORCE): a connection still closing then is terminated by the server, which is expected, not a failure.
  pool.on('error', () => undefined);
  try {
    await producer.publish([
      ...records.pods.map((value) => ({ topic: costs.name, key: podKey(value), schema: 'PodCost' as const, value })),
      ...records.nodes.map((value) => ({ topic: nodeCosts.name, key: nodeKey(value), schema: 'NodeCost' as const, value })),
      ...records.anomalies.map((value) => ({ topic: anomalies.name, key: anomalyKey(value), schema: 'CostAnomaly' as const, value })),
      ...records.prices.map((value) => ({ topic: prices.name, key: priceKey(value), schema: 'PriceUpdate' as const, value })),
      ...(records.recommendations ?? []).map((value) => ({ topic: recommendations.name, key: value.key, schema: 'Recommendation' as const, value })),
    ]);
    const registry = new Registry();
    const consumerMetrics = createConsumerMetrics(registry);
    const sink = buildSink(
      {
        kafka,
        pool,
        codec,
        variant: 'postgres',
        deadLetters: new DeadLetterPublisher({ producer, service: 'sink', counter: consumerMetrics.deadLetters, logger: silentLogger(), topic: deadLetter.name }),
        consumerMetrics,
        metrics: createSinkMetrics(registry),
        logger: silentLogger(),
      },
      {
        groupId: uniqueName('kcost-api-test-sink'),
        topics: [
          { topic: costs.name, schema: 'PodCost' },
          { topic: nodeCosts.name, schema: 'NodeCost' },
          { topic: anomalies.name, schema: 'CostAnomaly' },
          { topic: prices.name, schema: 'PriceUpdate' },
          { topic: recommendations.name, schema: 'Recommendation' },
        ],
        maxBatchRows: 20_000,
        maxBatchWaitMillis: 200,
        minFetchBytes: 1,
        maxFetchBytesPerPartition: 4 * 1024 * 1024,
        sessionTimeoutMillis: 10_000,
        retry: { maxAttempts: 3, initialDelayMillis: 100, maxDelayMillis: 1000 },
      },
    );
    await sink.start();
    const expected = [records.pods.length, records.nodes.length, records.anomalies.length, records.prices.length, records.recommendations?.length ?? 0];
    try {
      await waitFor(
        async () => {
          const { rows } = await pool.query<{ counts: string[] }>(
            `SELECT ARRAY[(SELECT count(*) FROM pod_cost), (SELECT count(*) FROM node_cost), (SELECT count(*) FROM cost_anomaly), (SELECT count(*) FROM price_history), (SELECT count(*) FROM recommendation_history)]::text[] AS counts`,
          );
          return JSON.stringify(rows[0]?.counts.map(Number)) === JSON.stringify(expected);
        },
        60_000,
        `the sink to load ${expected.join('/')} pod/node/anomaly/price/recommendation rows`,
      );
    } finally {
      await sink.stop();
    }
  } catch (error) {
    await pool.end();
    await database.drop();
    throw error;
  } finally {
    await disconnect();
  }
  return {
    pool,
    url: database.url,
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

export const TEST_API_CONFIG: ApiConfig = { token: '', maxRows: 100_000, rateLimitPerMinute: 0, maxUrlLength: 8192 };

/** The API over a loaded database, with a fixed clock, reading large answers through a cursor as `kcost api` does. */
export function buildApi(pool: pg.Pool, nowMillis: number, config: Partial<ApiConfig> = {}): Promise<ApiApp> {
  return build(
    {
      runQuery: async (query) => (await pool.query(query.text, [...query.values])).rows as Array<Record<string, unknown>>,
      openCursor: (query, batchRows) => openPgCursor(pool, query, batchRows),
      ping: async () => void (await pool.query('SELECT 1')),
      clock: () => nowMillis,
      logger: silentLogger(),
      registry: new Registry(),
    },
    { ...TEST_API_CONFIG, ...config },
  );
}

/**
 * For a test file: before its tests, the standard records (cost-records.ts) loaded through
 * the sink and the API built over them at NOW; after them, both closed.
 */
export function useLoadedApi(): { readonly db: LoadedDatabase; readonly api: ApiApp } {
  const loaded = {} as { db: LoadedDatabase; api: ApiApp };
  beforeAll(async () => {
    const { pods, nodes } = costRecords();
    loaded.db = await loadThroughSink({ pods, nodes, anomalies: anomalyRecords(), prices: priceRecords(), recommendations: recommendationRecords() });
    loaded.api = await buildApi(loaded.db.pool, NOW);
  });
  afterAll(async () => {
    await loaded.api?.close();
    await loaded.db?.close();
  });
  return loaded;
}
