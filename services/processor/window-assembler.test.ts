import { describe, expect, it } from 'vitest';
import { usageSample } from './record-builders.js';
import { WindowAssembler } from './window-assembler.js';

const T0 = Date.UTC(2026, 2, 1, 12);
const MINUTE = 60_000;
const sample = (minute: number, pod = 'p') => usageSample({ podName: pod, container: 'c', windowStart: T0 + minute * MINUTE, cpuCores: 1, memoryGib: 1 });

describe('WindowAssembler', () => {
  it('keeps windows open until every partition passed them, so a partition read faster does not make another late', () => {
    const assembler = new WindowAssembler(2 * MINUTE, { clock: () => T0 });
    // Partition 0 is read two hours ahead of partition 1, as kafkajs may do in a backfill.
    for (let minute = 0; minute < 120; minute++) assembler.add(sample(minute, 'fast'), 0, String(minute));
    assembler.add(sample(0, 'slow'), 1, '0');
    expect(assembler.closeReady()).toEqual([]);
    for (let minute = 1; minute < 10; minute++) expect(assembler.add(sample(minute, 'slow'), 1, String(minute)).kind).toBe('added');
    // Partition 1 is at 12:10 now: windows ending before 12:08 close, each with both pods.
    const closed = assembler.closeReady();
    expect(closed.map((w) => (w.windowStart - T0) / MINUTE)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(closed.every((w) => w.samples.length === 2)).toBe(true);
  });

  it('waits for a tracked partition that has delivered nothing yet', () => {
    const assembler = new WindowAssembler(0, { clock: () => T0 });
    assembler.track(0);
    assembler.track(1);
    for (let minute = 0; minute < 30; minute++) assembler.add(sample(minute, 'early'), 0, String(minute));
    expect(assembler.closeReady()).toEqual([]);
    expect(assembler.add(sample(0, 'fetched-later'), 1, '0').kind).toBe('added');
  });

  it('opens a window for an announcement without moving any lane, so the window still waits for its lanes', () => {
    const assembler = new WindowAssembler(0, { clock: () => T0 });
    assembler.track(0);
    expect(assembler.addTick({ cluster: 'prod', windowStart: T0 + 5 * MINUTE, windowSeconds: 60 }, 0, '0', null).kind).toBe('added');
    expect(assembler.closeReady()).toEqual([]);
    // Lane 0 passes the window: it closes, for its cluster, with no sample of its own here.
    assembler.add(sample(7), 0, '1');
    expect(assembler.closeReady().map((w) => [(w.windowStart - T0) / MINUTE, w.clusters, w.samples.length])).toEqual([[5, ['prod'], 0]]);
  });

  it('keeps waiting for a lane that is silent but not idle, however long', () => {
    let now = T0;
    const assembler = new WindowAssembler(0, { clock: () => now });
    assembler.add(sample(0, 'a'), 0, '0');
    assembler.add(sample(0, 'b'), 1, '0');
    assembler.add(sample(5, 'a'), 0, '1');
    now += 3_600_000;
    assembler.add(sample(6, 'a'), 0, '2');
    expect(assembler.closeReady()).toEqual([]);
    expect(assembler.add(sample(1, 'b'), 1, '1').kind).toBe('added');
  });

  it('stops waiting for a lane whose source says it is idle, and waits for it again once it delivers', () => {
    const assembler = new WindowAssembler(0, { clock: () => T0 });
    assembler.add(sample(0, 'a'), 0, '0');
    assembler.add(sample(0, 'b'), 1, '0');
    assembler.add(sample(5, 'a'), 0, '1');
    assembler.markIdle(1, 1, '1');
    assembler.add(sample(6, 'a'), 0, '2');
    expect(assembler.closeReady().map((w) => (w.windowStart - T0) / MINUTE)).toEqual([0, 5]);
    // Lane 1 delivers again: it holds the watermark at its 12:08 until it moves on.
    expect(assembler.add(sample(7, 'b'), 1, '2').kind).toBe('added');
    assembler.add(sample(9, 'a'), 0, '3');
    expect(assembler.closeReady().map((w) => (w.windowStart - T0) / MINUTE)).toEqual([6]);
  });

  it('holds windows for every idle lane once one of them delivers again, until each delivers or is idle anew', () => {
    const assembler = new WindowAssembler(0, { clock: () => T0 });
    assembler.add(sample(0, 'a'), 0, '0');
    assembler.add(sample(0, 'b'), 1, '0');
    assembler.markIdle(0, 0, '1');
    assembler.markIdle(1, 1, '1');
    // A feed resuming after a pause: lane 0's records are read first, hours ahead of lane 1's.
    for (let minute = 1; minute < 60; minute++) assembler.add(sample(minute, 'a'), 0, String(minute + 1));
    expect(assembler.closeReady()).toEqual([]);
    expect(assembler.add(sample(1, 'b'), 1, '2').kind).toBe('added');
    // Lane 1 says anew that it is idle: lane 0 alone makes the watermark, and 12:00 to 12:58 close.
    assembler.markIdle(1, 1, '3');
    expect(assembler.closeReady()).toHaveLength(59);
  });


  it('holds lanes that were idle from their assignment, before any record, once one of them delivers its first', () => {
    // A topic that has never held a record is idle from the assignment (SourceIdleness), and a feed starting
    // after the processor gets its partitions' first records seconds apart: the later ones must not be late.
    const assembler = new WindowAssembler(0, { clock: () => T0 });
    for (const lane of [0, 1, 2]) {
      assembler.track(lane);
      assembler.markIdle(lane, lane, '0');
    }
    for (let minute = 0; minute < 60; minute++) assembler.add(sample(minute, 'first'), 0, String(minute + 1));
    expect(assembler.closeReady()).toEqual([]);
    expect(assembler.add(sample(0, 'second'), 1, '1').kind).toBe('added');
    expect(assembler.closeReady()).toEqual([]);
    expect(assembler.add(sample(0, 'third'), 2, '1').kind).toBe('added');
    assembler.add(sample(59, 'second'), 1, '2');
    assembler.add(sample(59, 'third'), 2, '2');
    expect(assembler.closeReady().map((w) => [(w.windowStart - T0) / MINUTE, w.samples.length])[0]).toEqual([0, 3]);
  });
  it('closes no window before every stream was read again up to its mark after a restart', () => {
    const first = new WindowAssembler(0, { clock: () => T0 });
    first.track(0);
    first.track(1);
    first.add(sample(0, 'a'), 0, '0');
    first.add(sample(0, 'b'), -1, '0', null);
    first.add(sample(1, 'a'), 0, '1');
    first.addTick({ cluster: 'default', windowStart: T0 + MINUTE, windowSeconds: 60, source: 1 }, 0, '2', 1);
    expect(first.closeReady().map((w) => (w.windowStart - T0) / MINUTE)).toEqual([0]);
    first.add(sample(1, 'b'), -1, '1', null);
    first.add(sample(2, 'a'), 0, '3');
    first.addTick({ cluster: 'default', windowStart: T0 + 2 * MINUTE, windowSeconds: 60, source: 1 }, 0, '4', 1);
    const positions = first.positions();
    const second = new WindowAssembler(0, { clock: () => T0 });
    second.track(0);
    second.track(1);
    for (const [stream, position] of positions) second.restore(stream, position.metadata, position.commitOffset);
    // Stream 0 is read again first, ticks of lane 1 included: the 12:01 window would close without stream -1's sample.
    second.add(sample(1, 'a'), 0, '1');
    second.addTick({ cluster: 'default', windowStart: T0 + MINUTE, windowSeconds: 60, source: 1 }, 0, '2', 1);
    second.add(sample(2, 'a'), 0, '3');
    second.addTick({ cluster: 'default', windowStart: T0 + 2 * MINUTE, windowSeconds: 60, source: 1 }, 0, '4', 1);
    second.readTo(0, '5');
    expect(second.closeReady()).toEqual([]);
    expect(second.add(sample(1, 'b'), -1, '1', null).kind).toBe('added');
    second.readTo(-1, '2');
    expect(second.closeReady().map((w) => [(w.windowStart - T0) / MINUTE, w.samples.length])).toEqual([[1, 2]]);
  });

  it('holds the replay after a restart that came before any window closed (a watermark of -Infinity, null in JSON)', () => {
    const first = new WindowAssembler(0, { clock: () => T0 });
    first.track(1);
    first.add(sample(0, 'b'), -1, '0', null);
    first.add(sample(1, 'b'), -1, '1', null);
    first.addTick({ cluster: 'default', windowStart: T0, windowSeconds: 60, source: 1 }, 0, '0', 1);
    first.addTick({ cluster: 'default', windowStart: T0 + MINUTE, windowSeconds: 60, source: 1 }, 0, '1', 1);
    // Crashed before the first close: nothing priced, both streams read.
    const positions = first.positions();
    expect((JSON.parse(positions.get(0)?.metadata ?? '{}') as { watermark?: unknown }).watermark).toBeNull();
    const second = new WindowAssembler(0, { clock: () => T0 });
    second.track(1);
    for (const [stream, position] of positions) second.restore(stream, position.metadata, position.commitOffset);
    // The ticks are read again first: lane 1 is at 12:02, but stream -1's samples are still to be read again.
    second.addTick({ cluster: 'default', windowStart: T0, windowSeconds: 60, source: 1 }, 0, '0', 1);
    second.addTick({ cluster: 'default', windowStart: T0 + MINUTE, windowSeconds: 60, source: 1 }, 0, '1', 1);
    second.readTo(0, '2');
    expect(second.closeReady()).toEqual([]);
    expect(second.add(sample(0, 'b'), -1, '0', null).kind).toBe('added');
    expect(second.add(sample(1, 'b'), -1, '1', null).kind).toBe('added');
    second.readTo(-1, '2');
    expect(second.closeReady().map((w) => [(w.windowStart - T0) / MINUTE, w.samples.length])).toEqual([[0, 1]]);
  });

  it('closes every open window once all lanes have been idle for the allowed lateness, and only then', () => {
    let now = T0;
    const assembler = new WindowAssembler(2 * MINUTE, { clock: () => now });
    for (let minute = 0; minute < 5; minute++) {
      assembler.add(sample(minute, 'a'), 0, String(minute));
      assembler.add(sample(minute, 'b'), 1, String(minute));
    }
    expect(assembler.closeReady().map((w) => (w.windowStart - T0) / MINUTE)).toEqual([0, 1]);
    assembler.markIdle(0, 0, '5');
    now += 10 * MINUTE;
    assembler.markIdle(1, 1, '5');
    now += 2 * MINUTE - 1;
    expect(assembler.closeReady()).toEqual([]);
    now += 1;
    expect(assembler.closeReady().map((w) => (w.windowStart - T0) / MINUTE)).toEqual([2, 3, 4]);
    // The feed resumes with the next window: not late, and the lanes hold the watermark again.
    expect(assembler.add(sample(5, 'a'), 0, '6').kind).toBe('added');
    expect(assembler.add(sample(4, 'b'), 1, '6').kind).toBe('late');
  });

  it('closes a window once the watermark passes its end plus the lateness, and dead-letters later samples', () => {
    const assembler = new WindowAssembler(2 * MINUTE);
    expect(assembler.add(sample(0), 0, '0').kind).toBe('added');
    expect(assembler.add(sample(1), 0, '1').kind).toBe('added');
    expect(assembler.add(sample(2), 0, '2').kind).toBe('added');
    // Watermark 12:03: the 12:00 window ends 12:01 and closes once the watermark passes 12:03.
    expect(assembler.closeReady()).toEqual([]);
    expect(assembler.add(sample(3), 0, '3').kind).toBe('added');
    const closed = assembler.closeReady();
    expect(closed.map((w) => w.windowStart)).toEqual([T0]);
    const late = assembler.add(sample(0, 'q'), 0, '4');
    expect(late.kind).toBe('late');
    // Within the lateness a sample is still taken: the 12:01 window is open until 12:04.
    expect(assembler.add(sample(1, 'q'), 0, '5').kind).toBe('added');
  });

  it('keeps one sample per container and window (a repeated sample replaces the first)', () => {
    const assembler = new WindowAssembler(0);
    assembler.add({ ...sample(0), cpuCoreSeconds: 1 }, 0, '0');
    assembler.add({ ...sample(0), cpuCoreSeconds: 7 }, 0, '1');
    assembler.add(sample(5), 0, '2');
    const [window] = assembler.closeReady();
    expect(window?.samples.map((s) => s.cpuCoreSeconds)).toEqual([7]);
  });

  it('commits the oldest offset still in an open window, and after a restart skips what was already priced', () => {
    const first = new WindowAssembler(MINUTE);
    first.add(sample(0, 'a'), 0, '10');
    first.add(sample(1, 'a'), 0, '11');
    first.add(sample(0, 'b'), 0, '12'); // arrives after 12:01 but is within the lateness
    first.add(sample(2, 'a'), 0, '13'); // watermark 12:03 closes 12:00 (end 12:01 + 1 min ≤ 12:03)
    const priced = first.closeReady();
    expect(priced.map((w) => w.samples.length)).toEqual([2]);
    const position = first.positions().get(0);
    expect(position?.commitOffset).toBe('11');

    // Restart from offset 11 with the committed metadata: offset 12 belongs to the priced 12:00 window.
    const second = new WindowAssembler(MINUTE);
    second.restore(0, position?.metadata ?? null);
    expect(second.add(sample(1, 'a'), 0, '11').kind).toBe('added');
    expect(second.add(sample(0, 'b'), 0, '12').kind).toBe('replayed');
    expect(second.add(sample(2, 'a'), 0, '13').kind).toBe('added');
    // New input past the read mark follows the normal rules.
    expect(second.add(sample(0, 'c'), 0, '14').kind).toBe('late');
    expect(second.add(sample(3, 'a'), 0, '15').kind).toBe('added');
    expect(second.closeReady().map((w) => [w.windowStart, w.samples.length])).toEqual([[T0 + MINUTE, 1]]);
  });
});

describe('WindowAssembler re-reads', () => {
  it('ignores a record it has read already (a batch fetched twice)', () => {
    const assembler = new WindowAssembler(0);
    assembler.add(sample(0), 0, '0');
    assembler.add(sample(2), 0, '1');
    expect(assembler.closeReady()).toHaveLength(1);
    expect(assembler.add(sample(0), 0, '0').kind).toBe('replayed');
    expect(assembler.markRead(0, '1')).toBe(false);
    expect(assembler.markRead(0, '2')).toBe(true);
  });
});

describe('WindowAssembler lanes and ticks (the by-node topic)', () => {
  it('keeps a window open while one usage partition routed into this partition lags another', () => {
    const assembler = new WindowAssembler(0, { clock: () => T0 });
    assembler.track('0:0');
    assembler.track('0:1');
    // Usage partition 0 was routed an hour ahead of usage partition 1; both land in by-node partition 0.
    for (let minute = 0; minute < 60; minute++) assembler.add(sample(minute, 'ahead'), 0, String(minute), '0:0');
    expect(assembler.closeReady()).toEqual([]);
    expect(assembler.add(sample(0, 'behind'), 0, '60', '0:1').kind).toBe('added');
    expect(assembler.add(sample(5, 'behind'), 0, '61', '0:1').kind).toBe('added');
    // The lagging lane is at 12:06: only windows ending before it close, and the 12:00 one has both pods.
    const closed = assembler.closeReady();
    expect(closed.map((w) => (w.windowStart - T0) / MINUTE)).toEqual([0, 1, 2, 3, 4]);
    expect(closed[0]?.samples).toHaveLength(2);
  });

  it('opens a window for a tick, so a cluster with no sample here is still priced, and drops a tick for a closed window', () => {
    const assembler = new WindowAssembler(0, { clock: () => T0 });
    expect(assembler.addTick({ cluster: 'staging', windowStart: T0, windowSeconds: 60, source: 0 }, 0, '0').kind).toBe('added');
    assembler.add(sample(0), 0, '1');
    assembler.addTick({ cluster: 'prod', windowStart: T0 + 2 * MINUTE, windowSeconds: 60, source: 0 }, 0, '2');
    const [closed] = assembler.closeReady();
    expect(closed?.clusters).toEqual(['prod', 'staging']);
    expect(assembler.addTick({ cluster: 'staging', windowStart: T0, windowSeconds: 60, source: 0 }, 0, '3').kind).toBe('late');
  });

  it('holds the commit offset at the oldest tick of an open window, so a restart reads it again', () => {
    const assembler = new WindowAssembler(2 * MINUTE, { clock: () => T0 });
    assembler.addTick({ cluster: 'prod', windowStart: T0, windowSeconds: 60, source: 0 }, 0, '7');
    assembler.add(sample(0), 0, '8');
    expect(assembler.positions().get(0)?.commitOffset).toBe('7');
  });
});

describe('WindowAssembler sample order', () => {
  it('hands a window its samples in key order, whatever order they arrived in, so sums come out the same to the bit', () => {
    const pods = ['c', 'a', 'd', 'b'];
    const arrived = (order: string[]) => {
      const assembler = new WindowAssembler(0);
      order.forEach((pod, i) => assembler.add(sample(0, pod), i % 2, String(i)));
      assembler.add(sample(5, 'z'), 0, '10');
      assembler.add(sample(5, 'z'), 1, '10');
      return assembler.closeReady()[0]?.samples.map((s) => s.podName);
    };
    expect(arrived(pods)).toEqual(arrived([...pods].reverse()));
    expect(arrived(pods)).toEqual(['a', 'b', 'c', 'd']);
  });

  it("takes every sample of a record at its one offset, and after a restart rebuilds them all from it, or skips them all once priced", () => {
    const record = (minute: number) => ['a', 'b', 'c'].map((pod) => sample(minute, pod));
    const first = new WindowAssembler(0, { clock: () => T0 });
    expect(first.addAll(record(0), -2, '0').kind).toBe('added');
    expect(first.addAll(record(1), -2, '1').kind).toBe('added');
    expect(first.pending).toBe(6);
    // Lane -2 is at 12:02: the 12:00 window is priced, the 12:01 one still open, so the commit stays at offset 1.
    expect(first.closeReady().map((w) => w.samples.length)).toEqual([3]);
    const position = first.positions().get(-2);
    expect(position?.commitOffset).toBe('1');

    const second = new WindowAssembler(0, { clock: () => T0 });
    second.restore(-2, position?.metadata ?? null, '0');
    expect(second.addAll(record(0), -2, '0').kind).toBe('replayed');
    expect(second.addAll(record(1), -2, '1').kind).toBe('added');
    expect(second.pending).toBe(3);
  });
});
