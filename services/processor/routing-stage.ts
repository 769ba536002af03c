import type { Batch } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { UsageSample } from '../codec/records.generated.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { offsetAfter, type CommittedPosition, type StageHandler, type StageOutput, type StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import type { ClusterState } from './cluster-state.js';
import { sizeProblem, usageSampleProblem } from './input-bounds.js';
import { encodeIdleMark, encodeTick, idleMarkHeaders, sourceHeaders, tickHeaders } from './internal-records.js';
import type { InternalTopics } from './internal-topics.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import { SourceIdleness } from './source-idleness.js';
import { stageDeadLetter } from './stage-dead-letter.js';
import { TickMemory, routingKeyOn, sampleNodeName } from './usage-routing.js';

export interface RoutingStageOptions {
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly state: ClusterState;
  readonly usageTopic: string;
  readonly deadLetterTopic: string;
  readonly internal: InternalTopics;
  /** How far past this instance's clock a sample's window may start; later ones are dead-lettered (TIME_OUT_OF_RANGE). */
  readonly futureSkewMillis: number;
  /** How long a usage partition read to its end must stay quiet before the pricing stage stops waiting for it. */
  readonly idleSourceAfterMillis: number;
  /** The usage topic's partition ends now (low and high watermarks), for partitions this router has not read a batch of. */
  readonly endOffsets: () => Promise<ReadonlyMap<number, { readonly low: bigint; readonly high: bigint }>>;
  readonly now?: () => number;
}

/**
 * Stage 1 of the processor: reads kcost.usage.v1 (keyed by pod) in the
 * processor's consumer group and copies each sample, bytes unchanged, to
 * the by-node topic under its node's key, with its usage partition and
 * offset in a header. For every window a usage partition reaches, it sends
 * a window tick to each by-node partition. Undecodable records, and samples
 * outside the bounds of input-bounds.ts (too large, absurd figures, times
 * in the future), go to the dead-letter topic here, so they never reach
 * pricing, its watermark or its committed offsets. Output and usage offsets
 * commit in one transaction.
 *
 * A usage partition that has been read to its end and stays quiet for
 * `idleSourceAfterMillis` gets an idle mark on every by-node partition,
 * repeated as long as it stays quiet, so the pricing stage stops waiting for
 * it (and prices the last windows of a feed that stops) without ever taking
 * a partition that is merely slow to be read for an idle one.
 */
export class RoutingStage implements StageHandler {
  readonly inputTopic: string;
  private readonly ticks = new TickMemory();
  private readonly idleness: SourceIdleness;
  private readonly now: () => number;

  constructor(private readonly options: RoutingStageOptions) {
    this.inputTopic = options.usageTopic;
    this.now = options.now ?? Date.now;
    this.idleness = new SourceIdleness(options.idleSourceAfterMillis, this.now);
  }

  onAssigned(partitions: readonly number[], committed: ReadonlyMap<number, CommittedPosition>): void {
    for (let p = 0; p < this.options.internal.usagePartitions; p++) if (!partitions.includes(p)) this.ticks.forget(p);
    this.idleness.assign(partitions, committed);
  }

  /** Idle marks for the owned usage partitions that are at their end and quiet (see the class comment). */
  async onTimer(): Promise<StageRecord[]> {
    const records: StageRecord[] = [];
    const { internal } = this.options;
    for (const source of await this.idleness.due(this.options.endOffsets)) {
      const mark = encodeIdleMark({ source });
      for (let partition = 0; partition < internal.usageByNodePartitions; partition++) {
        records.push({ topic: internal.usageByNode, key: 'idle', value: mark, partition, headers: idleMarkHeaders() });
      }
    }
    return records;
  }

  async handle(batch: Batch): Promise<StageOutput> {
    const { internal, codec, state } = this.options;
    const records: StageRecord[] = [];
    const now = this.now();
    // lastOffset counts the control records a transactional producer leaves, so 0 means read to the end.
    this.idleness.read(batch.partition, batch.offsetLag() === '0', batch.lastOffset());
    for (const message of batch.messages) {
      if (message.value === null) continue;
      let sample: UsageSample;
      let nodeName: string | null;
      try {
        const tooLarge = sizeProblem(message.value);
        if (tooLarge) throw tooLarge;
        sample = await codec.decodeAs('UsageSample', message.value);
        nodeName = sampleNodeName(sample, state);
        const problem = usageSampleProblem(sample, nodeName === null ? undefined : state.node(sample.cluster, nodeName), now, this.options.futureSkewMillis);
        if (problem) throw problem;
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
      const key = routingKeyOn(sample, nodeName);
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
