import { describe, expect, it } from 'vitest';
import type { KcostError } from '../errors/kcost-error.js';
import { QueryGate, type AdmissionLimits } from './query-gate.js';

const LIMITS: AdmissionLimits = { maxQueries: 5, maxHeavyQueries: 1, maxQueriesPerClient: 2, maxQueuedQueries: 2, queueTimeoutMillis: 60_000 };

async function refusal(promise: Promise<unknown>): Promise<KcostError & { retryAfter: number }> {
  try {
    await promise;
  } catch (error) {
    return error as KcostError & { retryAfter: number };
  }
  throw new Error('expected a refusal');
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('QueryGate', () => {
  it('runs a light query at once while heavy ones wait for their own slots', async () => {
    const gate = new QueryGate(LIMITS, () => 0);
    const heavy = await gate.enter('a', 'heavy');
    let secondHeavy: (() => void) | undefined;
    void gate.enter('b', 'heavy').then((release) => (secondHeavy = release));
    await settled();
    expect(secondHeavy).toBeUndefined();
    const light = await gate.enter('c', 'light');
    expect(gate.state()).toEqual({ running: 2, heavyRunning: 1, queued: 1 });
    heavy();
    await settled();
    expect(secondHeavy).toBeTypeOf('function');
    light();
    secondHeavy?.();
    expect(gate.state()).toEqual({ running: 0, heavyRunning: 0, queued: 0 });
  });

  it('admits the first waiter that may run, so a light one passes a blocked heavy one', async () => {
    const gate = new QueryGate({ ...LIMITS, maxQueries: 2, maxQueuedQueries: 4 }, () => 0);
    const first = await gate.enter('a', 'heavy');
    const second = await gate.enter('b', 'light');
    const order: string[] = [];
    void gate.enter('c', 'heavy').then(() => order.push('heavy'));
    void gate.enter('d', 'light').then(() => order.push('light'));
    second();
    await settled();
    expect(order).toEqual(['light']);
    first();
    await settled();
    expect(order).toEqual(['light', 'heavy']);
  });

  it('turns a client away beyond its share, and anyone once the queue is full, with a Retry-After', async () => {
    const gate = new QueryGate(LIMITS, () => 0);
    await gate.enter('a', 'heavy');
    void gate.enter('a', 'heavy').catch(() => undefined);
    const mine = await refusal(gate.enter('a', 'light'));
    expect(mine.code).toBe('TOO_BUSY');
    expect(mine.message).toContain('more than 2 queries at once from this client');
    void gate.enter('b', 'heavy').catch(() => undefined);
    const full = await refusal(gate.enter('c', 'heavy'));
    expect(full.message).toContain('2 queries are already waiting');
    expect(full.retryAfter).toBeGreaterThanOrEqual(1);
    // A light query still runs: the queue bounds only those that must wait.
    expect(await gate.enter('c', 'light')).toBeTypeOf('function');
  });

  it('gives up a wait after the queue timeout, and when the caller goes away', async () => {
    const gate = new QueryGate({ ...LIMITS, queueTimeoutMillis: 20 }, () => 0);
    await gate.enter('a', 'heavy');
    const timedOut = await refusal(gate.enter('b', 'heavy'));
    expect(timedOut.message).toContain('within 20 ms');
    const controller = new AbortController();
    const waiting = refusal(gate.enter('c', 'heavy', controller.signal));
    controller.abort(new Error('client went away'));
    expect((await waiting).message).toBe('client went away');
    expect(gate.state()).toMatchObject({ queued: 0 });
    // Neither left a slot of its client behind: each may still run its full share.
    for (const client of ['b', 'b', 'c', 'c']) expect(await gate.enter(client, 'light')).toBeTypeOf('function');
  });

  it('estimates Retry-After from how long queries of the lane took', async () => {
    let now = 0;
    const gate = new QueryGate({ ...LIMITS, maxQueuedQueries: 0 }, () => now);
    for (let i = 0; i < 20; i++) {
      const release = await gate.enter('a', 'heavy');
      now += 8000;
      release();
    }
    await gate.enter('a', 'heavy');
    expect((await refusal(gate.enter('b', 'heavy'))).retryAfter).toBe(8);
  });
});
