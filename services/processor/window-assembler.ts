import type { UsageSample } from '../codec/records.generated.js';
import type { WindowAnnouncement, WindowTick } from './internal-records.js';
import type { WindowSamples } from './window-pricer.js';

/** What the assembler did with a sample. */
export type Intake =
  | { readonly kind: 'added' }
  /** Its window had already closed: it goes to the dead-letter topic as LATE_SAMPLE. */
  | { readonly kind: 'late'; readonly reason: string }
  /** Read again after a restart, and already accounted for in a committed window (or dead letter). */
  | { readonly kind: 'replayed' };

/** Where a partition's consumption stands: what to commit, and what a restart must know. */
export interface PartitionPosition {
  /** First offset not yet reflected in published output: the consumer restarts here. */
  readonly commitOffset: string;
  /** Stored with the committed offset (Kafka offset metadata) for the next owner of the partition. */
  readonly metadata: string;
}

interface ReplayMark {
  readonly watermark: number;
  readonly readThrough: bigint;
}

/** Where a stream's replay stands after a restart: its replay mark, and whether it has been read up to it yet. */
interface Replay extends ReplayMark {
  /** True while records below readThrough, read before the restart, are still to be read again. */
  pending: boolean;
}

interface ReadRecord {
  readonly partition: number;
  readonly offset: bigint;
}

interface OpenWindow {
  readonly windowStart: number;
  readonly windowSeconds: number;
  readonly samples: Map<string, ReadRecord & { sample: UsageSample }>;
  /** Clusters known to have this window, from samples and ticks; each tick's position is kept for the commit offset. */
  readonly clusters: Set<string>;
  readonly ticks: ReadRecord[];
}

/**
 * Groups usage samples into event-time windows. Each lane has its own
 * watermark (the latest window end read from it); the assembler's watermark
 * is the lowest of them, so a lane that is consumed faster than another
 * (as in a backfill, where kafkajs fetches partitions unevenly) does not make
 * the slower one's samples late. A lane is a partition, or, on the by-node
 * topic, a (by-node partition, usage partition) pair: each usage partition's
 * samples keep their order within a by-node partition, but two usage
 * partitions routed at different speeds interleave there.
 *
 * A lane holds the watermark back until its source says it is idle (the
 * router has read its usage partition to the end and seen nothing new for a
 * while: markIdle), never because of how long it has been silent here: a
 * lane that is silent because its source is still being read is not idle.
 * Once every lane is idle for the allowed lateness (wall clock), nothing
 * more is on its way and every open window closes, so the last windows of a
 * feed that stops are priced too. A window closes once the watermark passes
 * its end plus the allowed lateness (with no lateness: when every lane
 * reached a later window), and a sample for a window that has closed is late.
 *
 * When an idle lane delivers again, every idle lane counts again (held where
 * it stopped) until it delivers or its source says anew that it is idle: a
 * feed that resumes after a pause resumes on every lane, and a lane whose
 * records are read first must not close windows on the others, whose
 * records for those windows may simply be read later.
 *
 * Recovery: a partition's committed offset is the oldest sample still in an
 * open window, and its metadata records the watermark and how far the
 * partition had been read. After a restart, samples below that read mark
 * whose windows had closed are skipped (they were priced already); the rest
 * rebuild the open windows. No window closes until every stream has been
 * read again up to its read mark: streams of different topics are read in
 * another interleaving than before the restart, so a window closed earlier
 * would miss the samples of a stream not yet read again. So no window is
 * priced twice, and none is lost.
 */
export class WindowAssembler {
  private readonly open = new Map<string, OpenWindow>();
  private readonly readThrough = new Map<number, bigint>();
  private readonly replay = new Map<number, Replay>();
  /** idleSince: when (wall clock) the lane's source said it is idle; null while it delivers. */
  private readonly lanes = new Map<string, { watermark: number; idleSince: number | null }>();
  /** Windows ending (plus lateness) before this have been closed and emitted. */
  private closedMark = Number.NEGATIVE_INFINITY;
  private readonly clock: () => number;

