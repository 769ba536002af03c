import { describe, expect, it } from 'vitest';
import type { CommittedPosition } from '../kafka/transactional-stage.js';
import { SourceIdleness, type PartitionEnds } from './source-idleness.js';

const SECOND = 1000;
const NONE = new Map<number, CommittedPosition>();

function setUp(ends: Map<number, { low: bigint; high: bigint }>) {
  let now = 0;
  let asked = 0;
  const idleness = new SourceIdleness(10 * SECOND, () => now);
  const due = () =>
    idleness.due(() => {
      asked++;
      return Promise.resolve(ends as PartitionEnds);
    });
  return { idleness, due, ends, advance: (millis: number) => (now += millis), asked: () => asked };
}

describe('SourceIdleness', () => {
  it('marks every partition idle at once while no partition of the topic has ever held a record, then every idle-after while they stay quiet', async () => {
    const { idleness, due, advance } = setUp(new Map([[0, { low: 0n, high: 0n }], [1, { low: 0n, high: 0n }]]));
    idleness.assign([0, 1], NONE);
    expect(await due()).toEqual([0, 1]);
    advance(9 * SECOND);
    expect(await due()).toEqual([]);
    advance(SECOND);
    expect(await due()).toEqual([0, 1]);
  });

  it('waits the full idle-after for an empty partition when another partition of the topic has held records, and asks the broker once per assignment before that', async () => {
    const { idleness, due, advance, asked } = setUp(new Map([[0, { low: 0n, high: 0n }], [1, { low: 5n, high: 5n }]]));
    idleness.assign([0], NONE);
    expect(await due()).toEqual([]);
    advance(5 * SECOND);
    expect(await due()).toEqual([]);
    expect(asked()).toBe(1);
    advance(5 * SECOND);
    expect(await due()).toEqual([0]);
  });

  it('after a partition reported idle delivers again, marks no other one before it has been quiet for idle-after from then', async () => {
    const { idleness, due, ends, advance } = setUp(new Map([[0, { low: 0n, high: 0n }], [1, { low: 0n, high: 0n }], [2, { low: 0n, high: 0n }]]));
    idleness.assign([0, 1, 2], NONE);
    expect(await due()).toEqual([0, 1, 2]);
    // The feed starts on partition 0 just before the marks of 1 and 2 repeat.
    advance(9 * SECOND);
    ends.set(0, { low: 0n, high: 4n });
    idleness.read(0, true, '3');
    advance(SECOND);
    expect(await due()).toEqual([]);
    // Partition 1's first records come 5 s later: that resumption holds partition 2's mark again.
    advance(4 * SECOND);
    ends.set(1, { low: 0n, high: 2n });
    idleness.read(1, true, '1');
    advance(9 * SECOND);
    expect(await due()).toEqual([]);
    advance(SECOND);
    expect(await due()).toEqual([0, 1, 2]);
  });

  it('does not let a partition that was never reported idle wake the others when it delivers', async () => {
    const { idleness, due, ends, advance } = setUp(new Map([[0, { low: 0n, high: 9n }], [1, { low: 0n, high: 3n }]]));
    idleness.assign([0, 1], new Map([[1, { offset: '3', metadata: null }]]));
    advance(10 * SECOND);
    expect(await due()).toEqual([1]);
    advance(5 * SECOND);
    // Partition 0 is a backlog still being read: a batch of it is no resumption.
    idleness.read(0, false, '4');
    ends.set(1, { low: 0n, high: 3n });
    advance(5 * SECOND);
    expect(await due()).toEqual([1]);
  });
});
