import { describe, expect, it } from 'vitest';
import { parseDurationMillis } from '../config/parsers.js';
import { CLOCK_SKEW_MARGIN_MILLIS, MIN_LOOKBACK_MILLIS, parseReplayFrom, replayTimestamp, servableFrom } from './start-positions.js';

const MINUTE = 60_000;
/** 2024-03-10T15:00:00Z. */
const NOW = Date.UTC(2024, 2, 10, 15);

describe('replay position', () => {
  it.each([
    { replayFrom: 'today', at: NOW, expected: Date.UTC(2024, 2, 10) - CLOCK_SKEW_MARGIN_MILLIS },
    // Just after midnight the day's start is not far enough back: the windows around the start must be read whole.
    { replayFrom: 'today', at: Date.UTC(2024, 2, 10, 0, 2), expected: Date.UTC(2024, 2, 10, 0, 2) - MIN_LOOKBACK_MILLIS },
    { replayFrom: 'latest', at: NOW, expected: NOW - MIN_LOOKBACK_MILLIS },
    { replayFrom: '1m', at: NOW, expected: NOW - MIN_LOOKBACK_MILLIS },
    { replayFrom: '2h', at: NOW, expected: NOW - 120 * MINUTE },
  ])('reads $replayFrom at $at from $expected', ({ replayFrom, at, expected }) => {
    expect(replayTimestamp(parseReplayFrom(replayFrom, parseDurationMillis), at)).toBe(expected);
  });

  it('serves windows from records stamped a skew margin after the replay position, so the one in progress at start is served', () => {
    const from = replayTimestamp('latest', NOW);
    expect(servableFrom(from)).toBe(NOW - MIN_LOOKBACK_MILLIS + CLOCK_SKEW_MARGIN_MILLIS);
    expect(servableFrom(from)).toBeLessThan(NOW - 2 * MINUTE);
  });

  it('refuses anything but today, latest or a duration', () => {
    expect(() => parseReplayFrom('yesterday', parseDurationMillis)).toThrow(/today, latest or a duration/);
  });
});
