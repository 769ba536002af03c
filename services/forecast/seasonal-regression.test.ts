import { describe, expect, it } from 'vitest';
import { fitSeasonalRegression, forecastRegression } from './seasonal-regression.js';

describe('fitSeasonalRegression', () => {
  it('recovers a compounding growth and a weekday pattern and extends them', () => {
    const weekly = [1, 1.04, 0.98, 1.02, 1, 0.6, 0.55];
    const cost = (day: number) => 50 * 1.01 ** day * (weekly[day % 7] as number);
    const y = Array.from({ length: 70 }, (_, day) => cost(day));
    const model = fitSeasonalRegression(y);
    if (!model) throw new Error('expected a fit');
    expect(model.slopePerDay).toBeCloseTo(Math.log(1.01), 6);
    forecastRegression(model, 14).forEach((value, h) => expect(value).toBeCloseTo(cost(70 + h), 6));
  });

  it('fits the last eight weeks only, so an old growth rate does not bend the line', () => {
    const y = Array.from({ length: 100 }, (_, day) => (day < 44 ? 100 + 5 * day : 320));
    const model = fitSeasonalRegression(y);
    expect(model?.slopePerDay).toBeCloseTo(0, 9);
    if (!model) throw new Error('expected a fit');
    for (const value of forecastRegression(model, 3)) expect(value).toBeCloseTo(320, 6);
  });

  it('declines a series with a day at zero, and one under two weeks', () => {
    expect(fitSeasonalRegression([...Array.from({ length: 30 }, () => 10), 0])).toBeUndefined();
    expect(fitSeasonalRegression(Array.from({ length: 13 }, () => 10))).toBeUndefined();
  });
});
