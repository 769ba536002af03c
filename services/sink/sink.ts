import type { ConsumerConfig, Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Codec } from '../codec/codec.js';
import type { RecordTypes } from '../codec/records.generated.js';
import type { StorageVariant } from '../db/migration-plan.js';
import { classifyDbError } from '../db/pg-errors.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import { BatchConsumer, type ConsumedBatch } from '../kafka/batch-consumer.js';
import type { DeadLetterPublisher } from '../kafka/dead-letter.js';
import type { ConsumerMetrics } from '../kafka/kafka-metrics.js';
import type { Logger } from '../log/logger.js';
import { BatchWriter, type LoadBatch, type Rejection, type SinkRecord } from './batch-writer.js';
import { withRetry, type RetryPolicy } from './retry.js';
import type { SinkMetrics } from './sink-metrics.js';
import { readOffsets } from './sink-offsets.js';
import { KEYED_SCHEMAS, type LoadedSchema } from './tables.js';

export interface SinkConfig {
  readonly groupId: string;
  /** The topics to load and the schema each carries. */
  readonly topics: ReadonlyArray<{ readonly topic: string; readonly schema: LoadedSchema }>;
  /** Most records one transaction loads; a larger fetch is split. */
  readonly maxBatchRows: number;
  /** Longest the broker holds a fetch to fill it (the time bound of a batch). */
  readonly maxBatchWaitMillis: number;
  /** The broker answers a fetch early once it has this many bytes (the size bound of a batch). */
  readonly minFetchBytes: number;
  readonly maxFetchBytesPerPartition: number;
  readonly sessionTimeoutMillis: number;
  readonly retry: RetryPolicy;
}

export interface SinkDeps {
  readonly kafka: Kafka;
  readonly pool: pg.Pool;
  readonly codec: Codec;
  readonly variant: StorageVariant;
  readonly deadLetters: DeadLetterPublisher;
  readonly consumerMetrics: ConsumerMetrics;
  readonly metrics: SinkMetrics;
  readonly logger: Logger;
}

/** A running sink: start() joins the group, stop() lets the batch in hand commit and leaves. */
export interface Sink {
  start(): Promise<void>;
  stop(): Promise<void>;
  isReady(): boolean;
}

/**
 * Wires the Kafka consumer to the batch writer. Kafka's committed offsets
 * are only a hint: the offsets stored in the database decide what is loaded,
 * and on every assignment the consumer seeks to them.
 */
