import type { Batch, Kafka, KafkaMessage } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { PodCost } from '../codec/records.generated.js';
import { KcostError } from '../errors/kcost-error.js';
import { offsetAfter, type StageHandler, type StageOutput, type StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import { readChangelog } from '../processor/changelog-reader.js';
import { decodeIdleMark, decodeTick, isIdleMark, isTick, sourceOf } from '../processor/internal-records.js';
import { stageDeadLetter } from '../processor/stage-dead-letter.js';
import { costSampleOf, costSampleProblem, targetOfCost } from './cost-samples.js';
import { LANES_KEY, decodeKeySnapshot, decodeLanes, decodeTermination, encodeKeySnapshot, encodeLanes, isTermination } from './internal-records.js';
import type { RecommenderTopics } from './internal-topics.js';
import type { LaneState } from './lanes.js';
import { PartitionModel, type KeySnapshot, type ModelOptions, type StateLookup } from './partition-model.js';
import type { RecommendMetrics } from './recommend-metrics.js';

export interface RecommendStageOptions {
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: RecommendMetrics;
  readonly topics: RecommenderTopics;
  readonly costsTopic: string;
  readonly recommendationsTopic: string;
  readonly deadLetterTopic: string;
  readonly model: Omit<ModelOptions, 'lanes'>;
  /** Spec and replicas of a workload container at an event time (the pod table). */
  readonly lookup: StateLookup;
  readonly now?: () => number;
}

/**
 * Stage 2 of the recommender: owns by-container partitions, so every
 * replica of a workload container, and its OOM kills, reach one model
 * (partition-model.ts). Per batch it publishes the recommendations that came
 * due, their tombstones once a container is gone, and every changed model to
 * the compacted history topic (same partition number), with the input
 * offsets, in one transaction: a new owner of a partition reads that
 * partition of the history to its end before its first batch, and goes on
 * exactly where the last owner committed.
 */
export class RecommendStage implements StageHandler {
  readonly inputTopic: string;
  private readonly partitions = new Map<number, PartitionModel>();

  constructor(private readonly options: RecommendStageOptions) {
    this.inputTopic = options.topics.byContainer;
  }

  /** The model holds the aborted batch's samples: the partition is read back from the changelog instead. */
  onAborted(partition: number): void {
    this.partitions.delete(partition);
  }

  /** Keeps the models of partitions still owned (they match the committed offsets) and restores the others from the changelog. */
  async onAssigned(partitions: readonly number[]): Promise<void> {
    for (const partition of this.partitions.keys()) if (!partitions.includes(partition)) this.partitions.delete(partition);
    const fresh = partitions.filter((p) => !this.partitions.has(p));
    if (fresh.length > 0) {
      const snapshots = new Map<number, Map<string, KeySnapshot | null>>(fresh.map((p) => [p, new Map()]));
      const lanes = new Map<number, LaneState[]>();
      await readChangelog(this.options.kafka, this.options.topics.history, fresh, (partition, message) => this.readBack(partition, message, snapshots, lanes));
      let restored = 0;
      for (const partition of fresh) {
        const model = new PartitionModel({ ...this.options.model, lanes: this.options.topics.costsPartitions });
        for (const [key, snapshot] of snapshots.get(partition) ?? []) {
          if (snapshot === null) continue;
          model.restore(key, snapshot);
          restored++;
        }
        model.restoreLanes(lanes.get(partition) ?? []);
        this.partitions.set(partition, model);
      }
      this.options.logger.info({ partitions: fresh, restoredContainers: restored }, 'right-sizing models restored from the changelog');
    }
    this.updateGauge();
  }

  async handle(batch: Batch): Promise<StageOutput> {
    const model = this.partitions.get(batch.partition);
    // onAssigned runs before the first batch after every join and after every aborted batch.
    if (!model) throw new Error(`recommend got a batch of by-container partition ${batch.partition}, which it was not assigned`);
    const records: StageRecord[] = [];
    const { metrics } = this.options;
    for (const message of batch.messages) {
      if (message.value === null) continue;
      try {
        if (isTick(message.headers)) {
          const tick = decodeTick(message.value);
          model.tick(tick.source, tick.windowStart);
        } else if (isIdleMark(message.headers)) {
          model.idle(decodeIdleMark(message.value).source);
        } else if (isTermination(message.headers)) {
          const { target, termination } = decodeTermination(message.value);
          metrics.terminations.inc({ outcome: model.addTermination(target, termination) });
        } else {
          records.push(...(await this.addCost(model, batch, message)));
        }
      } catch (error) {
        // Only kcost writes this topic: an unreadable record is a bug to see, not a reason to stop.
        records.push(await this.deadLetter({ topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value }, error));
      }
    }
    const drained = model.drain(this.options.lookup);
    for (const publication of drained.publications) {
      const value = publication.recommendation === null ? null : await this.options.codec.encode('Recommendation', publication.recommendation);
      records.push({ topic: this.options.recommendationsTopic, key: publication.key, value });
      metrics.recommendations.inc({ cause: publication.cause });
    }
    const history = this.options.topics.history;
    for (const [key, snapshot] of drained.changed) records.push({ topic: history, key, value: snapshot === null ? null : encodeKeySnapshot(snapshot), partition: batch.partition });
    if (drained.lanesChanged) records.push({ topic: history, key: LANES_KEY, value: encodeLanes(model.lanesSnapshot()), partition: batch.partition });
    this.updateGauge();
    return { records, offsets: [offsetAfter(batch)] };
  }

  private async addCost(model: PartitionModel, batch: Batch, message: KafkaMessage): Promise<StageRecord[]> {
    const value = message.value as Buffer;
    // A bad window is reported where it was published, on the costs topic, whose offsets the router kept in a header.
    const source = sourceOf(message.headers);
    const rejected = source
      ? { topic: this.options.costsTopic, partition: source.partition, offset: source.offset, key: null, value }
      : { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value };
    let cost: PodCost;
    try {
      cost = await this.options.codec.decodeAs('PodCost', value);
    } catch (error) {
      return [await this.deadLetter(rejected, error)];
    }
    const sample = costSampleOf(cost);
    if (sample === null) {
      this.options.metrics.samples.inc({ outcome: 'gap' });
      return [];
    }
    const problem = costSampleProblem(sample);
    if (problem) {
      this.options.metrics.samples.inc({ outcome: 'invalid' });
      return [await this.deadLetter(rejected, problem)];
    }
    const admission = model.addCost(targetOfCost(cost), sample);
    this.options.metrics.samples.inc({ outcome: admission });
    if (admission === 'invalid') return [await this.deadLetter(rejected, new KcostError('OUT_OF_BOUNDS', `the history refused window ${cost.windowStart} of pod ${cost.podUid}`))];
    return [];
  }

  private deadLetter(rejected: Parameters<typeof stageDeadLetter>[1], error: unknown): Promise<StageRecord> {
    return stageDeadLetter({ ...this.options, service: 'recommend' }, rejected, error);
  }

  private readBack(partition: number, message: KafkaMessage, snapshots: Map<number, Map<string, KeySnapshot | null>>, lanes: Map<number, LaneState[]>): void {
    const key = message.key?.toString() ?? '';
    try {
      if (key === LANES_KEY) {
        if (message.value !== null) lanes.set(partition, decodeLanes(message.value));
      } else {
        snapshots.get(partition)?.set(key, message.value === null ? null : decodeKeySnapshot(message.value));
      }
    } catch (error) {
      this.options.logger.error({ err: error, partition, offset: message.offset }, 'skipped an unreadable recommender history record');
    }
  }

  private updateGauge(): void {
    let containers = 0;
    for (const model of this.partitions.values()) containers += model.size;
    this.options.metrics.containers.set(containers);
  }
}

