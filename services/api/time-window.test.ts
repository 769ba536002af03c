import { describe, expect, it } from 'vitest';
import { ParameterError } from './parameter-error.js';
import { isAligned, resolveWindow, DAY_MILLIS, HOUR_MILLIS } from './time-window.js';

// Wednesday 2026-03-04 13:20:00 UTC.
const NOW = Date.parse('2026-03-04T13:20:00Z');
const iso = (w: { startMillis: number; endMillis: number }) => [new Date(w.startMillis).toISOString(), new Date(w.endMillis).toISOString()];

describe('resolveWindow', () => {
  it.each([
    ['today', '2026-03-04T00:00:00.000Z', '2026-03-05T00:00:00.000Z'],
    ['yesterday', '2026-03-03T00:00:00.000Z', '2026-03-04T00:00:00.000Z'],
    ['week', '2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z'],
    ['month', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    ['24h', '2026-03-03T14:00:00.000Z', '2026-03-04T14:00:00.000Z'],
    ['7d', '2026-02-25T14:00:00.000Z', '2026-03-04T14:00:00.000Z'],
    ['30d', '2026-02-02T14:00:00.000Z', '2026-03-04T14:00:00.000Z'],
    ['2026-03-01T00:00:00Z,2026-03-02T06:30:00+01:00', '2026-03-01T00:00:00.000Z', '2026-03-02T05:30:00.000Z'],
  ])('%s', (raw, start, end) => {
    expect(iso(resolveWindow(raw, NOW))).toEqual([start, end]);
  });

  it('ends relative windows at the end of the current hour, and exactly at now on an hour boundary', () => {
    expect(iso(resolveWindow('1h', Date.parse('2026-03-04T13:00:00Z')))).toEqual(['2026-03-04T12:00:00.000Z', '2026-03-04T13:00:00.000Z']);
  });

  it.each([
    ['lastweek', /not one of/],
    ['0h', /empty window/],
    ['2026-03-02T00:00:00Z,2026-03-01T00:00:00Z', /not after its start/],
    ['2026-03-01,2026-03-02', /not an RFC 3339 date-time/],
    ['2026-03-01T00:00:00Z', /not one of/],
    ['401d', /more than 400 days/],
    // Years PostgreSQL refuses as the API would write them (SQLSTATE 22008, 22009).
    ['0000-01-01T00:00:00Z,0000-01-02T00:00:00Z', /outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z/],
    ['9999-12-31T00:00:00Z,9999-12-31T23:59:59-14:00', /outside/],
    ['1969-12-31T00:00:00Z,1970-01-02T00:00:00Z', /outside/],
    // Fields Date.parse would roll over instead of refusing.
    ['2026-02-29T00:00:00Z,2026-03-02T00:00:00Z', /out of range/],
    ['2026-02-31T00:00:00Z,2026-03-02T00:00:00Z', /out of range/],
    ['2026-03-01T24:00:00Z,2026-03-02T00:00:00Z', /out of range/],
    ['2026-03-01T00:00:00+24:00,2026-03-02T00:00:00Z', /out of range/],
    ['2026-13-01T00:00:00Z,2026-03-02T00:00:00Z', /out of range/],
    ['2026-03-01T00:00:00.1234567890Z,2026-03-02T00:00:00Z', /not an RFC 3339 date-time/],
  ])('rejects %s naming the parameter', (raw, message) => {
    const error = (() => {
      try {
        resolveWindow(raw, NOW);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as ParameterError).parameter).toBe('window');
    expect((error as ParameterError).message).toMatch(message);
  });

  it.each([
    ['2024-02-29T00:00:00Z,2024-03-01T00:00:00Z', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['1970-01-01T00:00:00Z,1970-01-02T00:00:00Z', '1970-01-01T00:00:00.000Z', '1970-01-02T00:00:00.000Z'],
    ['9999-12-31T00:00:00Z,9999-12-31T23:59:59.999Z', '9999-12-31T00:00:00.000Z', '9999-12-31T23:59:59.999Z'],
  ])('accepts %s at the edges of the calendar and of the range', (raw, start, end) => {
    expect(iso(resolveWindow(raw, NOW))).toEqual([start, end]);
  });

  it('tells hour and day alignment apart', () => {
    const hourly = resolveWindow('24h', NOW);
    expect(isAligned(hourly, HOUR_MILLIS)).toBe(true);
    expect(isAligned(hourly, DAY_MILLIS)).toBe(false);
    expect(isAligned(resolveWindow('today', NOW), DAY_MILLIS)).toBe(true);
  });
});