export function buildSink(deps: SinkDeps, config: SinkConfig): Sink {
  const schemaByTopic = new Map(config.topics.map((t) => [t.topic, t.schema]));
  const logger = deps.logger;
  let stopping = false;
  let dbHealthy = true;
  const writer = new BatchWriter({
    pool: deps.pool,
    variant: deps.variant,
    group: config.groupId,
    logger,
    reject: (batch, rejections) => publishRejections(deps, batch, rejections),
  });

  const handle = async (batch: ConsumedBatch): Promise<void> => {
    const schema = schemaByTopic.get(batch.topic);
    if (!schema) throw new KcostError('UNEXPECTED_TOPIC', `the sink does not load topic ${batch.topic}`);
    const records: SinkRecord[] = batch.records.map((r) => ({ offset: r.offset, key: r.key, value: r.record.value }));
    if (KEYED_SCHEMAS.has(schema) && batch.tombstones.length > 0) {
      // Tombstones retire keys of the recommendation and billing_line tables, so they load in offset order with the versions.
      records.push(...batch.tombstones.map((t) => ({ offset: t.offset, key: t.key, value: null })));
      records.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
    }
    // An empty fetch (tombstones or only undecodable records) still moves the stored offset.
    const chunks = records.length === 0 ? [[]] : chunk(records, config.maxBatchRows);
    for (let i = 0; i < chunks.length; i++) {
      const part = chunks[i] as typeof records;
      const last = part[part.length - 1];
      const nextOffset = i === chunks.length - 1 || !last ? batch.nextOffset : (BigInt(last.offset) + 1n).toString();
      await load({ topic: batch.topic, partition: batch.partition, schema, records: part, nextOffset });
    }
  };

  const load = async (batch: LoadBatch): Promise<void> => {
    const table = batch.schema;
    const timer = deps.metrics.transactionSeconds.startTimer({ table });
    const result = await withRetry(() => writer.write(batch), {
      policy: config.retry,
      isRetriable: (error) => classifyDbError(error) === 'transient',
      shouldStop: () => stopping,
      onRetry: (error, attempt, delayMillis) => {
        dbHealthy = false;
        deps.metrics.dbRetries.inc();
        logger.warn({ err: error, topic: batch.topic, partition: batch.partition, attempt, delayMillis }, `database unavailable: ${messageOf(error)}; retrying`);
      },
    });
    dbHealthy = true;
    timer();
    deps.metrics.rowsLoaded.inc({ table }, result.loaded);
    if (result.ignored > 0) {
      deps.metrics.recordsSkipped.inc({ topic: batch.topic }, result.ignored);
      logger.info({ topic: batch.topic, partition: batch.partition, ignored: result.ignored }, 'left out recommendations of a kind this version does not know');
    }
    if (result.skipped > 0) {
      deps.metrics.recordsSkipped.inc({ topic: batch.topic }, result.skipped);
      logger.info({ topic: batch.topic, partition: batch.partition, skipped: result.skipped }, 'dropped records the database already holds');
    }
  };

  const consumer = new BatchConsumer({
    kafka: withConsumerTuning(deps.kafka, {
      sessionTimeout: config.sessionTimeoutMillis,
      heartbeatInterval: Math.max(500, Math.floor(config.sessionTimeoutMillis / 4)),
      maxWaitTimeInMs: config.maxBatchWaitMillis,
      minBytes: config.minFetchBytes,
    }),
    groupId: config.groupId,
    service: 'sink',
    topics: config.topics,
    codec: deps.codec,
    deadLetters: deps.deadLetters,
    metrics: deps.consumerMetrics,
    logger,
    handler: handle,
    maxBytesPerPartition: config.maxFetchBytesPerPartition,
  });

  const seekToStoredOffsets = async (assignment: Record<string, number[]>): Promise<void> => {
    const stored = await readOffsets(deps.pool, config.groupId, Object.keys(assignment));
    for (const { topic, partition, nextOffset } of stored) {
      if (!assignment[topic]?.includes(partition)) continue;
      consumer.seek(topic, partition, nextOffset);
      logger.info({ topic, partition, offset: nextOffset }, 'resuming from the offset stored in the database');
    }
  };

  return {
    async start() {
      consumer.onEvent(consumer.events.GROUP_JOIN, (event) => {
        const assignment = (event as { payload?: { memberAssignment?: Record<string, number[]> } }).payload?.memberAssignment ?? {};
        // A seek that fails costs only re-reading: the offset check in each transaction still drops what was loaded.
        seekToStoredOffsets(assignment).catch((error: unknown) => logger.warn({ err: error }, 'could not read the stored offsets to seek to'));
      });
      await consumer.start();
      logger.info({ topics: config.topics.map((t) => t.topic), group: config.groupId, variant: deps.variant }, 'sink started');
    },
    async stop() {
      stopping = true;
      await consumer.stop();
    },
    isReady: () => consumer.isRunning && dbHealthy,
  };
}

async function publishRejections(deps: SinkDeps, batch: LoadBatch, rejections: readonly Rejection[]): Promise<void> {
  for (const { record, code, reason } of rejections) {
    let value: Buffer | null = null;
    try {
      value = await deps.codec.encode(batch.schema, record.value as RecordTypes[LoadedSchema]);
    } catch {
      // The record decoded, so this is unexpected; the letter still names topic, partition and offset.
    }
    await deps.deadLetters.publish(
      { topic: batch.topic, partition: batch.partition, offset: record.offset, key: record.key === null ? null : Buffer.from(record.key), value },
      new KcostError(code, reason),
    );
    deps.metrics.recordsRejected.inc({ topic: batch.topic, reason: code });
  }
}

/**
 * A Kafka client whose consumers get the sink's fetch and session settings;
 * BatchConsumer builds its consumer from the client it is given.
 */
function withConsumerTuning(kafka: Kafka, tuning: Partial<ConsumerConfig>): Kafka {
  return Object.create(kafka, {
    consumer: { value: (consumerConfig: ConsumerConfig) => kafka.consumer({ ...consumerConfig, ...tuning }) },
  }) as Kafka;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
