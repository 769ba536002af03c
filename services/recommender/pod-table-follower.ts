import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { KubeObject } from '../codec/records.generated.js';
import { BatchConsumer, type ConsumedBatch } from '../kafka/batch-consumer.js';
import type { DeadLetterPublisher } from '../kafka/dead-letter.js';
import type { ConsumerMetrics } from '../kafka/kafka-metrics.js';
import type { Logger } from '../log/logger.js';
import type { WorkloadPods } from './workload-pods.js';

export interface PodTableFollowerOptions {
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  readonly deadLetters: DeadLetterPublisher;
  readonly kubeTopic: string;
  /** Prefix of the private consumer group; a random suffix makes every instance read everything. */
  readonly groupPrefix: string;
  readonly pods: WorkloadPods;
  /** How long (in the topic's own observation time) deleted objects and superseded states are kept for the hours still to publish. */
  readonly retentionMillis: number;
}

/**
 * Reads kcost.kube.v1 in full into the workload pod table (pods, workloads
 * and autoscalers) and keeps following it, in a group of its own per
 * instance (a global table, as the processor's state follower reads it):
 * any instance may own any workload.
 * caughtUp() resolves once the topic was read up to the end it had at start.
 */
export class PodTableFollower {
  private readonly consumer: BatchConsumer;
  private readonly targets = new Map<number, bigint>();
  private resolveCaughtUp: () => void = () => undefined;
  private readonly caughtUpPromise = new Promise<void>((resolve) => (this.resolveCaughtUp = resolve));
  private isCaughtUp = false;
  private newestObservedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: PodTableFollowerOptions) {
    this.consumer = new BatchConsumer({
      kafka: options.kafka,
      groupId: `${options.groupPrefix}.pods.${randomUUID()}`,
      service: 'recommend',
      topics: [{ topic: options.kubeTopic, schema: 'KubeObject' }],
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
      for (const p of await admin.fetchTopicOffsets(this.options.kubeTopic)) if (BigInt(p.high) > BigInt(p.low)) this.targets.set(p.partition, BigInt(p.high));
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

  private apply(batch: ConsumedBatch): Promise<void> {
    for (const { record } of batch.records) {
      if (record.schema !== 'KubeObject') continue;
      const object = record.value as KubeObject;
      this.options.pods.apply(object);
      if (Number.isFinite(object.observedAt)) this.newestObservedAt = Math.max(this.newestObservedAt, object.observedAt);
    }
    if (Number.isFinite(this.newestObservedAt)) this.options.pods.prune(this.newestObservedAt - this.options.retentionMillis);
    const target = this.targets.get(batch.partition);
    if (target !== undefined && (BigInt(batch.nextOffset) >= target || batch.lag === 0)) this.targets.delete(batch.partition);
    this.checkCaughtUp();
    return Promise.resolve();
  }

  private checkCaughtUp(): void {
    if (this.isCaughtUp || this.targets.size > 0) return;
    this.isCaughtUp = true;
    this.options.logger.info({ pods: this.options.pods.size, workloadsAndAutoscalers: this.options.pods.scalingSize }, 'pod table rebuilt from the kube topic');
    this.resolveCaughtUp();
  }
}
