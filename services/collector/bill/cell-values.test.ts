import { describe, expect, it } from 'vitest';
import { number, RowError, stringMap, time } from './cell-values.js';

describe('billing cell values', () => {
  it.each([
    ['2026-11-01T00:00:00Z', Date.UTC(2026, 10, 1)],
    ['2026-11-01T00:00:00.000Z', Date.UTC(2026, 10, 1)],
    ['2026-11-01 05:30:00', Date.UTC(2026, 10, 1, 5, 30)],
    ['2026-11-01T02:00:00+02:00', Date.UTC(2026, 10, 1)],
    ['2026-11-01', Date.UTC(2026, 10, 1)],
    ['', null],
  ])('reads the date %j', (raw, millis) => {
    expect(time({ c: raw }, 'c')).toBe(millis);
  });

  it.each(['2026-11-31T00:00:00Z', '2026-13-01', '01/11/2026', 'yesterday', '2026-11-01T25:00:00Z'])('refuses the date %j, naming the column and the value', (raw) => {
    expect(() => time({ ChargePeriodStart: raw }, 'ChargePeriodStart')).toThrow(new RowError(`ChargePeriodStart is not a date: ${JSON.stringify(raw)}`));
  });

  it.each([
    ['12.5', 12.5],
    ['-0.000123', -0.000123],
    ['1e-7', 1e-7],
    [3, 3],
    [BigInt(5), 5],
    ['', null],
  ])('reads the number %s', (raw, value) => {
    expect(number({ c: raw }, 'c')).toBe(value);
  });

  it.each(['12,5', '1.2.3', 'NaN', '$3'])('refuses the number %j', (raw) => {
    expect(() => number({ BilledCost: raw }, 'BilledCost')).toThrow(`BilledCost is not a number: ${JSON.stringify(raw)}`);
  });

  it('reads tags from JSON text (CSV), an object or key/value pairs (Parquet maps), values as text', () => {
    expect(stringMap({ Tags: '{"team":"a","cost":3}' }, 'Tags')).toEqual({ team: 'a', cost: '3' });
    expect(stringMap({ Tags: { team: 'a' } }, 'Tags')).toEqual({ team: 'a' });
    expect(stringMap({ Tags: [{ key: 'team', value: 'a' }] }, 'Tags')).toEqual({ team: 'a' });
    expect(stringMap({ Tags: '' }, 'Tags')).toEqual({});
    expect(() => stringMap({ Tags: '{team' }, 'Tags')).toThrow('Tags is not a JSON object');
  });
});
