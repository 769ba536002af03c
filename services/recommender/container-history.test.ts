import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContainerHistory, type HistoryOptions } from './container-history.js';
import { historyOptionsOf, KCOST_STRATEGY, KRR_SIMPLE_STRATEGY, VPA_STRATEGY } from './strategy.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const MIB = 1024 ** 2;
const T0 = Date.parse('2026-03-02T00:00:00Z');

function sample(podUid: string, at: number, cpuCores: number, memoryPeakBytes: number, cpuRequestCores = 1) {
  return { podUid, windowStart: at, windowSeconds: 60, cpuCores, memoryPeakBytes, cpuRequestCores };
}

describe('ContainerHistory', () => {
  it('halves the weight of a sample per half-life: a day-old 1-core and a fresh 0.1-core sample weigh 1:2', () => {
    const history = new ContainerHistory(historyOptionsOf(VPA_STRATEGY));
    // Request weighting uses the request in effect: both at 1 core.
    history.addUsage(sample('p', T0, 1, 1e8));
    history.addUsage(sample('p', T0 + DAY, 0.1, 1e8));
    const w = history.window(T0 + DAY, 8);
    // 1/3 of the weight is at 1 core: the median is the fresh sample, p70 the old one.
    expect(w.cpuPercentile(0.5)).toBeLessThan(0.12);
    expect(w.cpuPercentile(0.7)).toBeGreaterThan(1);
  });

  it('keeps one memory peak per pod and interval, and reads the exact maximum at percentile 1', () => {
    const history = new ContainerHistory(historyOptionsOf(KRR_SIMPLE_STRATEGY));
    history.addUsage(sample('a', T0, 0.1, 300 * MIB));
    history.addUsage(sample('a', T0 + MIN, 0.1, 500 * MIB));
    history.addUsage(sample('b', T0 + MIN, 0.1, 200 * MIB));
    const w = history.window(T0 + HOUR, 14);
    expect(w.memoryMaxBytes).toBe(500 * MIB);
    expect(w.memoryPercentile(1)).toBe(500 * MIB);
    // Two peaks (a: 500, b: 200): the median is b's.
    expect(w.memoryPercentile(0.5)).toBeLessThan(210 * MIB);
  });

  it('measures history from the first to the last sample actually in the window', () => {
    const history = new ContainerHistory(historyOptionsOf(KCOST_STRATEGY));
    // A nightly job: 02:00-02:40 on two days.
    for (const day of [0, 1]) for (let m = 0; m < 40; m++) history.addUsage(sample(`job-${day}`, T0 + day * DAY + 2 * HOUR + m * MIN, 1, 1e8));
    const w = history.window(T0 + 2 * DAY, 14);
    expect(w.firstSampleAt).toBe(T0 + 2 * HOUR);
    expect(w.lastSampleAt).toBe(T0 + DAY + 2 * HOUR + 39 * MIN);
    expect(w.observedSeconds).toBe(80 * 60);
    expect(history.window(T0 + 2 * DAY, 1).firstSampleAt).toBeNull();
  });

  it('refuses duplicates, impossible values and windows older than it keeps', () => {
    const history = new ContainerHistory(historyOptionsOf(KCOST_STRATEGY));
    expect(history.addUsage(sample('p', T0, 0.5, 1e8))).toBe('accepted');
    expect(history.addUsage(sample('p', T0, 0.5, 1e8))).toBe('duplicate');
    expect(history.addUsage(sample('p', T0 + MIN, Number.NaN, 1e8))).toBe('invalid');
    expect(history.addUsage(sample('p', T0 + MIN, -1, 1e8))).toBe('invalid');
    expect(history.addUsage(sample('p', T0 + MIN, 0.1, 1e15))).toBe('invalid');
    expect(history.addUsage(sample('q', T0 + 20 * DAY, 0.5, 1e8))).toBe('accepted');
    expect(history.addUsage(sample('r', T0, 0.5, 1e8))).toBe('too-old');
  });

  it('forgets what falls out of its window', () => {
    const history = new ContainerHistory(historyOptionsOf(KRR_SIMPLE_STRATEGY));
    history.addUsage(sample('p', T0, 4, 4e9));
    for (let d = 1; d <= 15; d++) history.addUsage(sample('p', T0 + d * DAY, 0.2, 1e8));
    const w = history.window(T0 + 15 * DAY, 14);
    expect(w.cpuMaxCores).toBe(0.2);
    expect(w.memoryMaxBytes).toBe(1e8);
  });

  it('turns an OOM kill into a peak of max(basis × 1.2, basis + 100 MiB), once per kill', () => {
    const history = new ContainerHistory(historyOptionsOf(VPA_STRATEGY));
    history.addUsage(sample('p', T0, 0.1, 200 * MIB));
    const oom = { podUid: 'p', finishedAt: T0 + 5 * MIN, memoryRequestBytes: 256 * MIB, memoryLimitBytes: 512 * MIB };
    expect(history.recordOom(oom)).toBe('accepted');
    expect(history.recordOom(oom)).toBe('duplicate');
    const w = history.window(T0 + HOUR, 8);
    expect(w.oomKills).toBe(1);
    expect(w.memoryMaxBytes).toBe(356 * MIB);
    const big = new ContainerHistory({ ...historyOptionsOf(KCOST_STRATEGY) });
    big.recordOom({ ...oom, memoryLimitBytes: 2048 * MIB });
    expect(big.window(T0 + HOUR, 14).memoryMaxBytes).toBeCloseTo(2048 * MIB * 1.2, 0);
  });

  it('survives a JSON round trip unchanged, and answers the same after it', () => {
    const options: HistoryOptions = historyOptionsOf(KCOST_STRATEGY);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            pod: fc.constantFrom('a', 'b', 'c'),
            minute: fc.integer({ min: 0, max: 20 * 24 * 60 }),
            cpu: fc.double({ min: 0, max: 64, noNaN: true }),
            memory: fc.double({ min: 0, max: 1e11, noNaN: true }),
            request: fc.double({ min: 0, max: 8, noNaN: true }),
            oom: fc.boolean(),
          }),
          { maxLength: 200 },
        ),
        (events) => {
          const history = new ContainerHistory(options);
          for (const e of [...events].sort((x, y) => x.minute - y.minute)) {
            const at = T0 + e.minute * MIN;
            history.addUsage(sample(e.pod, at, e.cpu, e.memory, e.request));
            if (e.oom) history.recordOom({ podUid: e.pod, finishedAt: at, memoryRequestBytes: 1e8, memoryLimitBytes: 2e8 });
          }
          const snapshot = history.toSnapshot();
          const restored = ContainerHistory.fromSnapshot(JSON.parse(JSON.stringify(snapshot)) as typeof snapshot);
          expect(restored.toSnapshot()).toEqual(snapshot);
          const now = T0 + 20 * DAY;
          const [a, b] = [history.window(now, 14), restored.window(now, 14)];
          for (const p of [0.5, 0.9, 0.95, 1]) {
            expect(b.cpuPercentile(p)).toBe(a.cpuPercentile(p));
            expect(b.memoryPercentile(p)).toBe(a.memoryPercentile(p));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
