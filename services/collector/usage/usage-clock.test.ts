import { describe, expect, it } from 'vitest';
import { nextScrapeAt, windowStartOf } from './usage-clock.js';

const T0 = Date.parse('2026-01-03T00:00:00Z');

describe('window alignment', () => {
  it.each([
    [T0, T0],
    [T0 + 59_999, T0],
    [T0 + 60_000, T0 + 60_000],
    [T0 + 61_500, T0 + 60_000],
  ])('window of %d starts at %d', (at, start) => {
    expect(windowStartOf(at, 60_000)).toBe(start);
  });

  it.each([
    [T0, T0 + 15_000],
    [T0 + 14_999, T0 + 15_000],
    [T0 + 15_000, T0 + 30_000],
    [T0 + 50_000, T0 + 60_000],
    // An interval that does not divide the window still stops at the window's end.
    [T0 + 41_000, T0 + 60_000, 20_000],
  ])('after %d the next scrape is at %d', (at, next, interval = 15_000) => {
    expect(nextScrapeAt(at, 60_000, interval)).toBe(next);
  });
});
