import { describe, expect, it } from 'vitest';
import { backoffMillis, withRetry } from './retry.js';

const policy = { maxAttempts: 4, initialDelayMillis: 100, maxDelayMillis: 250 };

describe('retry with backoff', () => {
  it('doubles the delay up to the cap', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffMillis(policy, attempt, () => 0))).toEqual([100, 200, 250, 250]);
    expect(backoffMillis(policy, 1, () => 1)).toBe(120);
  });

  it('retries retriable failures and returns the eventual result', async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await withRetry(
      () => (++calls < 3 ? Promise.reject(new Error('down')) : Promise.resolve('ok')),
      { policy, isRetriable: () => true, onRetry: (_e, _a, d) => delays.push(d), shouldStop: () => false, sleep: () => Promise.resolve() },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it.each([
    ['an error that is not retriable', { isRetriable: () => false, shouldStop: () => false }, 1],
    ['a process that is stopping', { isRetriable: () => true, shouldStop: () => true }, 1],
    ['attempts that run out', { isRetriable: () => true, shouldStop: () => false }, 4],
  ])('gives up on %s', async (_what, options, expectedCalls) => {
    let calls = 0;
    await expect(
      withRetry(() => (calls++, Promise.reject(new Error('down'))), { policy, onRetry: () => undefined, sleep: () => Promise.resolve(), ...options }),
    ).rejects.toThrow('down');
    expect(calls).toBe(expectedCalls);
  });
});
