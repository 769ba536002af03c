import type { Batch } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { PodCost } from '../codec/records.generated.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { offsetAfter, type CommittedPosition, type StageHandler, type StageOutput, type StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import { sizeProblem } from '../processor/input-bounds.js';
import { encodeIdleMark, encodeTick, idleMarkHeaders, sourceHeaders, tickHeaders } from '../processor/internal-records.js';
import { neverReadIsAtEnd } from '../processor/source-idleness.js';
import { stageDeadLetter } from '../processor/stage-dead-letter.js';
import { targetOfCost } from './cost-samples.js';
import type { RecommenderTopics } from './internal-topics.js';
import type { RecommendMetrics } from './recommend-metrics.js';
import { recommendationKey } from './recommendation.js';

export interface CostRoutingStageOptions {
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: RecommendMetrics;
  readonly costsTopic: string;
  readonly deadLetterTopic: string;
  readonly topics: RecommenderTopics;
  /** How long a costs partition read to its end must stay quiet before the recommend stage stops waiting for it. */
  readonly idleSourceAfterMillis: number;
  /** The costs topic's partition ends now, for partitions this router has not read a batch of. */
  readonly endOffsets: () => Promise<ReadonlyMap<number, { readonly low: bigint; readonly high: bigint }>>;
  readonly now?: () => number;
}

interface PartitionProgress {
  lastReadAt: number;
  atEnd: boolean | null;
  readonly committed: bigint;
  idleMarkSentAt: number | null;
  /** Newest window this partition has been ticked for. */
  newestTick: number;
}

/**
 * Stage 1 of the recommender: reads kcost.costs.v1 (keyed by pod) and
 * copies each priced window, bytes unchanged, to the by-container topic
 * under its workload container's key, with its costs partition and offset in
 * a header, so that every replica of a workload feeds one model. Windows of
 * pods priced without their state (UNKNOWN_POD) and undecodable records go to
 * the dead-letter topic. As the processor's router does for usage, it sends
 * every by-container partition a tick when a costs partition reaches a new
 * window and an idle mark while a costs partition read to its end stays
 * quiet: the recommend stage's event time. Output and offsets commit in one
 * transaction.
 */
export class CostRoutingStage implements StageHandler {
  readonly inputTopic: string;
  private progress = new Map<number, PartitionProgress>();
  private readonly now: () => number;

  constructor(private readonly options: CostRoutingStageOptions) {
    this.inputTopic = options.costsTopic;
    this.now = options.now ?? Date.now;
  }

  onAssigned(partitions: readonly number[], committed: ReadonlyMap<number, CommittedPosition>): void {
    const now = this.now();
    this.progress = new Map(
      partitions.map((partition) => [partition, { lastReadAt: now, atEnd: null, committed: BigInt(committed.get(partition)?.offset ?? '-1'), idleMarkSentAt: null, newestTick: Number.NEGATIVE_INFINITY }]),
    );
  }

  async onTimer(): Promise<StageRecord[]> {
    const now = this.now();
    const after = this.options.idleSourceAfterMillis;
    const due = [...this.progress].filter(([, p]) => now - p.lastReadAt >= after && (p.idleMarkSentAt === null || now - p.idleMarkSentAt >= after));
    if (due.length === 0) return [];
    const ends = due.some(([, p]) => p.atEnd === null) ? await this.options.endOffsets() : new Map<number, { low: bigint; high: bigint }>();
    const records: StageRecord[] = [];
    for (const [source, progress] of due) {
      if (!(progress.atEnd ?? neverReadIsAtEnd(progress.committed, ends.get(source)))) continue;
      records.push(...this.toEveryPartition('idle', encodeIdleMark({ source }), idleMarkHeaders()));
      progress.idleMarkSentAt = now;
    }
    return records;
  }

  async handle(batch: Batch): Promise<StageOutput> {
    const records: StageRecord[] = [];
    const progress = this.progress.get(batch.partition);
    if (progress) {
      progress.lastReadAt = this.now();
      progress.atEnd = batch.offsetLag() === '0';
      progress.idleMarkSentAt = null;
    }
    for (const message of batch.messages) {
      if (message.value === null) continue;
      let cost: PodCost;
      let key: string;
      try {
        const tooLarge = sizeProblem(message.value);
        if (tooLarge) throw tooLarge;
        cost = await this.options.codec.decodeAs('PodCost', message.value);
        key = recommendationKey(targetOfCost(cost));
      } catch (error) {
        records.push(await stageDeadLetter({ ...this.options, service: 'recommend' }, { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value }, error));
        continue;
      }
      if (progress && Number.isFinite(cost.windowStart) && cost.windowStart > progress.newestTick) {
        progress.newestTick = cost.windowStart;
        const tick = encodeTick({ cluster: cost.cluster, windowStart: cost.windowStart, windowSeconds: cost.windowSeconds, source: batch.partition });
        records.push(...this.toEveryPartition(cost.cluster, tick, tickHeaders()));
      }
      records.push({
        topic: this.options.topics.byContainer,
        key,
        value: message.value,
        partition: partitionOfKey(key, this.options.topics.byContainerPartitions),
        headers: sourceHeaders({ partition: batch.partition, offset: message.offset }),
      });
    }
    return { records, offsets: [offsetAfter(batch)] };
  }

  private toEveryPartition(key: string, value: Buffer, headers: StageRecord['headers']): StageRecord[] {
    const { byContainer, byContainerPartitions } = this.options.topics;
    return Array.from({ length: byContainerPartitions }, (_, partition) => ({ topic: byContainer, key, value, partition, ...(headers ? { headers } : {}) }));
  }
}
