import { describe, expect, it } from 'vitest';
import { errorWeights, fitBest, fitHoltWinters, forecastModel, sumErrorSd } from './holt-winters.js';

const weekly = [1, 1.05, 1, 0.98, 1.02, 0.6, 0.55];

describe('Holt-Winters with a damped trend and a weekly season', () => {
  it('forecasts a noiseless seasonal series with a steady trend almost exactly', () => {
    const y = Array.from({ length: 70 }, (_, t) => 100 + 2 * t + 20 * ((weekly[t % 7] as number) - 1));
    const model = fitHoltWinters(y, 'additive');
    const next = forecastModel(model, 7).map((f) => f.mean);
    const truth = Array.from({ length: 7 }, (_, h) => 100 + 2 * (70 + h) + 20 * ((weekly[(70 + h) % 7] as number) - 1));
    // Damping bends the trend a little over a week; within 2 % of the truth.
    next.forEach((value, h) => expect(Math.abs(value - (truth[h] as number)) / (truth[h] as number)).toBeLessThan(0.02));
  });

  it('chooses a multiplicative season when the weekend dip grows with the level', () => {
    const y = Array.from({ length: 84 }, (_, t) => 50 * 1.02 ** t * (weekly[t % 7] as number));
    expect(fitBest(y).seasonality).toBe('multiplicative');
  });

  it('keeps the parameters in their admissible region', () => {
    const y = Array.from({ length: 40 }, (_, t) => 10 + (t % 3) + (t % 7 === 5 ? -4 : 0));
    const { alpha, beta, gamma, phi } = fitBest(y).parameters;
    expect(alpha).toBeGreaterThan(0);
    expect(alpha).toBeLessThan(1);
    expect(beta).toBeLessThan(alpha);
    expect(gamma).toBeLessThan(1 - alpha);
    expect(phi).toBeGreaterThanOrEqual(0.8);
    expect(phi).toBeLessThanOrEqual(0.98);
  });

  it('widens the error with the horizon, and the error of a sum is that of the day for one day', () => {
    const y = Array.from({ length: 60 }, (_, t) => 100 + (t * 7919) % 13 + (weekly[t % 7] as number) * 10);
    const model = fitHoltWinters(y, 'additive');
    const sds = forecastModel(model, 30).map((f) => f.sd);
    for (let h = 1; h < sds.length; h++) expect(sds[h]).toBeGreaterThanOrEqual(sds[h - 1] as number);
    expect(sumErrorSd(model, 1)).toBeCloseTo(sds[0] as number, 10);
    expect(errorWeights({ alpha: 0.5, beta: 0.1, gamma: 0.2, phi: 0.9 }, 7)[6]).toBeCloseTo(0.5 + 0.1 * [1, 2, 3, 4, 5, 6, 7].reduce((s, j) => s + 0.9 ** j, 0) + 0.2, 10);
  });

  it('refuses a history shorter than two weeks, which the season needs to start', () => {
    expect(() => fitHoltWinters([1, 2, 3], 'additive')).toThrow(/at least 14/);
  });
});
