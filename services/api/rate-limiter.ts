/**
 * A token bucket per client: each holds up to `perMinute` requests and refills
 * continuously at that rate, so a client may burst a minute's allowance and
 * then runs at the steady rate. Clients idle long enough to be full again are
 * forgotten, so the map stays as small as the set of active clients.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMillis: number }>();
  private readonly refillPerMillis: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {
    this.refillPerMillis = perMinute / 60_000;
  }

  /** Takes one token for `client`; returns 0 when allowed, else the seconds until the next token. */
  take(client: string): number {
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, updatedMillis: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedMillis) * this.refillPerMillis);
    bucket.updatedMillis = now;
    if (this.buckets.size > 10_000) this.forgetFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(client, bucket);
      return 0;
    }
    this.buckets.set(client, bucket);
    return Math.ceil((1 - bucket.tokens) / this.refillPerMillis / 1000);
  }

  private forgetFull(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedMillis) * this.refillPerMillis >= this.perMinute) this.buckets.delete(client);
    }
  }
}
