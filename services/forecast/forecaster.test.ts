import { describe, expect, it } from 'vitest';
import { AccuracyTally, backtest, rollingOrigins, seasonalNaiveScale } from './accuracy.js';
import { linearTrend, seasonalNaive } from './baselines.js';
import { forecastDaily, MIN_HISTORY_DAYS } from './forecaster.js';
import { budgetStatus, projectMonthEnd, DAY_MILLIS } from './month-end.js';
import { backtestSeries, kcostForecaster } from './series-backtest.js';
import { simulateSeries } from './simulated-series.js';

describe('forecastDaily', () => {
  it('refuses a history shorter than three weeks and says how much it needs', () => {
    expect(forecastDaily([5, 5, 5], 30)).toEqual({ ok: false, historyDays: 3, neededDays: MIN_HISTORY_DAYS });
    expect(forecastDaily([], 30)).toEqual({ ok: false, historyDays: 0, neededDays: MIN_HISTORY_DAYS });
  });

  it('orders every point: 95 % interval around the 80 % one around the mean, none below zero', () => {
    const forecast = forecastDaily(simulateSeries(7).values, 30);
    if (!forecast.ok) throw new Error('expected a forecast');
    for (const p of forecast.points) {
      expect(p.lower95).toBeGreaterThanOrEqual(0);
      expect(p.lower95).toBeLessThanOrEqual(p.lower80);
      expect(p.lower80).toBeLessThanOrEqual(p.mean);
      expect(p.mean).toBeLessThanOrEqual(p.upper80);
      expect(p.upper80).toBeLessThanOrEqual(p.upper95);
    }
  });

  it('follows a doubling two days old instead of waiting weeks', () => {
    const weekly = [1, 1.05, 1, 0.98, 1.02, 0.6, 0.55];
    const y = Array.from({ length: 60 }, (_, t) => 100 * (weekly[t % 7] as number) * (t >= 58 ? 2 : 1) * (1 + 0.03 * Math.sin(t * 12.9898)));
    const forecast = forecastDaily(y, 7);
    if (!forecast.ok) throw new Error('expected a forecast');
    const expected = Array.from({ length: 7 }, (_, h) => 200 * (weekly[(60 + h) % 7] as number));
    forecast.points.forEach((p, h) => expect(Math.abs(p.mean - (expected[h] as number)) / (expected[h] as number)).toBeLessThan(0.12));
    expect(forecast.model.levelShifts.map((s) => s.startIndex)).toEqual([58]);
  });

  it('beats seasonal-naive and a straight line on simulated series without level shifts, with 80 % intervals near 80 %', () => {
    const kcost = new AccuracyTally();
    const naive = new AccuracyTally();
    const line = new AccuracyTally();
    for (let seed = 1; seed <= 12; seed++) {
      const { values } = simulateSeries(seed, { days: 100, maxShifts: 0, noise: [0.03, 0.08] });
      const origins = rollingOrigins(values.length, 42, 14, 7);
      backtest(values, kcostForecaster, 14, origins, kcost);
      backtest(values, (h, n) => ({ mean: seasonalNaive(h, n) }), 14, origins, naive);
      backtest(values, (h, n) => ({ mean: linearTrend(h, n) }), 14, origins, line);
    }
    const k = kcost.result();
    expect(k.mape).toBeLessThan(naive.result().mape);
    expect(k.mape).toBeLessThan(line.result().mape);
    expect(k.coverage80).toBeGreaterThan(0.7);
    expect(k.coverage80).toBeLessThan(0.92);
  });
});

describe('accuracy measures', () => {
  it('computes MAPE, MASE and coverage from known errors', () => {
    const tally = new AccuracyTally();
    const history = [10, 10, 10, 10, 10, 10, 10, 12, 12, 12, 12, 12, 12, 12];
    expect(seasonalNaiveScale(history)).toBe(2);
    tally.add(history, [10, 20], { mean: [11, 18], lower80: [9, 19], upper80: [12, 21] });
    const result = tally.result();
    expect(result.mape).toBeCloseTo((0.1 + 0.1) / 2, 12);
    expect(result.mase).toBeCloseTo((1 / 2 + 2 / 2) / 2, 12);
    expect(result.coverage80).toBe(1);
  });

  it('backtests a series on its own last weeks, or says it cannot', () => {
    expect(backtestSeries(simulateSeries(3).values.slice(0, MIN_HISTORY_DAYS + 6))).toBeNull();
    const result = backtestSeries(simulateSeries(3).values.slice(0, 60));
    expect(result?.origins).toBe(4);
    expect(result?.horizonDays).toBe(7);
  });
});

describe('month-end projection and budgets', () => {
  const monthStart = Date.UTC(2026, 2, 1);
  const flat = Array.from({ length: 28 }, () => 100);

  it('adds the month so far to the forecast of its remaining days', () => {
    const forecast = forecastDaily(flat, 31);
    if (!forecast.ok) throw new Error('expected a forecast');
    const firstForecast = monthStart + 10 * DAY_MILLIS;
    const actual = new Map(Array.from({ length: 20 }, (_, i) => [monthStart + (i - 10) * DAY_MILLIS, 100] as const));
    const projection = projectMonthEnd(forecast, firstForecast, actual);
    expect(projection.actualUsd).toBe(1000);
    expect(projection.forecastDays).toBe(21);
    expect(projection.projected.mean).toBeCloseTo(3100, 0);
    expect(projection.projected.lower80).toBeLessThanOrEqual(projection.projected.mean);
    expect(projection.projected.upper95).toBeGreaterThanOrEqual(projection.projected.upper80);

    const status = budgetStatus(2500, 1000, projection, forecast.points.map((p) => p.mean), firstForecast);
    expect(status.state).toBe('PROJECTED_OVER');
    // 1000 spent, 100 a day: the 2500 is passed on the 16th forecast day (cumulative 2600).
    expect(status.runOutDayMillis).toBe(firstForecast + 15 * DAY_MILLIS);
    expect(budgetStatus(5000, 1000, projection, forecast.points.map((p) => p.mean), firstForecast)).toMatchObject({ state: 'WITHIN', runOutDayMillis: null });
    expect(budgetStatus(900, 1000, projection, forecast.points.map((p) => p.mean), firstForecast).state).toBe('OVER');
  });
});
