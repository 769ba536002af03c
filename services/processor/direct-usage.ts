import type { Batch } from 'kafkajs';
import type { UsageSample } from '../codec/records.generated.js';
import { KcostError } from '../errors/kcost-error.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { nodeKey } from '../kafka/topics.js';
import type { CommittedPosition, StageRecord } from '../kafka/transactional-stage.js';
import type { ClusterState } from './cluster-state.js';
import { sizeProblem, usageSampleProblem } from './input-bounds.js';
import { announcementHeaders, DIRECT_SOURCE, encodeAnnouncement, encodeIdleMark, encodeTick, idleMarkHeaders, tickHeaders } from './internal-records.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import { SourceIdleness, type PartitionEnds } from './source-idleness.js';
import { stageDeadLetter, type StageDeadLetterOptions } from './stage-dead-letter.js';
import { TickMemory } from './usage-routing.js';
import type { WindowAssembler } from './window-assembler.js';

/** How the pricing stage reads the by-node usage topic. */
export interface DirectUsageOptions {
  /** kcost.usage.bynode.v1: UsageSample keyed `cluster/node`, with the internal by-node topic's partition count. */
  readonly topic: string;
  /** How long a partition read to its end must stay quiet before windows stop waiting for it. */
  readonly idleSourceAfterMillis: number;
  /** How far past this instance's clock a sample's window may start; later ones are dead-lettered (TIME_OUT_OF_RANGE). */
  readonly futureSkewMillis: number;
  /** The topic's partition ends now, for partitions not read since they were assigned. */
  readonly endOffsets: () => Promise<PartitionEnds>;
}

interface DirectUsageDeps extends StageDeadLetterOptions {
  readonly state: ClusterState;
  readonly metrics: ProcessorMetrics;
}

/**
 * The pricing stage's intake of the by-node usage topic, which producers key
 * by the sample's node, so that its partition p holds the nodes of by-node
 * partition p and is priced with it, without the router's copy. It checks
 * what the router checks for kcost.usage.v1 (size, bounds, times) and that
 * the sample is on its node's partition (else MISPARTITIONED_SAMPLE: priced
 * here it would break that node's conservation); it announces each cluster's
 * windows to the other by-node partitions, which the router's ticks do for
 * kcost.usage.v1, so they price their idle nodes in those windows; and it
 * sends the idle marks of its own partitions, which are a lane each
 * (DIRECT_SOURCE) of the by-node partition of their number.
 *
 * The lane's progress is not taken from the samples as they are read but
 * from ticks (source DIRECT_SOURCE) that it sends to its own internal
 * partition as it reads them, as the router does for kcost.usage.v1: so the
 * lane's ticks and idle marks are in one partition, in the order in which
 * they happened, and a restart that reads the two topics in another
 * interleaving than before still finds a lane idle exactly where it was.
 */
export class DirectUsage {
  readonly topic: string;
  private readonly idleness: SourceIdleness;
  private announced = new TickMemory();

  constructor(
    private readonly options: DirectUsageOptions,
    private readonly deps: DirectUsageDeps,
    private readonly now: () => number,
  ) {
    this.topic = options.topic;
    this.idleness = new SourceIdleness(options.idleSourceAfterMillis, now);
  }

  committedOf(coCommitted: ReadonlyMap<string, ReadonlyMap<number, CommittedPosition>>): ReadonlyMap<number, CommittedPosition> {
    return coCommitted.get(this.topic) ?? new Map();
  }

  assign(partitions: readonly number[], coCommitted: ReadonlyMap<string, ReadonlyMap<number, CommittedPosition>>): void {
    this.idleness.assign(partitions, this.committedOf(coCommitted));
    // A partition owned before may come back with ticks of its own not read yet: tick and announce afresh.
    this.announced = new TickMemory();
  }

  /** Idle marks, each to the internal by-node partition of the number of the quiet partition. */
  async idleMarks(internalTopic: string): Promise<StageRecord[]> {
    const mark = encodeIdleMark({ source: DIRECT_SOURCE });
    return (await this.idleness.due(this.options.endOffsets)).map((partition) => ({ topic: internalTopic, key: 'idle', value: mark, partition, headers: idleMarkHeaders() }));
  }

  /** Takes a batch of the by-node usage topic into the assembler of its partition (as `stream`); returns dead letters and announcements. */
  async intake(batch: Batch, assembler: WindowAssembler, stream: number, internalTopic: string, partitions: number): Promise<StageRecord[]> {
    const { deps } = this;
    const out: StageRecord[] = [];
    const now = this.now();
    // lastOffset counts the control records a transactional producer leaves, so 0 means read to the end.
    this.idleness.read(batch.partition, batch.offsetLag() === '0', batch.lastOffset());
    for (const message of batch.messages) {
      if (message.value === null) continue;
      const origin = { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value };
      let sample: UsageSample;
      try {
        const tooLarge = sizeProblem(message.value);
        if (tooLarge) throw tooLarge;
        sample = await deps.codec.decodeAs('UsageSample', message.value);
        const misplaced = partitionProblem(sample, batch.partition, partitions);
        if (misplaced) throw misplaced;
        const problem = usageSampleProblem(sample, deps.state.node(sample.cluster, sample.nodeName as string), now, this.options.futureSkewMillis);
        if (problem) throw problem;
      } catch (error) {
        if (assembler.markRead(stream, message.offset)) out.push(await stageDeadLetter(deps, origin, error));
        continue;
      }
      if (this.announced.firstSight(batch.partition, sample.cluster, sample.windowStart, sample.windowSeconds)) {
        const announcement = encodeAnnouncement({ cluster: sample.cluster, windowStart: sample.windowStart, windowSeconds: sample.windowSeconds });
        const tick = encodeTick({ cluster: sample.cluster, windowStart: sample.windowStart, windowSeconds: sample.windowSeconds, source: DIRECT_SOURCE });
        for (let partition = 0; partition < partitions; partition++) {
          if (partition !== batch.partition) out.push({ topic: internalTopic, key: sample.cluster, value: announcement, partition, headers: announcementHeaders() });
          else out.push({ topic: internalTopic, key: sample.cluster, value: tick, partition, headers: tickHeaders() });
        }
      }
      // The tick above moves this partition's lane once it is read back (see the class comment); until then the
      // sample only holds the lane if it was idle, so its window waits for the rest of its samples.
      const intake = assembler.add(sample, stream, message.offset, null, DIRECT_SOURCE);
      if (intake.kind === 'late') {
        deps.metrics.lateSamples.inc();
        out.push(await stageDeadLetter(deps, origin, new KcostError('LATE_SAMPLE', intake.reason)));
      }
    }
    return out;
  }
}

/** Why a sample of the by-node usage topic cannot be priced on `partition`, or null when it belongs there. */
export function partitionProblem(sample: UsageSample, partition: number, partitions: number): KcostError | null {
  if (!sample.nodeName) return new KcostError('MISPARTITIONED_SAMPLE', `usage sample of pod ${sample.cluster}/${sample.podUid} names no node; publish it to the usage topic keyed by pod`);
  const key = nodeKey({ cluster: sample.cluster, nodeName: sample.nodeName });
  const home = partitionOfKey(key, partitions);
  return home === partition ? null : new KcostError('MISPARTITIONED_SAMPLE', `usage sample of node ${key} is on partition ${partition} of ${partitions}, but its key's partition is ${home}; key it by cluster/node`);
}
