import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Codec, Decoded } from '../codec/codec.js';
import type { SchemaName } from '../codec/records.generated.js';
import { isRetriable, KcostError } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';
import type { DeadLetterPublisher } from './dead-letter.js';
import type { ConsumerMetrics } from './kafka-metrics.js';

/** A decoded record with where it came from. */
export interface ConsumedRecord<N extends SchemaName = SchemaName> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** Broker timestamp of the record, in milliseconds. */
  readonly timestamp: number;
  readonly record: Decoded<N>;
}

/** The records of one fetched batch of one partition, in offset order, bad ones removed. */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
  /** The batch's tombstones (null values), in offset order: a compacted topic's way of retiring a key. */
  readonly tombstones: ReadonlyArray<{ readonly offset: string; readonly key: string | null }>;
  /** Offset after the last record of the batch: what is committed once the handler succeeds. */
  readonly nextOffset: string;
  /** Offset lag of the partition after this batch. */
  readonly lag: number;
}

export type BatchHandler = (batch: ConsumedBatch) => Promise<void>;

export interface BatchConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly service: string;
  /** Topics to read and the schema each must carry. */
  readonly topics: ReadonlyArray<{ topic: string; schema: SchemaName }>;
  readonly codec: Codec;
  readonly deadLetters: DeadLetterPublisher;
  readonly metrics: ConsumerMetrics;
  readonly logger: Logger;
  readonly handler: BatchHandler;
  /** Where a new group starts: the earliest records (default) or only new ones. */
  readonly fromBeginning?: boolean;
  readonly maxBytesPerPartition?: number;
  /** How long the group waits for a member that stopped heartbeating before reassigning its partitions. */
  readonly sessionTimeoutMillis?: number;
}

/**
 * Reads batches per partition, decodes them, sends undecodable records to the
 * dead-letter topic, hands the rest to the handler and commits the batch's
 * offsets only after the handler (and the dead letters) succeeded. A handler
 * that throws, or a process that dies mid-batch, gets the same batch again.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private readonly schemaByTopic: Map<string, SchemaName>;
  private running = false;

  constructor(private readonly options: BatchConsumerOptions) {
    this.schemaByTopic = new Map(options.topics.map((t) => [t.topic, t.schema]));
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      sessionTimeout: options.sessionTimeoutMillis ?? 30_000,
      retry: { retries: 10, initialRetryTime: 300 },
    });
  }

  /** Joins the group and starts consuming; resolves once the consumer runs. */
  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.schemaByTopic.keys()], fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.running = true;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** kafkajs events (GROUP_JOIN, CRASH, ...) for health and for roles that seek on assignment. */
  get events(): Consumer['events'] {
    return this.consumer.events;
  }

  /** Subscribes to a kafkajs consumer event; returns the function that unsubscribes. */
  onEvent(event: Parameters<Consumer['on']>[0], listener: (event: unknown) => void): () => void {
    return this.consumer.on(event, listener);
  }

  /** Moves a partition's read position, e.g. to offsets a sink stored in its database. */
  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }

  /** Stops fetching, lets the batch in hand finish and commit, and leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    const schema = this.schemaByTopic.get(batch.topic);
    const records: ConsumedRecord[] = [];
    const rejected: Array<{ message: KafkaMessage; error: unknown }> = [];
    const tombstones: Array<{ offset: string; key: string | null }> = [];
    for (const message of batch.messages) {
      if (message.value === null) {
        tombstones.push({ offset: message.offset, key: message.key?.toString('utf8') ?? null });
        continue;
      }
      const decoded = await this.decode(batch.topic, batch.partition, message, schema);
      if ('error' in decoded) rejected.push({ message, error: decoded.error });
      else records.push(decoded);
    }
    const last = batch.messages[batch.messages.length - 1] as KafkaMessage;
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    try {
      await this.options.handler({
        topic: batch.topic,
        partition: batch.partition,
        records,
        tombstones,
        nextOffset,
        lag: Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(nextOffset))),
      });
    } catch (error) {
      this.options.metrics.batchFailures.inc({ service: this.options.service, topic: batch.topic });
      this.options.logger.error({ err: error, topic: batch.topic, partition: batch.partition }, 'batch handler failed; the batch will be redelivered');
      throw error;
    }
    // Dead letters go out only once the batch is handled, so a redelivered batch does not repeat them.
    for (const { message, error } of rejected) {
      await this.options.deadLetters.publish(
        { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value },
        error,
      );
    }
    payload.resolveOffset(last.offset);
    await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset }]);
    this.options.metrics.recordsConsumed.inc({ service: this.options.service, topic: batch.topic }, records.length);
    await payload.heartbeat();
  }

  private async decode(
    topic: string,
    partition: number,
    message: KafkaMessage,
    schema: SchemaName | undefined,
  ): Promise<ConsumedRecord | { error: unknown }> {
    const value = message.value as Buffer;
    try {
      const decoded = await this.options.codec.decode(value);
      if (schema && decoded.schema !== schema) {
        throw new KcostError('UNEXPECTED_SCHEMA', `topic ${topic} carries ${schema} records, got a ${decoded.schema} record`);
      }
      return {
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        timestamp: Number(message.timestamp),
        record: decoded,
      };
    } catch (error) {
      // A registry that is down is not the record's fault: fail the batch and retry it.
      if (isRetriable(error)) throw error;
      return { error };
    }
  }
}
