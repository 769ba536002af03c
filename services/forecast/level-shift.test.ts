import { describe, expect, it } from 'vitest';
import { Prng } from '../simulator/prng.js';
import { adjustLevelShifts } from './level-shift.js';

const weekly = [1, 1.05, 1, 0.98, 1.02, 0.6, 0.55];

function series(seed: number, days: number, shiftDay: number | null, ratio: number, noise = 0.05): number[] {
  const prng = new Prng(seed);
  return Array.from({ length: days }, (_, t) => 100 * (weekly[t % 7] as number) * (shiftDay !== null && t >= shiftDay ? ratio : 1) * (1 + noise * (prng.next() * 2 - 1)));
}

describe('level shifts', () => {
  it('finds a doubling two days before the end and scales the days before it to the new level', () => {
    const y = series(1, 60, 58, 2);
    const { shifts, adjusted } = adjustLevelShifts(y);
    expect(shifts.map((s) => s.startIndex)).toEqual([58]);
    expect(shifts[0]?.ratio).toBeGreaterThan(1.8);
    expect(shifts[0]?.ratio).toBeLessThan(2.2);
    expect((adjusted[10] as number) / (y[10] as number)).toBeCloseTo(shifts[0]?.ratio as number, 10);
  });

  it('finds a halving in the middle of the history', () => {
    expect(adjustLevelShifts(series(2, 90, 45, 0.5)).shifts.map((s) => s.startIndex)).toEqual([45]);
  });

  it('takes a one-day spike for no shift', () => {
    const y = series(3, 60, null, 1);
    y[58] = (y[58] as number) * 3;
    expect(adjustLevelShifts(y).shifts).toEqual([]);
  });

  it('finds no shift in 200 seeded noisy series without one', () => {
    let found = 0;
    for (let seed = 100; seed < 300; seed++) found += adjustLevelShifts(series(seed, 120, null, 1, 0.1)).shifts.length;
    // Week-over-week noise of ±10 % must not restart the level more than now and then.
    expect(found).toBeLessThanOrEqual(4);
  });

  it('leaves a series with zeros alone (a ratio needs positive days)', () => {
    const y = [0, ...series(4, 40, 30, 2)];
    expect(adjustLevelShifts(y)).toEqual({ adjusted: y, shifts: [] });
  });
});
