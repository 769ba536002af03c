import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { RecordTypes, SchemaName } from '../codec/records.generated.js';
import type { Logger } from '../log/logger.js';
import { chunkTopicMessages } from './chunk-messages.js';

/** A record to publish: its topic, key, schema and value. */
export interface OutgoingRecord<N extends SchemaName = SchemaName> {
  readonly topic: string;
  readonly key: string;
  readonly schema: N;
  readonly value: RecordTypes[N];
}

export interface BatchingProducerOptions {
  readonly producer: Producer;
  readonly codec: Codec;
  readonly logger: Logger;
  /** Send as soon as this many records wait. */
  readonly maxBatchRecords?: number;
  /** Send records that waited this long even when the batch is not full. */
  readonly lingerMillis?: number;
}

interface Pending {
  readonly messages: Map<string, Message[]>;
  readonly waiters: Array<{ resolve: () => void; reject: (error: Error) => void }>;
  count: number;
}

/**
 * Collects records into batches (bounded by count and by time) and sends each
 * batch with acks from all in-sync replicas. publish() resolves once the
 * broker has acknowledged the record, so a caller that awaits it before
 * committing its input offsets loses nothing on a crash.
 */
export class BatchingProducer {
  private readonly maxBatchRecords: number;
  private readonly lingerMillis: number;
  private pending: Pending = emptyPending();
  private timer: NodeJS.Timeout | undefined;
  private inFlight = Promise.resolve();

  constructor(private readonly options: BatchingProducerOptions) {
    this.maxBatchRecords = options.maxBatchRecords ?? 5000;
    this.lingerMillis = options.lingerMillis ?? 20;
  }

  /** Queues records; resolves when all of them are acknowledged by the broker. */
  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const encoded = await Promise.all(records.map((record) => this.options.codec.encode(record.schema, record.value)));
    const acked = new Promise<void>((resolve, reject) => this.pending.waiters.push({ resolve, reject }));
    records.forEach((record, i) => {
      const list = this.pending.messages.get(record.topic) ?? [];
      list.push({ key: record.key, value: encoded[i] ?? null });
      this.pending.messages.set(record.topic, list);
    });
    this.pending.count += records.length;
    if (this.pending.count >= this.maxBatchRecords) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.lingerMillis);
    return acked;
  }

  /** Sends whatever waits now; resolves when everything queued so far is acknowledged. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = emptyPending();
    // Batches go out one at a time so records keep their order per partition.
    this.inFlight = this.inFlight.then(() => this.send(batch));
    return this.inFlight;
  }

  private async send(batch: Pending): Promise<void> {
    if (batch.count === 0) return;
    try {
      for (const topicMessages of chunkTopicMessages([...batch.messages].map(([topic, messages]) => ({ topic, messages })))) {
        await this.options.producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
      }
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (error) {
      this.options.logger.error({ err: error, records: batch.count }, 'sending a batch to Kafka failed');
      for (const waiter of batch.waiters) waiter.reject(error as Error);
    }
  }
}

function emptyPending(): Pending {
  return { messages: new Map(), waiters: [], count: 0 };
}
