import { describe, expect, it } from 'vitest';
import { laneOf } from './query-lane.js';
import { DAY_MILLIS, HOUR_MILLIS } from './time-window.js';

const span = (millis: number) => ({ startMillis: 0, endMillis: millis });

describe('laneOf', () => {
  it.each([
    ['24h of hourly rollups', span(24 * HOUR_MILLIS), HOUR_MILLIS, 'light'],
    ['30 days of daily rollups', span(30 * DAY_MILLIS), DAY_MILLIS, 'light'],
    ['30 days of hourly rollups', span(30 * DAY_MILLIS), HOUR_MILLIS, 'light'],
    ['31 days of hourly rollups', span(31 * DAY_MILLIS), HOUR_MILLIS, 'heavy'],
    ['12 hours of raw rows', span(12 * HOUR_MILLIS), 0, 'light'],
    ['48 hours of raw rows', span(48 * HOUR_MILLIS), 0, 'heavy'],
  ])('%s: %s', (_name, window, grain, lane) => {
    expect(laneOf(window, grain)).toBe(lane);
  });
});
