import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { KubeObject, PriceUpdate } from '../codec/records.generated.js';
import type { Logger } from '../log/logger.js';
import { BatchConsumer, type ConsumedBatch } from '../kafka/batch-consumer.js';
import type { DeadLetterPublisher } from '../kafka/dead-letter.js';
import type { ConsumerMetrics } from '../kafka/kafka-metrics.js';
import type { ClusterState } from './cluster-state.js';
import { kubeObjectProblem, priceUpdateProblem } from './input-bounds.js';
import type { PriceHistory } from './price-history.js';

export interface StateFollowerOptions {
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  readonly deadLetters: DeadLetterPublisher;
  readonly kubeTopic: string;
  readonly pricesTopic: string;
  /** Prefix of the private consumer group; a random suffix makes every instance read everything. */
  readonly groupPrefix: string;
  readonly state: ClusterState;
  readonly prices: PriceHistory;
  /** How far past this instance's clock a record's times may be (input-bounds.ts). */
  readonly futureSkewMillis: number;
  readonly now?: () => number;
}

/**
 * Reads kcost.kube.v1 and kcost.prices.v1 in full into the cluster state and
 * the price history, and keeps following them. A record outside the bounds
 * of input-bounds.ts (a negative or absurd price, a time in the future) is
 * dead-lettered instead of applied. Every instance uses a group
 * of its own, so each sees every node and price (a global table), whatever
 * usage partitions it owns. caughtUp() resolves once both topics were read
 * up to the ends they had at start.
 */
export class StateFollower {
  private readonly consumer: BatchConsumer;
  private readonly targets = new Map<string, bigint>();
  private resolveCaughtUp: () => void = () => undefined;
  private readonly caughtUpPromise = new Promise<void>((resolve) => (this.resolveCaughtUp = resolve));
  private isCaughtUp = false;

  constructor(private readonly options: StateFollowerOptions) {
    this.consumer = new BatchConsumer({
      kafka: options.kafka,
      groupId: `${options.groupPrefix}.state.${randomUUID()}`,
      service: 'process',
      topics: [
        { topic: options.kubeTopic, schema: 'KubeObject' },
        { topic: options.pricesTopic, schema: 'PriceUpdate' },
      ],
      codec: options.codec,
      deadLetters: options.deadLetters,
      metrics: options.metrics,
      logger: options.logger,
      fromBeginning: true,
      handler: (batch) => this.apply(batch),
    });
  }

  /** Notes where both topics end now, then starts reading them from the beginning. */
  async start(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      for (const topic of [this.options.kubeTopic, this.options.pricesTopic]) {
        for (const p of await admin.fetchTopicOffsets(topic)) {
          if (BigInt(p.high) > BigInt(p.low)) this.targets.set(`${topic}/${p.partition}`, BigInt(p.high));
        }
      }
    } finally {
      await admin.disconnect();
    }
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

  private async apply(batch: ConsumedBatch): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    for (const { record, offset, key } of batch.records) {
      const problem =
        record.schema === 'KubeObject'
          ? kubeObjectProblem(record.value as KubeObject, now, this.options.futureSkewMillis)
          : record.schema === 'PriceUpdate'
            ? priceUpdateProblem(record.value as PriceUpdate, now, this.options.futureSkewMillis)
            : null;
      if (problem) {
        const value = await this.options.codec.encode(record.schema, record.value as never).catch(() => null);
        await this.options.deadLetters.publish({ topic: batch.topic, partition: batch.partition, offset, key: key === null ? null : Buffer.from(key), value }, problem);
      } else if (record.schema === 'KubeObject') this.options.state.apply(record.value as KubeObject);
      else if (record.schema === 'PriceUpdate') this.options.prices.add(record.value as PriceUpdate);
    }
    const position = `${batch.topic}/${batch.partition}`;
    const target = this.targets.get(position);
    if (target !== undefined && (BigInt(batch.nextOffset) >= target || batch.lag === 0)) this.targets.delete(position);
    this.checkCaughtUp();
  }

  private checkCaughtUp(): void {
    if (this.isCaughtUp || this.targets.size > 0) return;
    this.isCaughtUp = true;
    this.options.logger.info({ ...this.options.state.counts, prices: this.options.prices.size }, 'state rebuilt from the kube and prices topics');
    this.resolveCaughtUp();
  }
}
