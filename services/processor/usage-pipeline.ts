import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, PartitionOffset, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { DeadLetter, RecordTypes, SchemaName, UsageSample } from '../codec/records.generated.js';
import { KcostError } from '../errors/kcost-error.js';
import { chunkTopicMessages } from '../kafka/chunk-messages.js';
import { toDeadLetter } from '../kafka/dead-letter.js';
import { createProducer } from '../kafka/kafka-client.js';
import { anomalyKey, nodeKey, podKey } from '../kafka/topics.js';
import type { Logger } from '../log/logger.js';
import type { AllocationBases } from './allocation.js';
import { AnomalyDetector } from './anomaly-detector.js';
import type { AnomalyOptions } from './anomaly-scorer.js';
import type { ClusterState } from './cluster-state.js';
import type { PriceHistory } from './price-history.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import { WindowAssembler } from './window-assembler.js';

const MAX_TRANSACTION_ATTEMPTS = 8;

function isRetriableKafkaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}
import { priceWindow } from './window-pricer.js';

export interface UsagePipelineOptions {
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly state: ClusterState;
  readonly prices: PriceHistory;
  readonly groupId: string;
  readonly transactionalId: string;
  readonly topics: { usage: string; costs: string; nodeCosts: string; anomalies: string; deadLetter: string };
  readonly allowedLatenessMillis: number;
  readonly stateRetentionMillis: number;
  readonly bases: AllocationBases;
  readonly anomaly: AnomalyOptions;
  /** Called once when a batch could not be published and committed; the process must stop and restart from committed offsets. */
  readonly onFatal: (error: unknown) => void;
  readonly now?: () => number;
}

interface Outgoing<N extends SchemaName = SchemaName> {
  readonly topic: string;
  readonly key: string;
  readonly schema: N;
  readonly value: RecordTypes[N];
}

const HOUR = 3_600_000;

/**
 * Consumes kcost.usage.v1 in the consumer group, assembles event-time
 * windows, prices the closed ones and publishes PodCost, NodeCost,
 * CostAnomaly and dead-letter records in a Kafka transaction together with
 * the usage offsets (and the assembler's replay mark as offset metadata).
 * Outputs and input positions therefore commit atomically: after a crash the
 * open windows are rebuilt from the uncommitted samples and no window is
 * priced twice. Downstream consumers read with isolation read_committed.
 */
