import type { CommittedPosition } from '../kafka/transactional-stage.js';

/** What a stage knows of one input partition it owns. */
interface PartitionProgress {
  /** Wall clock of the last batch read from it, or of the assignment. */
  lastReadAt: number;
  /** Whether the last batch read reached the partition's end; null before the first batch. */
  atEnd: boolean | null;
  /** The offset after the last batch read (control records included); -1 before the first batch. */
  position: bigint;
  /** Committed offset at assignment (-1: none). */
  readonly committed: bigint;
  /** When its last idle mark was sent; null while it delivers. */
  idleMarkSentAt: number | null;
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
 */
export class SourceIdleness {
  private progress = new Map<number, PartitionProgress>();

  constructor(
    private readonly idleAfterMillis: number,
    private readonly now: () => number,
  ) {}

  assign(partitions: readonly number[], committed: ReadonlyMap<number, CommittedPosition>): void {
    const now = this.now();
    this.progress = new Map(partitions.map((partition) => [partition, { lastReadAt: now, atEnd: null, position: -1n, committed: BigInt(committed.get(partition)?.offset ?? '-1'), idleMarkSentAt: null }]));
  }

  /** A batch was read from `partition` up to `lastOffset`; `atEnd` when it reached the partition's end. */
  read(partition: number, atEnd: boolean, lastOffset: string): void {
    const progress = this.progress.get(partition);
    if (!progress) return;
    progress.lastReadAt = this.now();
    progress.atEnd = atEnd;
    progress.position = BigInt(lastOffset) + 1n;
    progress.idleMarkSentAt = null;
  }

  /** The owned partitions due an idle mark now (taken as sent); `ends` is asked when one is quiet long enough. */
  async due(ends: () => Promise<PartitionEnds>): Promise<number[]> {
    const now = this.now();
    const after = this.idleAfterMillis;
    const due = [...this.progress].filter(([, p]) => now - p.lastReadAt >= after && (p.idleMarkSentAt === null || now - p.idleMarkSentAt >= after) && p.atEnd !== false);
    if (due.length === 0) return [];
    const known = await ends();
    const idle: number[] = [];
    for (const [partition, progress] of due) {
      const end = known.get(partition);
      const atEnd = progress.atEnd === null ? neverReadIsAtEnd(progress.committed, end) : end !== undefined && progress.position >= end.high;
      if (!atEnd) continue;
      progress.idleMarkSentAt = now;
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
