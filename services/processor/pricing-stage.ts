import type { Batch } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import type { PodCost, UsageSample } from '../codec/records.generated.js';
import { KcostError } from '../errors/kcost-error.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { nodeKey, podKey } from '../kafka/topics.js';
import type { CommittedPosition, StageHandler, StageOffset, StageOutput, StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import type { AllocationBases } from './allocation.js';
import type { ClusterState, NodeObject } from './cluster-state.js';
import { workloadCostPoints } from './cost-points.js';
import { DirectUsage, type DirectUsageOptions } from './direct-usage.js';
import { decodeAnnouncement, decodeIdleMark, decodeTick, encodeCostRate, isAnnouncement, isIdleMark, isTick, sourceOf } from './internal-records.js';
import type { InternalTopics } from './internal-topics.js';
import type { PriceHistory } from './price-history.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import { stageDeadLetter, type StageDeadLetterOptions } from './stage-dead-letter.js';
import { routingKey } from './usage-routing.js';
import { WindowAssembler } from './window-assembler.js';
import { priceWindow } from './window-pricer.js';

export interface PricingStageOptions {
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly state: ClusterState;
  readonly prices: PriceHistory;
  readonly internal: InternalTopics;
  /** kcost.usage.v1: dead letters name the usage record a late sample was copied from. */
  readonly topics: { usage: string; costs: string; nodeCosts: string; deadLetter: string };
  readonly allowedLatenessMillis: number;
  readonly stateRetentionMillis: number;
  readonly bases: AllocationBases;
  /** The public usage topics keyed by node (kcost.usage.bynode.v1, kcost.usage.nodewindow.v1) read beside the internal by-node topic; absent or empty: none. */
  readonly direct?: readonly DirectUsageOptions[];
  readonly now?: () => number;
}

const HOUR = 3_600_000;

/**
 * Stage 2 of the processor: reads the by-node topic, so it holds every pod
 * of the nodes whose partitions it owns. It assembles event-time windows,
 * prices the closed ones (each window with the prices in effect at its
 * start, each owned node's cost conserved) and publishes PodCost, NodeCost
 * and dead letters, plus each window's cost per workload and a closed mark
 * on the cost-rates topic for the scoring stage, in one Kafka transaction
 * with its input offsets (and the assembler's replay mark as offset
 * metadata). After a crash the open windows are rebuilt from the
 * uncommitted records and no window is priced twice.
 *
 * Each by-node partition has a window assembler, a watermark and closed
 * marks of its own: a node's samples all arrive on its partition, so nothing
 * is gained by waiting across partitions, and a partition taken over from
 * another instance in a rebalance resumes at its own watermark, not at one
 * the partitions this instance already had have reached.
 */
export class PricingStage implements StageHandler {
  readonly inputTopic: string;
  readonly coInputTopics: readonly string[];
  /**
   * By topic. The assembler of by-node partition p reads partition p of the
   * internal topic as stream p and partition p of each of these as the
   * stream numbered by its lane (DirectUsage.source, negative).
   */
  private readonly direct: ReadonlyMap<string, DirectUsage>;
  /** The topic of each of those streams. */
  private readonly directTopics: ReadonlyMap<number, string>;
  private assemblers = new Map<number, WindowAssembler>();
  private markSent = new Map<number, number>();
  private prunedAt = Number.NEGATIVE_INFINITY;
  private firstReads = new Set<string>();

  private readonly deadLetters: StageDeadLetterOptions;

  constructor(private readonly options: PricingStageOptions) {
    this.deadLetters = { ...options, deadLetterTopic: options.topics.deadLetter };
    this.inputTopic = options.internal.usageByNode;
    this.direct = new Map((options.direct ?? []).map((direct) => [direct.topic, new DirectUsage(direct, { ...options, deadLetterTopic: options.topics.deadLetter }, options.now ?? Date.now)]));
    this.coInputTopics = [...this.direct.keys()];
    this.directTopics = new Map([...this.direct.values()].map((direct) => [direct.source, direct.topic]));
  }

  /** Every (re)join resumes from the committed offsets, so the open windows are rebuilt from there too. */
  onAssigned(partitions: readonly number[], committed: ReadonlyMap<number, CommittedPosition>, coCommitted: ReadonlyMap<string, ReadonlyMap<number, CommittedPosition>> = new Map()): void {
    const { internal } = this.options;
    const clock = this.options.now ? { clock: this.options.now } : {};
    this.assemblers = new Map();
    this.markSent = new Map();
    for (const partition of partitions) {
      const assembler = new WindowAssembler(this.options.allowedLatenessMillis, clock);
      // Every usage partition feeds every by-node partition: each is a lane the windows wait for.
      for (let source = 0; source < internal.usagePartitions; source++) assembler.track(source);
      const own = committed.get(partition);
      assembler.restore(partition, own?.metadata ?? null, own?.offset ?? null);
      for (const direct of this.direct.values()) {
        // As is its own partition of each public usage topic keyed by node.
        assembler.track(direct.source);
        const position = direct.committedOf(coCommitted).get(partition);
        assembler.restore(direct.source, position?.metadata ?? null, position?.offset ?? null);
      }
      this.assemblers.set(partition, assembler);
    }
    for (const direct of this.direct.values()) direct.assign(partitions, coCommitted);
    this.firstReads = new Set();
    // Where each partition resumes, and from what: a restart's window state is rebuilt from these marks alone.
    const resumesFrom = (p: number): Record<string, CommittedPosition | null> => {
      const from: Record<string, CommittedPosition | null> = { [internal.usageByNode]: committed.get(p) ?? null };
      for (const direct of this.direct.values()) from[direct.topic] = direct.committedOf(coCommitted).get(p) ?? null;
      return from;
    };
    this.options.logger.info({ partitions, committed: Object.fromEntries(partitions.map((p) => [p, resumesFrom(p)])) }, 'pricing assigned');
  }

  /** Idle marks for the owned partitions of the public usage topics keyed by node that are at their end and quiet, each to the internal partition of its number. */
  async onTimer(): Promise<StageRecord[]> {
    const marks: StageRecord[] = [];
    for (const direct of this.direct.values()) marks.push(...(await direct.idleMarks(this.inputTopic)));
    return marks;
  }

  async handle(batch: Batch): Promise<StageOutput> {
    const records: StageRecord[] = [];
    const read = `${batch.topic}/${batch.partition}`;
    if (!this.firstReads.has(read)) {
      this.firstReads.add(read);
      this.options.logger.info({ topic: batch.topic, partition: batch.partition, firstOffset: batch.messages[0]?.offset ?? null, watermark: this.assemblers.get(batch.partition)?.watermark ?? null }, 'pricing first batch since assignment');
    }
    const assembler = this.assemblers.get(batch.partition);
    if (!assembler) throw new KcostError('UNASSIGNED_PARTITION', `pricing got a batch of by-node partition ${batch.partition}, which it was not assigned`);
    const direct = this.direct.get(batch.topic);
    if (direct) {
      for (const record of await direct.intake(batch, assembler, this.inputTopic, this.options.internal.usageByNodePartitions)) records.push(record);
    }
    for (const message of batch.topic === this.inputTopic ? batch.messages : []) {
      if (message.value === null) continue;
      if (isAnnouncement(message.headers)) {
        try {
          assembler.addTick(decodeAnnouncement(message.value), batch.partition, message.offset, null);
        } catch (error) {
          if (assembler.markRead(batch.partition, message.offset)) records.push(await stageDeadLetter(this.deadLetters, { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value }, error));
        }
        continue;
      }
      const tick = isTick(message.headers);
      if (tick || isIdleMark(message.headers)) {
        try {
          if (tick) {
            const decoded = decodeTick(message.value);
            assembler.addTick(decoded, batch.partition, message.offset, decoded.source);
          } else assembler.markIdle(decodeIdleMark(message.value).source, batch.partition, message.offset);
        } catch (error) {
          if (assembler.markRead(batch.partition, message.offset)) records.push(await stageDeadLetter(this.deadLetters, { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value }, error));
        }
        continue;
      }
      const source = sourceOf(message.headers);
      const origin = source ? { topic: this.options.topics.usage, ...source } : { topic: batch.topic, partition: batch.partition, offset: message.offset };
      const sample = await this.decode(message.value);
      if (sample instanceof Error) {
        if (assembler.markRead(batch.partition, message.offset)) records.push(await stageDeadLetter(this.deadLetters, { ...origin, key: message.key, value: message.value }, sample));
        continue;
      }
      const home = strayHome(sample, this.options.state, this.options.internal.usageByNodePartitions);
      if (home !== null && home.partition !== batch.partition) {
        // Routed before its pod's node was known, so it kept its pod key. Priced here, it would
        // fall outside its node's conservation (the node's owner prices the node without it):
        // send it on to the node's partition instead, once (a replay finds it already read).
        if (assembler.markRead(batch.partition, message.offset)) {
          records.push({ topic: this.inputTopic, key: home.key, value: message.value, partition: home.partition, headers: message.headers });
          this.options.metrics.forwardedSamples.inc();
        }
        continue;
      }
      const intake = assembler.add(sample, batch.partition, message.offset, source?.partition ?? 0);
      if (intake.kind === 'late') {
        this.options.metrics.lateSamples.inc();
        records.push(await stageDeadLetter(this.deadLetters, { ...origin, key: message.key, value: message.value }, new KcostError('LATE_SAMPLE', intake.reason)));
      }
    }
    assembler.readTo(direct ? direct.source : batch.partition, (BigInt(batch.lastOffset()) + 1n).toString());
    // A backlog closes many windows at once: too many records to spread into push() as arguments.
    for (const record of await this.priceClosedWindows(batch.partition, assembler)) records.push(record);
    this.updateGauges();
    const offsets: StageOffset[] = [...assembler.positions()].map(([stream, position]) => {
      const topic = this.directTopics.get(stream);
      return topic !== undefined ? { topic, partition: batch.partition, offset: position.commitOffset, metadata: position.metadata } : { partition: stream, offset: position.commitOffset, metadata: position.metadata };
    });
    return { records, offsets };
  }

  private async decode(bytes: Buffer): Promise<UsageSample | Error> {
    try {
      return await this.options.codec.decodeAs('UsageSample', bytes);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private async priceClosedWindows(partition: number, assembler: WindowAssembler): Promise<StageRecord[]> {
    const { topics, codec, internal, metrics } = this.options;
    const out: StageRecord[] = [];
    const pricedCosts: PodCost[] = [];
    const ownsNode = (node: NodeObject): boolean => partitionOfKey(nodeKey({ cluster: node.cluster, nodeName: node.name }), internal.usageByNodePartitions) === partition;
    for (const window of assembler.closeReady()) {
      const priced = priceWindow(window, this.options.state, this.options.prices, this.options.bases, ownsNode);
      for (const cost of priced.podCosts) {
        out.push({ topic: topics.costs, key: podKey(cost), value: await codec.encode('PodCost', cost) });
        pricedCosts.push(cost);
        for (const flag of cost.flags) metrics.flaggedCosts.inc({ flag });
      }
      for (const cost of priced.nodeCosts) out.push({ topic: topics.nodeCosts, key: nodeKey(cost), value: await codec.encode('NodeCost', cost) });
      metrics.windowsPriced.inc();
      metrics.podCosts.inc(priced.podCosts.length);
      metrics.nodeCosts.inc(priced.nodeCosts.length);
    }
    for (const point of workloadCostPoints(pricedCosts)) {
      const key = `${point.cluster}/${point.namespace}`;
      out.push({ topic: internal.costRates, key, value: encodeCostRate({ kind: 'cost', point }), partition: partitionOfKey(key, internal.costRatePartitions) });
    }
    const watermark = assembler.watermark;
    if (Number.isFinite(watermark)) {
      // Windows ending before watermark − lateness are all closed; one millisecond less keeps the comparison strict.
      const closedThrough = watermark - this.options.allowedLatenessMillis - 1;
      if (closedThrough > (this.markSent.get(partition) ?? Number.NEGATIVE_INFINITY)) {
        // After the cost shares in every partition, so the scoring stage has them all when it reads the mark.
        const mark = encodeCostRate({ kind: 'mark', mark: { sources: [partition], closedThrough } });
        for (let p = 0; p < internal.costRatePartitions; p++) out.push({ topic: internal.costRates, key: 'mark', value: mark, partition: p });
        this.markSent.set(partition, closedThrough);
      }
    }
    return out;
  }

  /** The lowest watermark of the partitions owned: pending samples, the watermark gauge and state pruning follow it. */
  private updateGauges(): void {
    let lowest = Number.POSITIVE_INFINITY;
    let pending = 0;
    for (const assembler of this.assemblers.values()) {
      lowest = Math.min(lowest, assembler.watermark);
      pending += assembler.pending;
    }
    this.options.metrics.pendingSamples.set(pending);
    if (!Number.isFinite(lowest)) return;
    this.options.metrics.watermark.set(lowest / 1000);
    if (lowest - this.prunedAt >= HOUR) {
      this.options.state.prune(lowest - this.options.stateRetentionMillis);
      this.prunedAt = lowest;
    }
  }
}

/**
 * Where a sample the router keyed by its pod's state belongs now: its node's
 * by-node partition, or null while the node is still unknown. A sample that
 * names its own node was routed by it, so it is where it belongs and costs
 * no lookup or hash here, on the path every sample takes.
 */
function strayHome(sample: UsageSample, state: ClusterState, partitions: number): { key: string; partition: number } | null {
  if (sample.nodeName) return null;
  const key = routingKey(sample, state);
  return key === podKey(sample) ? null : { key, partition: partitionOfKey(key, partitions) };
}
