import type { Batch } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { KubeObject } from '../codec/records.generated.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { kubeObjectKey } from '../kafka/topics.js';
import { offsetAfter, type StageHandler, type StageOutput, type StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import type { PriceHistory } from '../processor/price-history.js';
import { AdviceLedger, type Candidate } from './advice-ledger.js';
import { daemonSetOnlyNodeKey, daemonSetOnlyNodeOf, nodePriceOf, type DaemonSetOnlyOptions } from './daemonset-only-nodes.js';
import { idleWorkloadOf, type ContainerAdviceTable } from './idle-workloads.js';
import type { NodeOccupancy } from './node-occupancy.js';
import { orphanedVolumeKey, orphanedVolumeOf, storageClassOf, storagePriceOf, type OrphanedVolumeOptions } from './orphaned-volumes.js';
import type { RecommendMetrics } from './recommend-metrics.js';
import type { VolumeTable } from './volume-table.js';

export interface AbandonedResourcesStageOptions {
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: RecommendMetrics;
  readonly kubeTopic: string;
  /** Partitions of the kube topic: a claim or node belongs to the member that owns its own record's partition. */
  readonly kubePartitions: number;
  readonly recommendationsTopic: string;
  readonly volumes: VolumeTable;
  readonly nodes: NodeOccupancy;
  readonly containers: ContainerAdviceTable;
  readonly prices: PriceHistory;
  readonly rules: OrphanedVolumeOptions & DaemonSetOnlyOptions;
  /** Standing advice is published again each time its cluster's event time crosses a multiple of this. */
  readonly publishIntervalMillis: number;
}

/**
 * The abandoned-resource stage of `kcost recommend`: orphaned volumes,
 * DaemonSet-only nodes and idle workloads. A consumer group over
 * kcost.kube.v1 whose only use of its partitions is to say which targets
 * this member speaks for (claims and nodes whose own kube record is on a
 * partition it owns; workloads whose key hashes to one), so each has
 * exactly one publisher however many instances run. What it decides rests
 * on tables every instance reads in full (a pod mounting a claim or running
 * on a node may be on any partition). It looks after each batch and on its
 * timer, as a cluster's event time moves with any of its objects, and
 * publishes advice and tombstones (advice-ledger.ts) to
 * kcost.recommendations.v1.
 */
export class AbandonedResourcesStage implements StageHandler {
  readonly inputTopic: string;
  private owned = new Set<number>();
  private readonly volumeLedger: AdviceLedger;
  private readonly nodeLedger: AdviceLedger;
  private readonly idleLedger: AdviceLedger;

  constructor(private readonly options: AbandonedResourcesStageOptions) {
    this.inputTopic = options.kubeTopic;
    this.volumeLedger = new AdviceLedger(options.publishIntervalMillis);
    this.nodeLedger = new AdviceLedger(options.publishIntervalMillis);
    this.idleLedger = new AdviceLedger(options.publishIntervalMillis);
  }

  onAssigned(partitions: readonly number[]): void {
    this.owned = new Set(partitions);
    this.reset();
  }

  /** Nothing of an aborted batch was published: forget what this member thinks it published, and look afresh. */
  onAborted(): void {
    this.reset();
  }

  onTimerFailed(): void {
    this.reset();
  }

  /** The batch's own records are in the tables already (read by every instance); its offsets only mark progress. */
  async handle(batch: Batch): Promise<StageOutput> {
    return { records: await this.look(), offsets: [offsetAfter(batch)] };
  }

  onTimer(): Promise<StageRecord[]> {
    return this.look();
  }

  private reset(): void {
    this.volumeLedger.reset();
    this.nodeLedger.reset();
    this.idleLedger.reset();
  }

  private owns(object: KubeObject): boolean {
    return this.owned.has(partitionOfKey(kubeObjectKey(object), this.options.kubePartitions));
  }

  private async look(): Promise<StageRecord[]> {
    const { volumes, nodes, prices, rules } = this.options;
    const claims: Candidate[] = [];
    for (const { usage } of volumes.usages()) {
      const { claim } = usage;
      const now = volumes.eventTimeOf(claim.cluster);
      if (!this.owns(claim) || now === null) continue;
      const price = storagePriceOf(prices, volumes.placeOf(claim.cluster), usage.volume?.volume.region ?? '', storageClassOf(usage), now);
      claims.push({ key: orphanedVolumeKey(claim.cluster, claim.namespace ?? '', claim.name), advice: orphanedVolumeOf(usage, now, rules, price) });
    }
    const nodeCandidates: Candidate[] = [];
    for (const usage of nodes.usages()) {
      const { node } = usage;
      const now = volumes.eventTimeOf(node.cluster);
      if (!this.owns(node) || now === null) continue;
      nodeCandidates.push({ key: daemonSetOnlyNodeKey(node.cluster, node.name), advice: daemonSetOnlyNodeOf(usage, now, rules, nodePriceOf(node, prices, now)) });
    }
    const workloads: Candidate[] = [];
    const advised = this.options.containers.workloads();
    for (const [key, containers] of advised) {
      if (!this.owned.has(partitionOfKey(key, this.options.kubePartitions))) continue;
      const advice = idleWorkloadOf(key, containers);
      // This member reads the topic too, so it retires only idle advice that is there: no sweep of every busy workload.
      if (advice !== null || this.options.containers.hasIdleAdvice(key) || this.idleLedger.hasPublished(key)) workloads.push({ key, advice });
    }
    // Idle advice on the topic for a workload whose container records are all gone: it no longer applies.
    const known = new Set(advised.map(([key]) => key));
    for (const key of this.options.containers.idleAdviceKeys()) {
      if (!known.has(key) && this.owned.has(partitionOfKey(key, this.options.kubePartitions))) workloads.push({ key, advice: null });
    }
    const records: StageRecord[] = [];
    for (const [ledger, candidates, cause] of [
      [this.volumeLedger, claims, 'orphaned-volume'],
      [this.nodeLedger, nodeCandidates, 'daemonset-only-node'],
      [this.idleLedger, workloads, 'idle-workload'],
    ] as const) {
      for (const { key, recommendation } of ledger.evaluate(candidates)) {
        records.push({ topic: this.options.recommendationsTopic, key, value: recommendation === null ? null : await this.options.codec.encode('Recommendation', recommendation) });
        this.options.metrics.recommendations.inc({ cause: recommendation === null ? `${cause}-retired` : cause });
      }
    }
    return records;
  }
}
