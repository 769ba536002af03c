import type { Batch } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { kubeObjectKey } from '../kafka/topics.js';
import { offsetAfter, type StageHandler, type StageOutput, type StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import type { PriceHistory } from '../processor/price-history.js';
import { storageClassOf, storagePriceOf } from './orphaned-volumes.js';
import type { RecommendMetrics } from './recommend-metrics.js';
import { VolumeAdvisor, type VolumeAdvisorOptions } from './volume-advisor.js';
import type { ClaimUsage, VolumeTable } from './volume-table.js';

export interface VolumeStageOptions {
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: RecommendMetrics;
  readonly kubeTopic: string;
  /** Partitions of the kube topic: a claim belongs to the member that owns its own record's partition. */
  readonly kubePartitions: number;
  readonly recommendationsTopic: string;
  readonly volumes: VolumeTable;
  readonly prices: PriceHistory;
  readonly advisor: VolumeAdvisorOptions;
}

/**
 * The orphaned-volume stage of `kcost recommend`: a consumer group over
 * kcost.kube.v1 whose only use of its partitions is to say which claims
 * this member speaks for (those whose own kube record is on a partition it
 * owns), so that every claim has exactly one publisher however many
 * instances run. What it decides rests on the volume table every instance
 * reads in full (a pod mounting a claim may be on any partition). It looks
 * after each batch and on its timer, as the event time of a cluster moves
 * with any of its objects, and publishes advice and tombstones
 * (volume-advisor.ts) to kcost.recommendations.v1.
 */
export class VolumeStage implements StageHandler {
  readonly inputTopic: string;
  private owned = new Set<number>();
  private readonly advisor: VolumeAdvisor;

  constructor(private readonly options: VolumeStageOptions) {
    this.inputTopic = options.kubeTopic;
    this.advisor = new VolumeAdvisor(options.advisor);
  }

  onAssigned(partitions: readonly number[]): void {
    this.owned = new Set(partitions);
    this.advisor.reset();
  }

  /** Nothing of an aborted batch was published: forget what this member thinks it published, and look afresh. */
  onAborted(): void {
    this.advisor.reset();
  }

  onTimerFailed(): void {
    this.advisor.reset();
  }

  /** The batch's own records are in the volume table already (read by every instance); its offsets only mark progress. */
  async handle(batch: Batch): Promise<StageOutput> {
    return { records: await this.look(), offsets: [offsetAfter(batch)] };
  }

  onTimer(): Promise<StageRecord[]> {
    return this.look();
  }

  private async look(): Promise<StageRecord[]> {
    const { volumes, prices } = this.options;
    const publications = this.advisor.evaluate({
      usages: volumes.usages(),
      owns: (usage) => this.owned.has(partitionOfKey(kubeObjectKey(usage.claim), this.options.kubePartitions)),
      eventTimeOf: (cluster) => volumes.eventTimeOf(cluster),
      priceOf: (usage: ClaimUsage, at: number) => storagePriceOf(prices, volumes.placeOf(usage.claim.cluster), usage.volume?.volume.region ?? '', storageClassOf(usage), at),
    });
    const records: StageRecord[] = [];
    for (const { key, recommendation } of publications) {
      records.push({ topic: this.options.recommendationsTopic, key, value: recommendation === null ? null : await this.options.codec.encode('Recommendation', recommendation) });
      this.options.metrics.recommendations.inc({ cause: recommendation === null ? 'volume-retired' : 'orphaned-volume' });
    }
    return records;
  }
}
