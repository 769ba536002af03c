import { describe, expect, it } from 'vitest';
import { demandKill, leakedBytes, leakKills, NO_RESTARTS } from './oom-model.js';

const MiB = 1024 ** 2;
const HOUR = 3_600_000;
const leak = { baseBytes: 200 * MiB, bytesPerHour: 50 * MiB };

describe('a leaking container', () => {
  it('grows from its base and is killed each time it reaches its limit, restarting from the base', () => {
    expect(leakedBytes(leak, 2 * HOUR)).toBe(300 * MiB);
    // 400 MiB limit: 4 hours from each start.
    expect(leakKills(leak, 400 * MiB, 0, NO_RESTARTS, 3 * HOUR)).toEqual({ history: NO_RESTARTS, startedAt: 0 });
    expect(leakKills(leak, 400 * MiB, 0, NO_RESTARTS, 9 * HOUR)).toEqual({
      history: { restartCount: 2, lastTerminationReason: 'OOMKilled', lastTerminatedAt: 8 * HOUR },
      startedAt: 8 * HOUR,
    });
  });

  it('is never killed when its limit is above where it starts and it does not grow, or below its base', () => {
    expect(leakKills({ ...leak, bytesPerHour: 0 }, 400 * MiB, 0, NO_RESTARTS, 100 * HOUR).history).toEqual(NO_RESTARTS);
    expect(leakKills(leak, 100 * MiB, 0, NO_RESTARTS, 100 * HOUR).history).toEqual(NO_RESTARTS);
  });
});

describe('a container whose demand passes its limit', () => {
  it('is OOM-killed, then again only once the back-off has passed', () => {
    const first = demandKill(600 * MiB, 512 * MiB, 10 * 60_000, NO_RESTARTS);
    expect(first).toEqual({ restartCount: 1, lastTerminationReason: 'OOMKilled', lastTerminatedAt: 10 * 60_000 });
    expect(demandKill(600 * MiB, 512 * MiB, 14 * 60_000, first)).toBe(first);
    expect(demandKill(600 * MiB, 512 * MiB, 15 * 60_000, first).restartCount).toBe(2);
  });

  it('is not killed within its limit or without one', () => {
    expect(demandKill(512 * MiB, 512 * MiB, 0, NO_RESTARTS)).toBe(NO_RESTARTS);
    expect(demandKill(10_000 * MiB, null, 0, NO_RESTARTS)).toBe(NO_RESTARTS);
  });
});
