/** A lane's progress: the newest window its costs partition has reached (null: none yet), and whether it is known to be idle. */
export interface LaneState {
  readonly source: number;
  newestWindowStart: number | null;
  idle: boolean;
}

/**
 * How far the event time of one by-container partition has got. Each
 * kcost.costs.v1 partition the router reads is a lane: the router sends a
 * tick to every by-container partition when a costs partition reaches a new
 * window, and an idle mark when it has been read to its end and stays quiet.
 * The partition's event time is the slowest lane that still delivers, so a
 * replay or a backfill in which one costs partition is read hours ahead of
 * another publishes nothing before the slower one has caught up; once every
 * lane is idle it is the fastest lane's, so a feed that stops still gets its
 * hours published up to where it stopped; once one of them delivers again,
 * every idle lane counts again until it ticks or is reported idle anew, so a
 * feed that resumes (or a restart over new records) publishes nothing before
 * every lane has caught up. Every costs partition is a lane
 * from the start: one not heard of yet holds the event time back until it
 * ticks or is reported idle (a partition with nothing to read is, at once).
 */
export class Lanes {
  private readonly lanes = new Map<number, LaneState>();

  /** `sources`: the partitions of the costs topic. */
  constructor(sources: number) {
    for (let source = 0; source < sources; source++) this.lanes.set(source, { source, newestWindowStart: null, idle: false });
  }

  tick(source: number, windowStart: number): void {
    const lane = this.laneOf(source);
    lane.newestWindowStart = lane.newestWindowStart === null ? windowStart : Math.max(lane.newestWindowStart, windowStart);
    if (!lane.idle) return;
    // A feed resuming: the other idle lanes may have new records too, read later than this one. Until each ticks
    // or is reported idle again (the router repeats its idle marks), it holds the event time where it stopped.
    for (const other of this.lanes.values()) other.idle = false;
  }

  idle(source: number): void {
    this.laneOf(source).idle = true;
  }

  /** The event time every lane still delivering has reached; -Infinity while one has not been heard of. */
  get watermark(): number {
    const all = [...this.lanes.values()];
    const at = (l: LaneState) => l.newestWindowStart ?? Number.NEGATIVE_INFINITY;
    const active = all.filter((l) => !l.idle);
    if (active.length > 0) return Math.min(...active.map(at));
    return all.length > 0 ? Math.max(...all.map(at)) : Number.NEGATIVE_INFINITY;
  }

  snapshot(): LaneState[] {
    return [...this.lanes.values()].sort((a, b) => a.source - b.source).map((l) => ({ ...l }));
  }

  /** Takes back the lanes as the changelog kept them. */
  restore(states: readonly LaneState[]): void {
    for (const s of states) this.lanes.set(s.source, { ...s });
  }

  private laneOf(source: number): LaneState {
    let lane = this.lanes.get(source);
    if (!lane) {
      // The costs topic gained partitions since this instance started.
      lane = { source, newestWindowStart: null, idle: false };
      this.lanes.set(source, lane);
    }
    return lane;
  }
}
