import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../kafka/batching-producer.js';
import { publishEvents } from './sim-publisher.js';
import type { SimulationEvent } from './simulation.js';

const MINUTE = 60_000;

function events(count: number): SimulationEvent[] {
  return Array.from({ length: count }, (_, i) => ({ topic: i % 2 ? 't.usage' : 't.kube', key: `k${i}`, schema: i % 2 ? 'UsageSample' : 'KubeObject', value: {} as never, atMillis: 1_000_000 + i * MINUTE }));
}

/** A clock that only moves when the publisher sleeps, so pacing is checked without real time passing. */
function fakeTime(): { clock: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    sleeps,
  };
}

describe('publishEvents', () => {
  it('at max speed publishes everything in order without sleeping, and counts per topic and schema', async () => {
    const sent: OutgoingRecord[] = [];
    const time = fakeTime();
    const summary = await publishEvents(events(10), { publish: (r) => (sent.push(...r), Promise.resolve()), speed: Number.POSITIVE_INFINITY, ...time, isStopped: () => false, chunkRecords: 3 });
    expect(sent.map((r) => r.key)).toEqual(events(10).map((e) => e.key));
    expect(time.sleeps).toEqual([]);
    expect(summary.published).toEqual({ 't.kube': { KubeObject: 5 }, 't.usage': { UsageSample: 5 } });
    expect([summary.records, summary.firstEventMillis, summary.lastEventMillis]).toEqual([10, 1_000_000, 1_000_000 + 9 * MINUTE]);
  });

  it('at 60× spaces events a simulated minute apart by a wall second, sending what waits before each sleep', async () => {
    const time = fakeTime();
    const sentBeforeSleep: number[] = [];
    let sent = 0;
    const summary = await publishEvents(events(5), {
      publish: (r) => ((sent += r.length), Promise.resolve()),
      speed: 60,
      clock: time.clock,
      sleep: (ms) => (sentBeforeSleep.push(sent), time.sleep(ms)),
      isStopped: () => false,
    });
    expect(time.sleeps).toEqual([1000, 1000, 1000, 1000]);
    expect(sentBeforeSleep).toEqual([1, 2, 3, 4]);
    expect(summary.elapsedMillis).toBe(4000);
  });

  it('stops at the next event once stopped, and still sends what it took', async () => {
    let stop = false;
    const sent: OutgoingRecord[] = [];
    const time = fakeTime();
    const summary = await publishEvents(events(10), {
      publish: (r) => (sent.push(...r), Promise.resolve()),
      speed: 1,
      clock: time.clock,
      sleep: (ms) => {
        if (time.sleeps.length === 2) stop = true;
        return time.sleep(ms);
      },
      isStopped: () => stop,
    });
    expect(summary.stopped).toBe(true);
    expect(sent).toHaveLength(3);
    expect(summary.records).toBe(3);
  });

  it('fails when the broker does not acknowledge a chunk', async () => {
    const time = fakeTime();
    await expect(
      publishEvents(events(10), { publish: () => Promise.reject(new Error('broker down')), speed: Number.POSITIVE_INFINITY, ...time, isStopped: () => false, chunkRecords: 2, maxChunksInFlight: 2 }),
    ).rejects.toThrow('broker down');
  });
});
