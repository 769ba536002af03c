import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { KubeObject, PriceUpdate, Recommendation } from '../codec/records.generated.js';
import { BatchConsumer, type ConsumedBatch } from '../kafka/batch-consumer.js';
import type { DeadLetterPublisher } from '../kafka/dead-letter.js';
import type { ConsumerMetrics } from '../kafka/kafka-metrics.js';
import type { Logger } from '../log/logger.js';
import type { PriceHistory } from '../processor/price-history.js';
import type { ContainerAdviceTable } from './idle-workloads.js';
import type { NodeOccupancy } from './node-occupancy.js';
import type { VolumeTable } from './volume-table.js';

export interface AbandonedStateFollowerOptions {
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  readonly deadLetters: DeadLetterPublisher;
  readonly kubeTopic: string;
  readonly pricesTopic: string;
  /** The recommendations topic: its WORKLOAD_RESOURCES records are what the idle-workload rule judges. */
  readonly recommendationsTopic: string;
  /** Prefix of the private consumer group; a random suffix makes every instance read everything. */
  readonly groupPrefix: string;
  readonly volumes: VolumeTable;
  readonly nodes: NodeOccupancy;
  readonly containers: ContainerAdviceTable;
  readonly prices: PriceHistory;
  /** How long (in observation time) deleted claims and nodes are kept so that their advice is retired. */
  readonly retentionMillis: number;
}

/**
 * Reads kcost.kube.v1, kcost.prices.v1 and kcost.recommendations.v1 in full
 * into the volume table, the node occupancy, the price history and the
 * container advice table, and keeps following them, in a group of its own
 * per instance: whether a claim is mounted, or a node busy, depends on pods
 * of any partition, and a workload's containers are advised on any.
 * caughtUp() resolves once both were read up to the ends they had at start.
 */
export class AbandonedStateFollower {
  private readonly consumer: BatchConsumer;
  private readonly targets = new Map<string, bigint>();
  private resolveCaughtUp: () => void = () => undefined;
  private readonly caughtUpPromise = new Promise<void>((resolve) => (this.resolveCaughtUp = resolve));
  private isCaughtUp = false;

  constructor(private readonly options: AbandonedStateFollowerOptions) {
    this.consumer = new BatchConsumer({
      kafka: options.kafka,
      groupId: `${options.groupPrefix}.abandoned-state.${randomUUID()}`,
      service: 'recommend',
      topics: [
        { topic: options.kubeTopic, schema: 'KubeObject' },
        { topic: options.pricesTopic, schema: 'PriceUpdate' },
        { topic: options.recommendationsTopic, schema: 'Recommendation' },
      ],
      codec: options.codec,
      deadLetters: options.deadLetters,
      metrics: options.metrics,
      logger: options.logger,
      fromBeginning: true,
      handler: (batch) => this.apply(batch),
    });
  }

  async start(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      for (const topic of [this.options.kubeTopic, this.options.pricesTopic, this.options.recommendationsTopic]) {
        for (const p of await offsetsOf(admin, topic)) if (BigInt(p.high) > BigInt(p.low)) this.targets.set(`${topic}/${p.partition}`, BigInt(p.high));
      }
    } finally {
      await admin.disconnect();
    }
    // kafkajs ends every fetched batch with END_BATCH_PROCESS, also one that held only transaction markers or
    // aborted records (which never reach the handler): the recommendations topic is written in transactions,
    // and a partition whose tail is an aborted one would otherwise never count as read.
    this.consumer.onEvent(this.consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, lastOffset } = (event as { payload: { topic: string; partition: number; lastOffset: string } }).payload;
      const position = `${topic}/${partition}`;
      const target = this.targets.get(position);
      if (target !== undefined && BigInt(lastOffset) + 1n >= target) {
        this.targets.delete(position);
        this.checkCaughtUp();
      }
    });
    this.checkCaughtUp();
    await this.consumer.start();
  }

  caughtUp(): Promise<void> {
    return this.caughtUpPromise;
  }

  get ready(): boolean {
    return this.isCaughtUp;
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }

  private apply(batch: ConsumedBatch): Promise<void> {
    let newest = Number.NEGATIVE_INFINITY;
    if (batch.topic === this.options.recommendationsTopic) this.applyAdvice(batch);
    for (const { record } of batch.records) {
      if (record.schema === 'KubeObject') {
        const object = record.value as KubeObject;
        this.options.volumes.apply(object);
        this.options.nodes.apply(object);
        if (Number.isFinite(object.observedAt)) newest = Math.max(newest, object.observedAt);
      } else if (record.schema === 'PriceUpdate') {
        this.options.prices.add(record.value as PriceUpdate);
      }
    }
    if (Number.isFinite(newest)) {
      this.options.volumes.prune(newest - this.options.retentionMillis);
      this.options.nodes.prune(newest - this.options.retentionMillis);
    }
    const position = `${batch.topic}/${batch.partition}`;
    const target = this.targets.get(position);
    // The recommendations topic is written in transactions: its last offset is a commit marker, which a read_committed consumer never gets.
    const end = target !== undefined && batch.topic === this.options.recommendationsTopic ? target - 1n : target;
    if (end !== undefined && (BigInt(batch.nextOffset) >= end || batch.lag === 0)) this.targets.delete(position);
    this.checkCaughtUp();
    return Promise.resolve();
  }

  /** Versions and tombstones in offset order: a key retired and advised again in one batch ends advised. */
  private applyAdvice(batch: ConsumedBatch): void {
    const events = [
      ...batch.records.map((r) => ({ offset: BigInt(r.offset), key: r.key, value: r.record.value as Recommendation })),
      ...batch.tombstones.map((t) => ({ offset: BigInt(t.offset), key: t.key, value: null })),
    ].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    for (const { key, value } of events) if (key !== null) this.options.containers.apply(key, value);
  }

  private checkCaughtUp(): void {
    if (this.isCaughtUp || this.targets.size > 0) return;
    this.isCaughtUp = true;
    this.options.logger.info({ claims: this.options.volumes.usages().length, prices: this.options.prices.size }, 'volume and node tables rebuilt from the kube and prices topics');
    this.resolveCaughtUp();
  }
}

/** The topic's offsets, asked again while a partition has no leader yet (a topic just created): a start must not fail on it. */
async function offsetsOf(admin: Admin, topic: string): Promise<Array<{ partition: number; high: string; low: string }>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (attempt >= 20 || (error as { retriable?: unknown }).retriable !== true) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
