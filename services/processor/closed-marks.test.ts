import { describe, expect, it } from 'vitest';
import { ClosedMarks } from './closed-marks.js';

describe('ClosedMarks', () => {
  it('is the lowest mark over every partition, and waits for one not heard from', () => {
    const marks = new ClosedMarks(3);
    marks.add({ sources: [0, 1], closedThrough: 5_000 });
    expect(marks.closedThrough).toBe(Number.NEGATIVE_INFINITY);
    marks.add({ sources: [2], closedThrough: 3_000 });
    expect(marks.closedThrough).toBe(3_000);
    marks.add({ sources: [2], closedThrough: 9_000 });
    expect(marks.closedThrough).toBe(5_000);
  });

  it('never goes back when an older mark is repeated (after a restart or a rebalance)', () => {
    const marks = new ClosedMarks(2);
    marks.add({ sources: [0, 1], closedThrough: 7_000 });
    marks.add({ sources: [0], closedThrough: 2_000 });
    expect(marks.closedThrough).toBe(7_000);
  });

  it('ignores sources outside the topic', () => {
    const marks = new ClosedMarks(1);
    marks.add({ sources: [0, 4], closedThrough: 1_000 });
    expect(marks.closedThrough).toBe(1_000);
  });
});
