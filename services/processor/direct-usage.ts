import type { Batch } from 'kafkajs';
import { KcostError } from '../errors/kcost-error.js';
import type { CommittedPosition, StageRecord } from '../kafka/transactional-stage.js';
import type { ClusterState } from './cluster-state.js';
import type { DirectRecordFormat, NodeWindowRead } from './direct-usage-formats.js';
import { sizeProblem } from './input-bounds.js';
import { announcementHeaders, encodeAnnouncement, encodeIdleMark, encodeTick, idleMarkHeaders, tickHeaders } from './internal-records.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import { SourceIdleness, type PartitionEnds } from './source-idleness.js';
import { stageDeadLetter, type StageDeadLetterOptions } from './stage-dead-letter.js';
import { TickMemory } from './usage-routing.js';
import type { WindowAssembler } from './window-assembler.js';

/** How the pricing stage reads one public usage topic keyed by node. */
export interface DirectUsageOptions {
  /** kcost.usage.bynode.v1 or kcost.usage.nodewindow.v1: keyed `cluster/node`, with the internal by-node topic's partition count. */
  readonly topic: string;
  /** What its records are: one sample each (SAMPLE_RECORDS) or a node's window each (NODE_WINDOW_RECORDS). */
  readonly format: DirectRecordFormat;
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
 * The pricing stage's intake of a public usage topic that producers key by
 * node (kcost.usage.bynode.v1, one sample a record; kcost.usage.nodewindow.v1,
 * one node's window a record), so that its partition p holds the nodes of
 * by-node partition p and is priced with it, without the router's copy. The
 * record format (direct-usage-formats.ts) checks what the router checks for
 * kcost.usage.v1 (size, bounds, times) and that the record is on its node's
 * partition (else MISPARTITIONED_SAMPLE: priced here it would break that
 * node's conservation); a record that fails is dead-lettered whole. This
 * class announces each cluster's windows to the other by-node partitions,
 * which the router's ticks do for kcost.usage.v1, so they price their idle
 * nodes in those windows; and it sends the idle marks of its own
 * partitions, which are a lane each (the format's source) of the by-node
 * partition of their number.
 *
 * The lane's progress is not taken from the records as they are read but
 * from ticks (of the format's source) that it sends to its own internal
 * partition as it reads them, as the router does for kcost.usage.v1: so the
 * lane's ticks and idle marks are in one partition, in the order in which
 * they happened, and a restart that reads the topics in another
 * interleaving than before still finds a lane idle exactly where it was.
 */
export class DirectUsage {
  readonly topic: string;
  /** The lane of its partitions, and the assembler stream they are read as. */
  readonly source: number;
  private readonly idleness: SourceIdleness;
  private announced = new TickMemory();

  constructor(
    private readonly options: DirectUsageOptions,
    private readonly deps: DirectUsageDeps,
    private readonly now: () => number,
  ) {
    this.topic = options.topic;
    this.source = options.format.source;
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
    const mark = encodeIdleMark({ source: this.source });
    return (await this.idleness.due(this.options.endOffsets)).map((partition) => ({ topic: internalTopic, key: 'idle', value: mark, partition, headers: idleMarkHeaders() }));
  }

  /** Takes a batch of the topic into the assembler of its partition (as stream `source`); returns dead letters, ticks and announcements. */
  async intake(batch: Batch, assembler: WindowAssembler, internalTopic: string, partitions: number): Promise<StageRecord[]> {
    const { deps, options } = this;
    const out: StageRecord[] = [];
    const context = { codec: deps.codec, state: deps.state, partition: batch.partition, partitions, nowMillis: this.now(), futureSkewMillis: options.futureSkewMillis };
    // lastOffset counts the control records a transactional producer leaves, so 0 means read to the end.
    this.idleness.read(batch.partition, batch.offsetLag() === '0', batch.lastOffset());
    for (const message of batch.messages) {
      if (message.value === null) continue;
      const origin = { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value };
      let read: NodeWindowRead;
      try {
        const tooLarge = sizeProblem(message.value, options.format.maxRecordBytes);
        if (tooLarge) throw tooLarge;
        read = await options.format.read(message.value, context);
      } catch (error) {
        if (assembler.markRead(this.source, message.offset)) out.push(await stageDeadLetter(deps, origin, error));
        continue;
      }
      if (this.announced.firstSight(batch.partition, read.cluster, read.windowStart, read.windowSeconds)) {
        const window = { cluster: read.cluster, windowStart: read.windowStart, windowSeconds: read.windowSeconds };
        const announcement = encodeAnnouncement(window);
        const tick = encodeTick({ ...window, source: this.source });
        for (let partition = 0; partition < partitions; partition++) {
          if (partition !== batch.partition) out.push({ topic: internalTopic, key: read.cluster, value: announcement, partition, headers: announcementHeaders() });
          else out.push({ topic: internalTopic, key: read.cluster, value: tick, partition, headers: tickHeaders() });
        }
      }
      // The tick above moves this partition's lane once it is read back (see the class comment); until then the
      // record only holds the lane if it was idle, so its window waits for the rest of its samples.
      const intake = assembler.addAll(read.samples, this.source, message.offset, null, this.source);
      if (intake.kind === 'late') {
        deps.metrics.lateSamples.inc(read.samples.length);
        out.push(await stageDeadLetter(deps, origin, new KcostError('LATE_SAMPLE', intake.reason)));
      }
    }
    return out;
  }
}
