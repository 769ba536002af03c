import { describe, expect, it, vi } from 'vitest';
import { runPeriodically } from './periodic-loop.js';

describe('runPeriodically', () => {
  it('runs a pass at once, then every interval after the last one ended, and stops without waiting out the interval', async () => {
    vi.useFakeTimers();
    try {
      const passes: number[] = [];
      const loop = runPeriodically(async () => void passes.push(Date.now()), 60_000);
      await vi.advanceTimersByTimeAsync(0);
      expect(passes).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(passes).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(passes).toHaveLength(2);
      expect((passes[1] ?? 0) - (passes[0] ?? 0)).toBe(60_000);
      await loop.stop();
      await vi.advanceTimersByTimeAsync(600_000);
      expect(passes).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets a pass under way finish before the loop ends', async () => {
    let finish: () => void = () => undefined;
    let finished = false;
    const loop = runPeriodically(
      () =>
        new Promise<void>((resolve) => {
          finish = () => {
            finished = true;
            resolve();
          };
        }),
      1_000,
    );
    const stopped = loop.stop();
    let ended = false;
    void stopped.then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false);
    finish();
    await stopped;
    expect(finished).toBe(true);
  });
});
