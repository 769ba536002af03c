import type { ClosedMark } from './internal-records.js';

/**
 * How far pricing has got over all by-node partitions, as told by the
 * pricing instances' closed marks: every window ending (plus lateness) at or
 * before `closedThrough` has been priced on every partition. A partition not
 * heard from yet holds it at -Infinity; marks only move forward, so a mark
 * repeated after a restart changes nothing.
 */
export class ClosedMarks {
  private readonly bySource = new Map<number, number>();

  constructor(private readonly sourceCount: number) {}

  add(mark: ClosedMark): void {
    for (const source of mark.sources) {
      if (source < 0 || source >= this.sourceCount) continue;
      this.bySource.set(source, Math.max(this.bySource.get(source) ?? Number.NEGATIVE_INFINITY, mark.closedThrough));
    }
  }

  get closedThrough(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (let source = 0; source < this.sourceCount; source++) lowest = Math.min(lowest, this.bySource.get(source) ?? Number.NEGATIVE_INFINITY);
    return this.sourceCount === 0 ? Number.NEGATIVE_INFINITY : lowest;
  }
}
