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

/** What the router knows of one usage partition it owns. */
interface PartitionProgress {
  /** Wall clock of the last batch read from it, or of the assignment. */
  lastReadAt: number;
  /** Whether the last batch read reached the partition's end; null before the first batch. */
  atEnd: boolean | null;
  /** Committed offset at assignment (-1: none). */
  readonly committed: bigint;
  /** When its last idle mark was sent; null while it delivers. */
  idleMarkSentAt: number | null;
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
  private progress = new Map<number, PartitionProgress>();
  private readonly now: () => number;

  constructor(private readonly options: RoutingStageOptions) {
    this.inputTopic = options.usageTopic;
    this.now = options.now ?? Date.now;
  }

  onAssigned(partitions: readonly number[], committed: ReadonlyMap<number, CommittedPosition>): void {
    for (let p = 0; p < this.options.internal.usagePartitions; p++) if (!partitions.includes(p)) this.ticks.forget(p);
    const now = this.now();
    this.progress = new Map(partitions.map((partition) => [partition, { lastReadAt: now, atEnd: null, committed: BigInt(committed.get(partition)?.offset ?? '-1'), idleMarkSentAt: null }]));
  }

  /** Idle marks for the owned usage partitions that are at their end and quiet (see the class comment). */
  async onTimer(): Promise<StageRecord[]> {
    const now = this.now();
    const after = this.options.idleSourceAfterMillis;
    const due = [...this.progress].filter(([, p]) => now - p.lastReadAt >= after && (p.idleMarkSentAt === null || now - p.idleMarkSentAt >= after));
    if (due.length === 0) return [];
    const ends = due.some(([, p]) => p.atEnd === null) ? await this.options.endOffsets() : new Map<number, { low: bigint; high: bigint }>();
    const records: StageRecord[] = [];
    const { internal } = this.options;
    for (const [source, progress] of due) {
      if (!(progress.atEnd ?? neverReadIsAtEnd(progress.committed, ends.get(source)))) continue;
      const mark = encodeIdleMark({ source });
      for (let partition = 0; partition < internal.usageByNodePartitions; partition++) {
        records.push({ topic: internal.usageByNode, key: 'idle', value: mark, partition, headers: idleMarkHeaders() });
      }
      progress.idleMarkSentAt = now;
    }
    return records;
  }

  async handle(batch: Batch): Promise<StageOutput> {
    const { internal, codec, state } = this.options;
    const records: StageRecord[] = [];
    const now = this.now();
    const progress = this.progress.get(batch.partition);
    if (progress) {
      progress.lastReadAt = now;
      // lastOffset counts the control records a transactional producer leaves, so 0 means read to the end.
      progress.atEnd = batch.offsetLag() === '0';
      progress.idleMarkSentAt = null;
    }
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

/**
 * Whether a partition this router has read no batch of since it was assigned
 * has nothing to read: its committed offset (or, with none, its start) is
 * at its end, or one short of it (a transaction's commit marker, which no
 * batch delivers).
 */
export function neverReadIsAtEnd(committed: bigint, end: { low: bigint; high: bigint } | undefined): boolean {
  if (!end) return false;
  const position = committed < 0n ? end.low : committed;
  return position >= end.high - 1n;
}
