import { KcostError } from '../errors/kcost-error.js';

/** Heavy queries read many buckets (see query-lane.ts); light ones are never queued behind them. */
export type Lane = 'light' | 'heavy';

/** How many queries run and wait at once. */
export interface AdmissionLimits {
  /** Queries running at once, light and heavy together. */
  readonly maxQueries: number;
  /** Heavy queries running at once; below maxQueries, so the rest of the slots stay free for light ones. */
  readonly maxHeavyQueries: number;
  /** Queries one client may have running or waiting at once; more get 429. */
  readonly maxQueriesPerClient: number;
  /** Queries waiting for a slot, all clients together; more get 429. */
  readonly maxQueuedQueries: number;
  /** Longest a query waits for a slot before it gets 429. */
  readonly queueTimeoutMillis: number;
}

export const DEFAULT_ADMISSION: AdmissionLimits = {
  maxQueries: 4,
  maxHeavyQueries: 2,
  maxQueriesPerClient: 2,
  maxQueuedQueries: 32,
  queueTimeoutMillis: 10_000,
};

interface Waiter {
  readonly client: string;
  readonly lane: Lane;
  readonly admit: () => void;
}

/**
 * Admission control for database queries: a bounded number run at once, of
 * which a smaller number may be heavy, so a light query finds a free slot
 * however many heavy ones are waiting. The rest wait in one FIFO queue (the
 * first waiter that may run goes next), bounded in length and in time; a
 * client may hold only a few running or waiting queries. Whatever is turned
 * away gets a KcostError TOO_BUSY whose `retryAfter` estimates, in seconds,
 * when a slot frees up, from how long recent queries of its lane took.
 */
export class QueryGate {
  private running = 0;
  private heavyRunning = 0;
  private readonly queue: Waiter[] = [];
  private readonly perClient = new Map<string, number>();
  private readonly recentMillis: Record<Lane, number> = { light: 100, heavy: 1000 };

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now: () => number,
  ) {}

  /**
   * Waits for a slot and resolves with the function that gives it back
   * (idempotent). Rejects with TOO_BUSY when the client already holds its
   * share, the queue is full, or the wait times out; with the signal's
   * reason when the caller goes away first.
   */
  async enter(client: string, lane: Lane, signal?: AbortSignal): Promise<() => void> {
    const held = this.perClient.get(client) ?? 0;
    if (held >= this.limits.maxQueriesPerClient) {
      throw this.busy(lane, `more than ${this.limits.maxQueriesPerClient} queries at once from this client; wait for one to finish`);
    }
    if (!this.mayRun(lane) && this.queue.length >= this.limits.maxQueuedQueries) {
      throw this.busy(lane, `${this.limits.maxQueuedQueries} queries are already waiting for the database`);
    }
    this.perClient.set(client, held + 1);
    try {
      if (this.mayRun(lane)) this.start(lane);
      else await this.wait(client, lane, signal);
    } catch (error) {
      this.leave(client);
      throw error;
    }
    const startedMillis = this.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.recentMillis[lane] = 0.8 * this.recentMillis[lane] + 0.2 * (this.now() - startedMillis);
      this.running--;
      if (lane === 'heavy') this.heavyRunning--;
      this.leave(client);
      this.pump();
    };
  }

  /** What runs and waits now, for metrics and tests. */
  state(): { running: number; heavyRunning: number; queued: number } {
    return { running: this.running, heavyRunning: this.heavyRunning, queued: this.queue.length };
  }

  /** Whether a query of the lane entering now would run at once, without waiting. */
  mayRun(lane: Lane): boolean {
    return this.running < this.limits.maxQueries && (lane === 'light' || this.heavyRunning < this.limits.maxHeavyQueries);
  }

  private start(lane: Lane): void {
    this.running++;
    if (lane === 'heavy') this.heavyRunning++;
  }

  private wait(client: string, lane: Lane, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const drop = (error: Error) => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = () => drop(reasonOf(signal));
      const waiter: Waiter = {
        client,
        lane,
        admit: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const timer = setTimeout(() => drop(this.busy(lane, `no database slot came free within ${this.limits.queueTimeoutMillis} ms`)), this.limits.queueTimeoutMillis);
      timer.unref();
      if (signal?.aborted) return drop(reasonOf(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length && this.running < this.limits.maxQueries; ) {
      const waiter = this.queue[i] as Waiter;
      if (!this.mayRun(waiter.lane)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.start(waiter.lane);
      waiter.admit();
    }
  }

  private leave(client: string): void {
    const held = (this.perClient.get(client) ?? 1) - 1;
    if (held <= 0) this.perClient.delete(client);
    else this.perClient.set(client, held);
  }

  private busy(lane: Lane, reason: string): KcostError {
    const slots = lane === 'heavy' ? this.limits.maxHeavyQueries : this.limits.maxQueries;
    const ahead = this.queue.filter((w) => w.lane === lane).length + 1;
    const retryAfter = Math.min(60, Math.max(1, Math.ceil((this.recentMillis[lane] * ahead) / slots / 1000)));
    return Object.assign(new KcostError('TOO_BUSY', `the API is busy: ${reason}; retry in ${retryAfter} s`, { retriable: true }), { retryAfter });
  }
}

function reasonOf(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('the wait was aborted');
}