  constructor(
    private readonly latenessMillis: number,
    options: { clock?: () => number } = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /**
   * The event time through which every lane that is not idle has been read
   * (the lowest lane watermark), never going back; -Infinity before any sample.
   */
  get watermark(): number {
    // Replaying, lanes may have been read further on one stream than the others: only the restored mark holds.
    if (this.replaying) return this.closedMark;
    let lowest = Number.POSITIVE_INFINITY;
    let highest = Number.NEGATIVE_INFINITY;
    let anyActive = false;
    for (const { watermark, idleSince } of this.lanes.values()) {
      highest = Math.max(highest, watermark);
      if (idleSince === null) {
        anyActive = true;
        lowest = Math.min(lowest, watermark);
      }
    }
    // With every lane idle, what was read is all there is for now.
    const effective = anyActive ? lowest : highest;
    return Math.max(this.closedMark, effective);
  }

  /** Since when (wall clock) every lane has been idle, or null while one still delivers. */
  get quietSince(): number | null {
    let since = Number.NEGATIVE_INFINITY;
    for (const { idleSince } of this.lanes.values()) {
      if (idleSince === null) return null;
      since = Math.max(since, idleSince);
    }
    return Number.isFinite(since) ? since : null;
  }

  /**
   * Declares a lane this assembler reads before any of its samples arrive,
   * so that windows wait for it (until it delivers, or its source says it is
   * idle) instead of closing on the lanes that happened to be fetched first.
   */
  track(lane: string | number): void {
    const id = String(lane);
    if (!this.lanes.has(id)) this.lanes.set(id, { watermark: Number.NEGATIVE_INFINITY, idleSince: null });
  }

  /**
   * Takes a lane's idle mark: its source has been read to the end and is
   * quiet, so the lane stops holding the watermark back until it delivers
   * again. A repeated mark keeps the time of the first.
   */
  markIdle(lane: string | number, partition: number, offset: string): void {
    this.read(partition, BigInt(offset));
    const id = String(lane);
    const current = this.lanes.get(id);
    if (current?.idleSince != null) return;
    this.lanes.set(id, { watermark: current?.watermark ?? Number.NEGATIVE_INFINITY, idleSince: this.clock() });
  }

  /**
   * Restores a partition's read mark from its committed metadata (see
   * positions()); `committedOffset` is where its reading resumes, so records
   * from there to the read mark are read again before any window closes.
   */
  restore(partition: number, metadata: string | null, committedOffset: string | null = null): void {
    const mark = parseMetadata(metadata);
    if (!mark) return;
    const resumesAt = committedOffset === null ? -1n : BigInt(committedOffset);
    this.replay.set(partition, { ...mark, pending: resumesAt < mark.readThrough });
    this.closedMark = Math.max(this.closedMark, mark.watermark);
  }

  /**
   * A batch of `partition` has been read up to `nextOffset` (its last offset
   * plus one, control records included): records with no sample in them,
   * such as tombstones, count as read for the replay too.
   */
  readTo(partition: number, nextOffset: string): void {
    const replay = this.replay.get(partition);
    if (replay?.pending && BigInt(nextOffset) >= replay.readThrough) replay.pending = false;
  }

  /** True while some stream has records read before a restart still to be read again. */
  get replaying(): boolean {
    for (const replay of this.replay.values()) if (replay.pending) return true;
    return false;
  }

  /**
   * Records that a record that is not a sample (undecodable) was read;
   * returns false when it was read before a restart and already dealt with.
   */
  markRead(partition: number, offset: string): boolean {
    return this.read(partition, BigInt(offset)) === 'new';
  }

  /** Takes one sample read from `partition` at `offset`; its lane defaults to the partition (null: it advances no lane). */
  add(sample: UsageSample, partition: number, offset: string, lane: string | number | null = partition): Intake {
    const admitted = this.admit(sample.windowStart, sample.windowSeconds, partition, offset, lane);
    if (admitted.kind !== 'added') return admitted;
    put(admitted.window, sample, partition, BigInt(offset));
    return { kind: 'added' };
  }

  /**
   * Takes the samples of one record (a NodeUsage: one node and window) read
   * from `partition` at `offset`, all of the first one's window: the record
   * is admitted, found late or skipped on a replay as a whole, since its
   * samples share one offset. With none, the record only counts as read.
   * `resumes`: the lane the record belongs to but does not move (see resume()).
   */
  addAll(samples: readonly UsageSample[], partition: number, offset: string, lane: string | number | null = partition, resumes: string | number | null = null): Intake {
    const first = samples[0];
    if (!first) {
      this.markRead(partition, offset);
      return { kind: 'added' };
    }
    const admitted = this.admit(first.windowStart, first.windowSeconds, partition, offset, lane, resumes);
    if (admitted.kind !== 'added') return admitted;
    const at = BigInt(offset);
    for (const sample of samples) put(admitted.window, sample, partition, at);
    return { kind: 'added' };
  }

  /**
   * Takes a window tick: the window exists for its cluster (so its nodes are
   * priced even with no sample of their own here) and its lane, unless null,
   * has got that far. A tick for a closed window says nothing new and is dropped.
   */
  addTick(tick: WindowTick | WindowAnnouncement, partition: number, offset: string, lane: string | number | null = partition): Intake {
    const admitted = this.admit(tick.windowStart, tick.windowSeconds, partition, offset, lane);
    if (admitted.kind !== 'added') return admitted;
    admitted.window.clusters.add(tick.cluster);
    admitted.window.ticks.push({ partition, offset: BigInt(offset) });
    return { kind: 'added' };
  }

  private admit(windowStart: number, windowSeconds: number, partition: number, offset: string, lane: string | number | null, resumes: string | number | null = null): Exclude<Intake, { kind: 'added' }> | { kind: 'added'; window: OpenWindow } {
    const seen = this.read(partition, BigInt(offset));
    if (seen === 'again') return { kind: 'replayed' };
    const isReplay = seen === 'replay';
    if (resumes !== null && !isReplay) this.resume(String(resumes));
    const end = windowStart + windowSeconds * 1000;
    const replay = this.replay.get(partition);
    if (isReplay && replay && end + this.latenessMillis < replay.watermark) return { kind: 'replayed' };
    if (lane !== null) this.advance(String(lane), end);
    if (!isReplay && end + this.latenessMillis < this.closedMark) {
      return {
        kind: 'late',
        reason: `usage sample for window ${new Date(windowStart).toISOString()} arrived after the window closed (watermark ${new Date(this.closedMark).toISOString()}, allowed lateness ${this.latenessMillis} ms)`,
      };
    }
    const key = `${windowStart}/${windowSeconds}`;
    let window = this.open.get(key);
    if (!window) {
      window = { windowStart, windowSeconds, samples: new Map(), clusters: new Set(), ticks: [] };
      this.open.set(key, window);
    }
    return { kind: 'added', window };
  }

  /**
   * A new record of `lane` was read, but the lane moves only later (the by-node usage topic's lane moves by the ticks
   * read back from the internal topic). If it was idle, its feed is resuming: as in advance(), it and every other idle
   * lane hold windows again, where they stopped. Otherwise, with every lane still idle for the allowed lateness, the
   * windows of this record would close before the rest of their samples, still on their way, were read.
   */
  private resume(lane: string): void {
    const current = this.lanes.get(lane);
    if (current?.idleSince == null) return;
    for (const other of this.lanes.values()) other.idleSince = null;
  }

  private advance(lane: string, eventTime: number): void {
    const current = this.lanes.get(lane);
    if (current?.idleSince != null) {
      // A feed resuming: the other idle lanes may have new records too, read later than this one's. Until each
      // delivers or is reported idle again (their sources repeat their marks), it holds windows where it stopped.
      for (const other of this.lanes.values()) other.idleSince = null;
    }
    this.lanes.set(lane, { watermark: Math.max(current?.watermark ?? Number.NEGATIVE_INFINITY, eventTime), idleSince: null });
  }

  /** Classifies a read: seen already by this assembler, read before the restart, or new. */
  private read(partition: number, position: bigint): 'again' | 'replay' | 'new' {
    const readThrough = this.readThrough.get(partition);
    if (readThrough !== undefined && position < readThrough) return 'again';
    this.readThrough.set(partition, position + 1n);
    const replay = this.replay.get(partition);
    if (replay?.pending && position + 1n >= replay.readThrough) replay.pending = false;
    return replay !== undefined && position < replay.readThrough ? 'replay' : 'new';
  }

  /**
   * Removes and returns the windows the watermark has closed, oldest first;
   * all open windows once every lane has been idle for the allowed lateness.
   */
  closeReady(): WindowSamples[] {
    if (this.replaying) return [];
    this.closedMark = this.watermark;
    const quietSince = this.quietSince;
    if (quietSince !== null && this.clock() - quietSince >= this.latenessMillis) {
      let latestEnd = Number.NEGATIVE_INFINITY;
      for (const window of this.open.values()) latestEnd = Math.max(latestEnd, window.windowStart + window.windowSeconds * 1000);
      // Just past the latest open window's close: it and every earlier one close now, later ones stay open to come.
      if (Number.isFinite(latestEnd)) this.closedMark = Math.max(this.closedMark, latestEnd + this.latenessMillis + 1);
    }
    const closed: OpenWindow[] = [];
    for (const [key, window] of this.open) {
      if (window.windowStart + window.windowSeconds * 1000 + this.latenessMillis < this.closedMark) {
        closed.push(window);
        this.open.delete(key);
      }
    }
    closed.sort((a, b) => a.windowStart - b.windowStart);
    // Samples in key order, not arrival order: a node's costs are sums over its samples, and floating-point
    // sums depend on their order, so a replay or a second instance must add them up in the same one.
    return closed.map((w) => ({ windowStart: w.windowStart, windowSeconds: w.windowSeconds, clusters: [...w.clusters].sort(), samples: [...w.samples].sort(byKey).map(([, s]) => s.sample) }));
  }

  /** Commit position of every partition read so far. */
  positions(): Map<number, PartitionPosition> {
    const oldestOpen = new Map<number, bigint>();
    for (const window of this.open.values()) {
      for (const { partition, offset } of [...window.samples.values(), ...window.ticks]) {
        const current = oldestOpen.get(partition);
        if (current === undefined || offset < current) oldestOpen.set(partition, offset);
      }
    }
    const result = new Map<number, PartitionPosition>();
    for (const [partition, read] of this.readThrough) {
      // Below the replay mark nothing new is known: keep the earlier mark so a second crash skips the same samples.
      const readMark = max(read, this.replay.get(partition)?.readThrough ?? 0n);
      const watermark = Math.max(this.closedMark, this.replay.get(partition)?.watermark ?? Number.NEGATIVE_INFINITY);
      result.set(partition, {
        commitOffset: (oldestOpen.get(partition) ?? read).toString(),
        metadata: JSON.stringify({ v: 1, watermark, readThrough: readMark.toString() }),
      });
    }
    return result;
  }

  /** Number of samples waiting in open windows. */
  get pending(): number {
    let n = 0;
    for (const window of this.open.values()) n += window.samples.size;
    return n;
  }
}

function put(window: OpenWindow, sample: UsageSample, partition: number, offset: bigint): void {
  // A repeated sample for the same container (a collector retry) replaces the first.
  window.samples.set(`${sample.cluster}/${sample.podUid}/${sample.container}`, { sample, partition, offset });
  window.clusters.add(sample.cluster);
}

function parseMetadata(metadata: string | null): ReplayMark | null {
  if (!metadata) return null;
  try {
    const parsed = JSON.parse(metadata) as { v?: number; watermark?: number | null; readThrough?: string };
    if (parsed.v !== 1 || typeof parsed.readThrough !== 'string') return null;
    // Before the first window closes the watermark is -Infinity, which JSON writes as null. Such a mark still
    // says how far each stream was read: dropping it would let windows close before a stream is read again.
    if (parsed.watermark === null) return { watermark: Number.NEGATIVE_INFINITY, readThrough: BigInt(parsed.readThrough) };
    if (typeof parsed.watermark !== 'number') return null;
    return { watermark: parsed.watermark, readThrough: BigInt(parsed.readThrough) };
  } catch {
    return null;
  }
}

function byKey([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
