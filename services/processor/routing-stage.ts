import type { Batch } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { UsageSample } from '../codec/records.generated.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { offsetAfter, type StageHandler, type StageOutput, type StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import type { ClusterState } from './cluster-state.js';
import { encodeTick, sourceHeaders, tickHeaders } from './internal-records.js';
import type { InternalTopics } from './internal-topics.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import { stageDeadLetter } from './stage-dead-letter.js';
import { TickMemory, routingKey } from './usage-routing.js';

export interface RoutingStageOptions {
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly state: ClusterState;
  readonly usageTopic: string;
  readonly deadLetterTopic: string;
  readonly internal: InternalTopics;
  readonly now?: () => number;
}

/**
 * Stage 1 of the processor: reads kcost.usage.v1 (keyed by pod) in the
 * processor's consumer group and copies each sample, bytes unchanged, to
 * the by-node topic under its node's key, with its usage partition and
 * offset in a header. For every window a usage partition reaches, it sends
 * a window tick to each by-node partition. Undecodable records go to the
 * dead-letter topic here. Output and usage offsets commit in one transaction.
 */
export class RoutingStage implements StageHandler {
  readonly inputTopic: string;
  private readonly ticks = new TickMemory();

  constructor(private readonly options: RoutingStageOptions) {
    this.inputTopic = options.usageTopic;
  }

  onAssigned(partitions: readonly number[]): void {
    for (let p = 0; p < this.options.internal.usagePartitions; p++) if (!partitions.includes(p)) this.ticks.forget(p);
  }

  async handle(batch: Batch): Promise<StageOutput> {
    const { internal, codec } = this.options;
    const records: StageRecord[] = [];
    for (const message of batch.messages) {
      if (message.value === null) continue;
      let sample: UsageSample;
      try {
        sample = await codec.decodeAs('UsageSample', message.value);
      } catch (error) {
        records.push(await stageDeadLetter(this.options, { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value }, error));
        continue;
      }
      if (this.ticks.firstSight(batch.partition, sample.cluster, sample.windowStart, sample.windowSeconds)) {
        const tick = encodeTick({ cluster: sample.cluster, windowStart: sample.windowStart, windowSeconds: sample.windowSeconds, source: batch.partition });
        for (let partition = 0; partition < internal.usageByNodePartitions; partition++) {
          records.push({ topic: internal.usageByNode, key: sample.cluster, value: tick, partition, headers: tickHeaders() });
        }
      }
      const key = routingKey(sample, this.options.state);
      records.push({
        topic: internal.usageByNode,
        key,
        value: message.value,
        partition: partitionOfKey(key, internal.usageByNodePartitions),
        headers: sourceHeaders({ partition: batch.partition, offset: message.offset }),
      });
    }
    return { records, offsets: [offsetAfter(batch)] };
  }
}
