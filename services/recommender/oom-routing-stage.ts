import type { Batch } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { KubeObject, PodState } from '../codec/records.generated.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { offsetAfter, type StageHandler, type StageOutput, type StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import { encodeTermination, terminationHeaders, type TerminationRecord } from './internal-records.js';
import type { RecommenderTopics } from './internal-topics.js';
import { recommendationKey } from './recommendation.js';
import { targetOfPod } from './workload-pods.js';

export interface OomRoutingStageOptions {
  readonly codec: Codec;
  readonly logger: Logger;
  readonly kubeTopic: string;
  readonly topics: RecommenderTopics;
}

/** The OOM kills a pod's state reports: one per container whose last termination was OOMKilled. */
export function oomKillsOf(object: KubeObject): TerminationRecord[] {
  if (object.kind !== 'POD' || !object.pod) return [];
  const pod = object as KubeObject & { pod: PodState };
  return pod.pod.containers
    .filter((c) => c.lastTerminationReason === 'OOMKilled' && c.lastTerminatedAt !== null && Number.isFinite(c.lastTerminatedAt))
    .map((c) => ({
      target: targetOfPod(pod, c.name),
      termination: {
        podUid: object.uid,
        reason: 'OOMKilled',
        finishedAt: c.lastTerminatedAt as number,
        memoryRequestBytes: c.memoryRequestBytes > 0 ? c.memoryRequestBytes : null,
        memoryLimitBytes: c.memoryLimitBytes,
      },
    }));
}

/**
 * Stage 1b of the recommender: reads kcost.kube.v1 in a group shared by the
 * instances and sends each OOM kill a pod's state reports to the
 * by-container partition of its workload container, in a transaction with
 * the kube offsets, so the kill reaches the instance that models the
 * container in order with its samples, and exactly once. A pod state read
 * again (a replay, a new group over the compacted topic) sends the same
 * kill again; the model records a kill once per pod and time. Undecodable
 * kube records are skipped here: the pod table's reader dead-letters them.
 */
export class OomRoutingStage implements StageHandler {
  readonly inputTopic: string;

  constructor(private readonly options: OomRoutingStageOptions) {
    this.inputTopic = options.kubeTopic;
  }

  onAssigned(): void {
    // Keeps nothing between batches.
  }

  async handle(batch: Batch): Promise<StageOutput> {
    const records: StageRecord[] = [];
    for (const message of batch.messages) {
      if (message.value === null) continue;
      let object: KubeObject;
      try {
        object = await this.options.codec.decodeAs('KubeObject', message.value);
      } catch (error) {
        this.options.logger.debug({ err: error, partition: batch.partition, offset: message.offset }, 'skipped an undecodable kube record');
        continue;
      }
      for (const kill of oomKillsOf(object)) {
        const key = recommendationKey(kill.target);
        records.push({ topic: this.options.topics.byContainer, key, value: encodeTermination(kill), partition: partitionOfKey(key, this.options.topics.byContainerPartitions), headers: terminationHeaders() });
      }
    }
    return { records, offsets: [offsetAfter(batch)] };
  }
}
