/** How a failing operation is repeated. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialDelayMillis: number;
  readonly maxDelayMillis: number;
}

/** Delay before attempt `attempt + 1`: exponential from the initial delay, capped, with up to 20% jitter. */
export function backoffMillis(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMillis, policy.initialDelayMillis * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + 0.2 * random()));
}

/**
 * Runs `operation` until it succeeds, an error is not retriable, the attempts
 * run out or `shouldStop` says the process is stopping; then the last error
 * is thrown. `onRetry` sees each failure that will be retried.
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  options: {
    policy: RetryPolicy;
    isRetriable: (error: unknown) => boolean;
    onRetry: (error: unknown, attempt: number, delayMillis: number) => void;
    shouldStop: () => boolean;
    sleep?: (millis: number) => Promise<void>;
  },
): Promise<T> {
  const sleep = options.sleep ?? ((millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!options.isRetriable(error) || attempt >= options.policy.maxAttempts || options.shouldStop()) throw error;
      const delay = backoffMillis(options.policy, attempt);
      options.onRetry(error, attempt, delay);
      await sleep(delay);
    }
  }
}

/** Sleeps for `millis`, or less once `stop` says the process is stopping (a sleep for withRetry that a shutdown cuts short). */
export async function sleepUnless(millis: number, stop: () => boolean): Promise<void> {
  const until = Date.now() + millis;
  while (Date.now() < until && !stop()) await new Promise((resolve) => setTimeout(resolve, Math.min(250, until - Date.now())));
}
