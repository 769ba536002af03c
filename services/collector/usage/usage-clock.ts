import { setTimeout as sleep } from 'node:timers/promises';

/** Time as the usage collector sees it; tests pass a virtual clock so a day of windows runs in a moment. */
export interface UsageClock {
  now(): number;
  /** Waits `millis`; resolves early (without throwing) when the signal aborts. */
  sleep(millis: number, signal: AbortSignal): Promise<void>;
}

/** The wall clock. */
export const systemClock: UsageClock = {
  now: () => Date.now(),
  sleep: (millis, signal) => sleep(millis, undefined, { signal }).catch(() => undefined),
};

/** Start of the window that contains `at`: windows are aligned to multiples of their length since the epoch. */
export function windowStartOf(at: number, windowMillis: number): number {
  return Math.floor(at / windowMillis) * windowMillis;
}

/** The next scrape time after `at`: scrapes are aligned to the window start plus whole scrape intervals, and never cross a window end. */
export function nextScrapeAt(at: number, windowMillis: number, intervalMillis: number): number {
  const start = windowStartOf(at, windowMillis);
  const next = start + (Math.floor((at - start) / intervalMillis) + 1) * intervalMillis;
  return Math.min(next, start + windowMillis);
}
