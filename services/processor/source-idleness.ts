import type { CommittedPosition } from '../kafka/transactional-stage.js';

/** What a stage knows of one input partition it owns. */
interface PartitionProgress {
  /** Wall clock of the last batch read from it, of the assignment, or of another partition's resumption (see read()). */
  lastReadAt: number;
  /** Whether the last batch read reached the partition's end; null before the first batch. */
  atEnd: boolean | null;
  /** The offset after the last batch read (control records included); -1 before the first batch. */
  position: bigint;
  /** Committed offset at assignment (-1: none). */
  readonly committed: bigint;
  /** When its last idle mark was sent; null while it delivers, or once another partition resumed. */
  idleMarkSentAt: number | null;
  /** Whether it has been reported idle and has delivered nothing since. */
  reportedIdle: boolean;
}

/** Low and high watermarks of a topic's partitions. */
export type PartitionEnds = ReadonlyMap<number, { readonly low: bigint; readonly high: bigint }>;

/**
 * Decides when an input partition a stage owns is idle: read to its end
 * (the last batch reached the high watermark, or, for a partition nothing
 * was read of, its committed offset is at the end) and quiet for
 * `idleAfterMillis`. Then, and again every `idleAfterMillis` while it stays
 * quiet, it is due an idle mark, so that windows stop waiting for it without
 * a partition that is merely slow to be read ever being taken for an idle one.
 * The end is asked of the broker before a mark is due: records produced
 * since the last batch, not fetched yet, make a partition that reached its
 * end then no longer at its end now (a feed resuming after a pause).
 *
 * Two rules about when the quiet starts:
 *
 * - While no partition of the topic has ever held a record (every high
 *   watermark is 0: a topic no producer uses, such as kcost.usage.v1 once
 *   every producer keys by node), its partitions are idle from their
 *   assignment, so that the topic does not hold a backlog's first windows
 *   back for `idleAfterMillis`. This is asked of the broker once per
 *   assignment; a topic with records anywhere waits as before.
 * - When a partition that was reported idle delivers again (a feed starting
 *   or resuming), every other partition at its end must be quiet for
 *   `idleAfterMillis` from then on before its next mark: a feed's partitions
 *   get their first records seconds apart, and a mark that happened to fall
 *   due in between would let windows close before the later ones are read.
 *   The window assembler does the same with the marks it has taken (an idle
 *   lane that delivers wakes the others), so together a partition whose
 *   records come less than `idleAfterMillis` after another's are never late.
 */
export class SourceIdleness {
  private progress = new Map<number, PartitionProgress>();
  /** Whether the topic's ends were asked since the assignment, to see if it has ever held a record. */
  private emptyTopicAsked = false;

  constructor(
    private readonly idleAfterMillis: number,
    private readonly now: () => number,
  ) {}

  assign(partitions: readonly number[], committed: ReadonlyMap<number, CommittedPosition>): void {
    const now = this.now();
    this.emptyTopicAsked = false;
    this.progress = new Map(partitions.map((partition) => [partition, { lastReadAt: now, atEnd: null, position: -1n, committed: BigInt(committed.get(partition)?.offset ?? '-1'), idleMarkSentAt: null, reportedIdle: false }]));
  }

  /** A batch was read from `partition` up to `lastOffset`; `atEnd` when it reached the partition's end. */
  read(partition: number, atEnd: boolean, lastOffset: string): void {
    const progress = this.progress.get(partition);
    if (!progress) return;
    const now = this.now();
    if (progress.reportedIdle) {
      // A feed (re)starting: the other quiet partitions' records may simply be produced a little later.
      for (const [other, p] of this.progress) {
        if (other === partition || p.atEnd === false) continue;
        p.lastReadAt = now;
        p.idleMarkSentAt = null;
      }
    }
    progress.lastReadAt = now;
    progress.atEnd = atEnd;
    progress.position = BigInt(lastOffset) + 1n;
    progress.idleMarkSentAt = null;
    progress.reportedIdle = false;
  }

  /** The owned partitions due an idle mark now (taken as sent); `ends` is asked when one is quiet long enough. */
  async due(ends: () => Promise<PartitionEnds>): Promise<number[]> {
    const now = this.now();
    const after = this.idleAfterMillis;
    const quiet = (p: PartitionProgress) => now - p.lastReadAt >= after && (p.idleMarkSentAt === null || now - p.idleMarkSentAt >= after);
    const neverRead = (p: PartitionProgress) => p.atEnd === null && !p.reportedIdle;
    const askEmpty = !this.emptyTopicAsked && [...this.progress.values()].some(neverRead);
    const due = [...this.progress].filter(([, p]) => (quiet(p) || (askEmpty && neverRead(p))) && p.atEnd !== false);
    if (due.length === 0) return [];
    const known = await ends();
    if (askEmpty) this.emptyTopicAsked = true;
    const topicNeverHeldARecord = known.size > 0 && [...known.values()].every((end) => end.high === 0n);
    const idle: number[] = [];
    for (const [partition, progress] of due) {
      if (!quiet(progress) && !topicNeverHeldARecord) continue;
      const end = known.get(partition);
      const atEnd = progress.atEnd === null ? neverReadIsAtEnd(progress.committed, end) : end !== undefined && progress.position >= end.high;
      if (!atEnd) continue;
      progress.idleMarkSentAt = now;
      progress.reportedIdle = true;
      idle.push(partition);
    }
    return idle;
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