export class UsagePipeline {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private assembler: WindowAssembler;
  private readonly detector: AnomalyDetector;
  private needsRestore = true;
  private failed = false;
  private running = false;
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: UsagePipelineOptions) {
    this.consumer = options.kafka.consumer({ groupId: options.groupId, readUncommitted: false, retry: { retries: 10, initialRetryTime: 300 } });
    this.producer = createProducer(options.kafka, { transactionalId: options.transactionalId });
    this.assembler = new WindowAssembler(options.allowedLatenessMillis);
    this.detector = new AnomalyDetector(options.anomaly);
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    // Every (re)join resumes from the committed offsets, so in-memory windows must be rebuilt from there too.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.needsRestore = true;
    });
    await this.consumer.subscribe({ topics: [this.options.topics.usage], fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.handleBatch(payload) });
    this.running = true;
  }

  get isRunning(): boolean {
    return this.running && !this.failed;
  }

  /** Stops fetching; the batch in hand finishes its transaction first. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (this.failed || batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    try {
      if (this.needsRestore) await this.restore();
      const outgoing: Outgoing[] = [];
      for (const message of batch.messages) {
        if (message.value === null) continue;
        const sample = await this.decode(message.value);
        if (sample instanceof Error) {
          if (this.assembler.markRead(batch.partition, message.offset)) {
            outgoing.push(this.deadLetter(batch.topic, batch.partition, message.offset, message.key, message.value, sample));
          }
          continue;
        }
        const intake = this.assembler.add(sample, batch.partition, message.offset);
        if (intake.kind === 'late') {
          this.options.metrics.lateSamples.inc();
          outgoing.push(this.deadLetter(batch.topic, batch.partition, message.offset, message.key, message.value, new KcostError('LATE_SAMPLE', intake.reason)));
        }
      }
      outgoing.push(...this.priceClosedWindows());
      await this.commit(outgoing);
      payload.resolveOffset((batch.messages[batch.messages.length - 1] as KafkaMessage).offset);
      this.options.metrics.pendingSamples.set(this.assembler.pending);
      await payload.heartbeat();
    } catch (error) {
      // The in-memory windows now hold samples whose offsets were not committed: only a restart from the committed offsets is safe.
      this.failed = true;
      this.options.logger.error({ err: error, partition: batch.partition }, 'publishing a batch failed; stopping so that a restart resumes from the committed offsets');
      this.options.onFatal(error);
    }
  }

  private async restore(): Promise<void> {
    this.assembler = new WindowAssembler(this.options.allowedLatenessMillis);
    this.detector.restartHour();
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.topics.usage] });
      for (const p of committed?.partitions ?? []) {
        this.assembler.track(p.partition);
        this.assembler.restore(p.partition, p.metadata);
      }
    } finally {
      await admin.disconnect();
    }
    this.needsRestore = false;
  }

  private async decode(bytes: Buffer): Promise<UsageSample | Error> {
    try {
      return await this.options.codec.decodeAs('UsageSample', bytes);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private priceClosedWindows(): Outgoing[] {
    const out: Outgoing[] = [];
    const { topics } = this.options;
    for (const window of this.assembler.closeReady()) {
      const priced = priceWindow(window, this.options.state, this.options.prices, this.options.bases);
      for (const cost of priced.podCosts) {
        out.push({ topic: topics.costs, key: podKey(cost), schema: 'PodCost', value: cost } satisfies Outgoing<'PodCost'>);
        this.detector.add(cost);
        for (const flag of cost.flags) this.options.metrics.flaggedCosts.inc({ flag });
      }
      for (const cost of priced.nodeCosts) out.push({ topic: topics.nodeCosts, key: nodeKey(cost), schema: 'NodeCost', value: cost } satisfies Outgoing<'NodeCost'>);
      this.options.metrics.windowsPriced.inc();
      this.options.metrics.podCosts.inc(priced.podCosts.length);
      this.options.metrics.nodeCosts.inc(priced.nodeCosts.length);
    }
    const watermark = this.assembler.watermark;
    if (Number.isFinite(watermark)) {
      // Windows ending before watermark − lateness are all closed; one millisecond less keeps the comparison strict.
      for (const anomaly of this.detector.completeThrough(watermark - this.options.allowedLatenessMillis - 1)) {
        out.push({ topic: topics.anomalies, key: anomalyKey(anomaly), schema: 'CostAnomaly', value: anomaly } satisfies Outgoing<'CostAnomaly'>);
        this.options.metrics.anomalies.inc({ scope: anomaly.scope, severity: anomaly.severity });
      }
      this.options.metrics.watermark.set(watermark / 1000);
      if (watermark - this.prunedAt >= HOUR) {
        this.options.state.prune(watermark - this.options.stateRetentionMillis);
        this.prunedAt = watermark;
      }
    }
    return out;
  }

  private deadLetter(topic: string, partition: number, offset: string, key: Buffer | null, value: Buffer, error: Error): Outgoing<'DeadLetter'> {
    const letter: DeadLetter = toDeadLetter({ topic, partition, offset, key, value }, error, 'process', (this.options.now ?? Date.now)());
    this.options.logger.warn({ topic, partition, offset, reasonCode: letter.reasonCode }, `dead-lettered a usage record: ${letter.reason}`);
    this.options.metrics.deadLetters.inc({ reason: letter.reasonCode });
    return { topic: this.options.topics.deadLetter, key: `${topic}/${partition}/${offset}`, schema: 'DeadLetter', value: letter };
  }

  private async commit(outgoing: readonly Outgoing[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const record of outgoing) {
      const value = await this.options.codec.encode(record.schema, record.value);
      const list = byTopic.get(record.topic) ?? [];
      list.push({ key: record.key, value });
      byTopic.set(record.topic, list);
    }
    // kafkajs passes offset metadata through to TxnOffsetCommit, though its type leaves it out.
    const partitions: PartitionOffset[] = [...this.assembler.positions()].map(([partition, position]) => {
      const entry = { partition, offset: position.commitOffset, metadata: position.metadata };
      return entry;
    });
    if (partitions.length === 0 && byTopic.size === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.commitOnce(byTopic, partitions);
        return;
      } catch (error) {
        // CONCURRENT_TRANSACTIONS and the like: the coordinator is still finishing the previous
        // transaction. The aborted attempt left nothing visible, so the same transaction is redone.
        if (!isRetriableKafkaError(error) || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
        this.options.logger.warn({ err: error, attempt }, 'transaction failed with a retriable error; retrying it');
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5000)));
      }
    }
  }

  private async commitOnce(byTopic: ReadonlyMap<string, Message[]>, partitions: PartitionOffset[]): Promise<void> {
    const transaction = await this.producer.transaction();
    try {
      for (const topicMessages of chunkTopicMessages([...byTopic].map(([topic, messages]) => ({ topic, messages })))) {
        await transaction.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
      }
      await transaction.sendOffsets({ consumerGroupId: this.options.groupId, topics: [{ topic: this.options.topics.usage, partitions }] });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch((abortError: unknown) => this.options.logger.warn({ err: abortError }, 'aborting the transaction failed'));
      throw error;
    }
  }
}

