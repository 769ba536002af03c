import type { Producer } from 'kafkajs';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter, Recommendation } from '../../services/codec/records.generated.js';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { BatchingProducer } from '../../services/kafka/batching-producer.js';
import { DeadLetterPublisher } from '../../services/kafka/dead-letter.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { createConsumerMetrics } from '../../services/kafka/kafka-metrics.js';
import { TOPICS, type TopicSpec } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { buildSink, type Sink } from '../../services/sink/sink.js';
import { createSinkMetrics } from '../../services/sink/sink-metrics.js';
import { recommendation } from '../fixtures/storage/recommendations.js';
import { createTestDatabase } from '../support/database.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { testConsumer } from '../support/pipeline.js';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 11, 6, 12, 0);
const codec = testCodec();
const logger = silentLogger();

const version = (name: string, hours: number, savingUsd: number) => recommendation({ target: { workloadName: name }, generatedAt: T + hours * HOUR, savingUsd });

describe('kcost sink: kcost.recommendations.v1', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let topic: TopicSpec;
  let deadLetter: TopicSpec;
  let producer: Producer;
  const group = uniqueName('sink-recommendations');
  let published = 0;

  beforeAll(async () => {
    database = await createTestDatabase('kcost_recsink');
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    const client = await pool.connect();
    await migrate(pgSqlClient(client), { logger });
    client.release();
    [topic, deadLetter] = (await createTestTopics(testKafka(), [{ ...TOPICS.recommendations, partitions: 2 }, TOPICS.deadLetter])) as [TopicSpec, TopicSpec];
    producer = createProducer(testKafka());
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await pool?.end();
    await database?.drop();
  });

  /** Publishes versions (encoded with the contract) and tombstones, each under its key, in this order. */
  async function publish(messages: Array<{ key: string; value: Recommendation | null }>): Promise<void> {
    for (const m of messages) {
      await producer.send({ topic: topic.name, messages: [{ key: m.key, value: m.value === null ? null : await codec.encode('Recommendation', m.value) }] });
      published++;
    }
  }

  async function startSink(): Promise<{ sink: Sink; close(): Promise<void> }> {
    const kafka = testKafka();
    const registry = new Registry();
    const consumerMetrics = createConsumerMetrics(registry);
    const raw = createProducer(kafka);
    await raw.connect();
    const deadLetters = new DeadLetterPublisher({
      producer: new BatchingProducer({ producer: raw, codec, logger }),
      service: 'sink',
      counter: consumerMetrics.deadLetters,
      logger,
      topic: deadLetter.name,
    });
    const sink = buildSink(
      { kafka, pool, codec, variant: 'postgres', deadLetters, consumerMetrics, metrics: createSinkMetrics(registry), logger },
      {
        groupId: group,
        topics: [{ topic: topic.name, schema: 'Recommendation' }],
        maxBatchRows: 1000,
        maxBatchWaitMillis: 100,
        minFetchBytes: 1,
        maxFetchBytesPerPartition: 1024 * 1024,
        sessionTimeoutMillis: 6000,
        retry: { maxAttempts: 3, initialDelayMillis: 100, maxDelayMillis: 1000 },
      },
    );
    await sink.start();
    return {
      sink,
      async close() {
        await sink.stop();
        await raw.disconnect();
      },
    };
  }

  const storedOffsets = async () =>
    Number((await pool.query<{ n: string }>('SELECT coalesce(sum(next_offset), 0) AS n FROM sink_offset WHERE consumer_group = $1 AND topic = $2', [group, topic.name])).rows[0]?.n);

  async function loadEverything(): Promise<void> {
    const run = await startSink();
    try {
      await waitFor(async () => (await storedOffsets()) >= published, 60_000, `the sink to store offsets for ${published} records`);
    } finally {
      await run.close();
    }
  }

  it('keeps the newest version per key, appends every version to history once across a restart, and retires tombstoned keys', async () => {
    const a2 = version('a', 2, 20);
    const a1 = version('a', 1, 10);
    const b0 = version('b', 0, 5);
    const c0 = version('c', 0, 7);
    const notFinite = { ...version('d', 0, 1), confidence: Number.NaN };
    const withNul = version('e', 0, 1);
    withNul.strategy = { ...withNul.strategy, name: 'kc\u0000ost' };
    const elsewhere = version('f', 0, 1);
    // A kind this version reads as UNKNOWN is left out (the schema asks readers to skip it), not dead-lettered.
    const newerKind = { ...version('h', 0, 1), kind: 'UNKNOWN' as const, workloadResources: null };
    const noDetail = { ...version('i', 0, 1), workloadResources: null };
    await publish([
      { key: newerKind.key, value: newerKind },
      { key: noDetail.key, value: noDetail },
      { key: a2.key, value: a2 },
      { key: b0.key, value: b0 },
      { key: a1.key, value: a1 }, // older than a2: history only
      { key: c0.key, value: c0 },
      { key: notFinite.key, value: notFinite },
      { key: withNul.key, value: withNul },
      { key: version('g', 0, 1).key, value: elsewhere },
    ]);
    await loadEverything();
    const latest = async () =>
      (await pool.query<{ key: string; generated_at: Date; monthly_savings_usd: number; record: Recommendation }>('SELECT key, generated_at, monthly_savings_usd, record FROM recommendation ORDER BY key')).rows;
    expect((await latest()).map((r) => [r.key, r.generated_at.getTime(), r.monthly_savings_usd])).toEqual([
      [a2.key, a2.generatedAt, 20],
      [b0.key, b0.generatedAt, 5],
      [c0.key, c0.generatedAt, 7],
    ]);

    // As if the sink had died after its database commit but before its Kafka commit: only the stored offsets may count.
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await waitFor(async () => (await admin.describeGroups([group])).groups[0]?.state === 'Empty', 30_000, 'the sink to leave its group');
      await admin.resetOffsets({ groupId: group, topic: topic.name, earliest: true });
    } finally {
      await admin.disconnect();
    }
    const a3 = version('a', 3, 30);
    const bOlder = version('b', -1, 50);
    await publish([
      { key: c0.key, value: null },
      { key: a3.key, value: a3 },
      { key: bOlder.key, value: bOlder }, // older than the stored b0: history only, b0 stays
    ]);
    await loadEverything();

    const rows = await latest();
    expect(rows.map((r) => [r.key, r.generated_at.getTime(), r.monthly_savings_usd])).toEqual([
      [a3.key, a3.generatedAt, 30],
      [b0.key, b0.generatedAt, 5],
    ]);
    // The record column is the record as published: what /v1/recommendations serves.
    expect(rows[0]?.record).toEqual(a3);
    expect(rows[1]?.record).toEqual(b0);
    const history = await pool.query<{ key: string; generated_at: Date; monthly_savings_usd: number; cpu_recommended_request_cores: number; sample_count: string }>(
      'SELECT key, generated_at, monthly_savings_usd, cpu_recommended_request_cores, sample_count FROM recommendation_history ORDER BY key, generated_at',
    );
    expect(history.rows.map((r) => [r.key, r.generated_at.getTime(), r.monthly_savings_usd])).toEqual([
      [a1.key, a1.generatedAt, 10],
      [a2.key, a2.generatedAt, 20],
      [a3.key, a3.generatedAt, 30],
      [bOlder.key, bOlder.generatedAt, 50],
      [b0.key, b0.generatedAt, 5],
      [c0.key, c0.generatedAt, 7],
    ]);
    expect(history.rows[0]).toMatchObject({ cpu_recommended_request_cores: 0.45, sample_count: '60480' });

    const letters: DeadLetter[] = [];
    const reader = await testConsumer({
      kafka: testKafka(),
      codec,
      groupId: uniqueName('dlq-reader'),
      topics: [deadLetter],
      deadLetterTopic: uniqueName('unused'),
      handler: (batch) => {
        letters.push(...batch.records.map((r) => r.record.value as DeadLetter));
        return Promise.resolve();
      },
    });
    try {
      await waitFor(() => letters.length >= 4, 30_000, 'four dead letters');
    } finally {
      await reader.stop();
    }
    const byKey = new Map(letters.map((l) => [Buffer.from(l.key ?? []).toString(), l]));
    expect(byKey.get(notFinite.key)).toMatchObject({ sourceTopic: topic.name, reasonCode: 'INVALID_RECORD', reason: 'confidence is not a finite number: NaN', service: 'sink' });
    expect(byKey.get(withNul.key)).toMatchObject({ reasonCode: 'DB_REJECTED' });
    expect(byKey.get(version('g', 0, 1).key)).toMatchObject({
      reasonCode: 'INVALID_RECORD',
      reason: `the Kafka key "${version('g', 0, 1).key}" is not the record's key "${elsewhere.key}"`,
    });
    expect(byKey.get(noDetail.key)).toMatchObject({ reasonCode: 'INVALID_RECORD', reason: 'workloadResources is missing for a WORKLOAD_RESOURCES recommendation' });
    // Redelivered after the rewind, yet each went out once: the second sink dropped what the database held.
    expect(letters).toHaveLength(4);
    expect(byKey.has(newerKind.key)).toBe(false);
  }, 180_000);
});
