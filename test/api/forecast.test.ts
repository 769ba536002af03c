import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../services/api/app.js';
import { parseBudgets } from '../../services/api/budget-config.js';
import { parseCsv } from '../../services/api/csv.js';
import type { SeriesForecastJson } from '../../services/api/forecast-json.js';
import { buildApi } from './api-harness.js';
import { DAY, FIRST_DAY, FORECAST_NOW, forecastRows, loadDailyCosts, shopCost, SHIFT_DAY, SHOP_TODAY_USD, TODAY } from './forecast-data.js';

let database: { url: string; drop(): Promise<void> };
let pool: pg.Pool;
let api: ApiApp;

beforeAll(async () => {
  database = await loadDailyCosts(forecastRows());
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  api = await buildApi(pool, FORECAST_NOW, { budgets: parseBudgets('namespace/shop=4000,namespace/fresh=1000,cluster/c1=100000') });
});

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await database?.drop();
});

interface ForecastAnswer {
  history: { start: string; end: string };
  horizonDays: number;
  source: string;
  series: SeriesForecastJson[];
}

const get = (url: string) => api.inject({ method: 'GET', url });

describe('GET /v1/forecast', () => {
  it('forecasts each namespace from the daily rollup, with ordered intervals, the month-end projection and a backtest', async () => {
    const response = await get('/v1/forecast?window=90d&aggregate=namespace&horizon=30d');
    expect(response.statusCode).toBe(200);
    const answer = response.json<ForecastAnswer>();
    expect(answer.source).toBe('pod_cost_daily');
    expect(answer.history).toEqual({ start: new Date(TODAY - 90 * DAY).toISOString(), end: new Date(TODAY).toISOString() });
    const shop = answer.series.find((s) => s.name === 'shop') as SeriesForecastJson;
    expect(shop.actuals).toHaveLength(70);
    expect(shop.actuals[0]?.date).toBe(new Date(FIRST_DAY).toISOString().slice(0, 10));
    expect(shop.actuals[0]?.costUsd).toBeCloseTo(shopCost(FIRST_DAY), 5);
    expect(shop.forecast.map((f) => f.date).slice(0, 2)).toEqual(['2026-11-20', '2026-11-21']);
    expect(shop.forecast).toHaveLength(30);
    for (const f of shop.forecast) {
      expect(f.lower95).toBeLessThanOrEqual(f.lower80);
      expect(f.lower80).toBeLessThanOrEqual(f.costUsd);
      expect(f.costUsd).toBeLessThanOrEqual(f.upper80);
      expect(f.upper80).toBeLessThanOrEqual(f.upper95);
    }
    // The deploy three days ago doubled the cost: the forecast starts from the new level, not the old one.
    expect(shop.model?.levelShifts.map((s) => s.date)).toEqual([new Date(SHIFT_DAY).toISOString().slice(0, 10)]);
    const week = shop.forecast.slice(0, 7);
    const truthWeek = week.map((_, h) => shopCost(TODAY + h * DAY));
    week.forEach((f, h) => expect(Math.abs(f.costUsd - (truthWeek[h] as number)) / (truthWeek[h] as number)).toBeLessThan(0.15));

    const { rows } = await pool.query<{ usd: number }>(
      "SELECT sum(total_cost_usd)::float8 AS usd FROM pod_cost_daily WHERE namespace = 'shop' AND bucket_start >= '2026-11-01' AND bucket_start < '2026-11-20'",
    );
    expect(shop.monthEnd?.month).toBe('2026-11');
    expect(shop.monthEnd?.actualUsd).toBeCloseTo(rows[0]?.usd as number, 4);
    expect(shop.monthEnd?.forecastDays).toBe(11);
    const rest = shop.forecast.slice(0, 11).reduce((sum, f) => sum + f.costUsd, 0);
    expect(shop.monthEnd?.projectedUsd).toBeCloseTo((rows[0]?.usd as number) + rest, 2);
    expect(shop.monthEnd?.lower80).toBeLessThan(shop.monthEnd?.projectedUsd as number);
    expect(shop.backtest).toMatchObject({ horizonDays: 7, origins: 4 });
    expect(shop.backtest?.mape).toBeGreaterThan(0);
    expect(shop.model).toMatchObject({ name: 'holt-winters-damped-weekly+log-linear-weekly', historyDays: 70 });
  });

  it('gives a group with too little history no forecast and says how much it needs', async () => {
    const answer = (await get('/v1/forecast?aggregate=namespace')).json<ForecastAnswer>();
    const fresh = answer.series.find((s) => s.name === 'fresh') as SeriesForecastJson;
    expect(fresh.actuals).toHaveLength(10);
    expect(fresh.forecast).toEqual([]);
    expect(fresh.monthEnd).toBeNull();
    expect(fresh.insufficientHistory).toEqual({ historyDays: 10, neededDays: 21 });
  });

  it('answers 422 when no group has enough history, and when there is none at all, never a made-up forecast', async () => {
    const short = await get('/v1/forecast?aggregate=namespace&filter=namespace:%22fresh%22');
    expect(short.statusCode).toBe(422);
    expect(short.json<{ error: string }>().error).toBe('INSUFFICIENT_HISTORY');
    expect(short.json<{ message: string }>().message).toMatch(/at most 10 days of cost.*needs 21 whole days/);
    const none = await get('/v1/forecast?window=2026-01-01T00:00:00Z,2026-03-01T00:00:00Z');
    expect(none.statusCode).toBe(422);
    expect(none.json<{ message: string }>().message).toMatch(/no cost at all.*21 whole days/);
  });

  it('refuses a bad horizon or a window with no whole day before today, naming the parameter', async () => {
    expect((await get('/v1/forecast?horizon=0d')).json()).toMatchObject({ error: 'BAD_PARAMETER', parameter: 'horizon' });
    expect((await get('/v1/forecast?horizon=400d')).statusCode).toBe(400);
    expect((await get('/v1/forecast?window=today')).json()).toMatchObject({ error: 'BAD_PARAMETER', parameter: 'window' });
  });

  it('writes the same actuals and forecast as CSV, one line per group and day', async () => {
    const csv = parseCsv((await get('/v1/forecast?aggregate=namespace&filter=namespace:%22shop%22&horizon=7d&format=csv')).body);
    expect(csv[0]).toEqual(['name', 'date', 'kind', 'costUsd', 'lower80', 'upper80', 'lower95', 'upper95']);
    expect(csv.filter((line) => line[2] === 'actual')).toHaveLength(70);
    expect(csv.filter((line) => line[2] === 'forecast').map((line) => line[1])).toHaveLength(7);
    const json = (await get('/v1/forecast?aggregate=namespace&filter=namespace:%22shop%22&horizon=7d')).json<ForecastAnswer>();
    expect(csv.filter((line) => line[2] === 'forecast').map((line) => Number(line[3]))).toEqual(json.series[0]?.forecast.map((f) => f.costUsd));
  });
});

describe('GET /v1/budgets', () => {
  it('reports spend, the projection and the run-out day of each configured budget, the most threatened first', async () => {
    const response = await get('/v1/budgets');
    expect(response.statusCode).toBe(200);
    const { budgets } = response.json<{ budgets: Array<Record<string, unknown>> }>();
    expect(budgets.map((b) => b.name)).toEqual(['namespace/shop', 'namespace/fresh', 'cluster/c1']);
    const shop = budgets[0] as Record<string, number | string | null>;
    const { rows } = await pool.query<{ usd: number }>("SELECT sum(total_cost_usd)::float8 AS usd FROM pod_cost_daily WHERE namespace = 'shop' AND bucket_start >= '2026-11-01'");
    expect(shop.spentUsd).toBeCloseTo(rows[0]?.usd as number, 4);
    expect((rows[0]?.usd as number) - SHOP_TODAY_USD).toBeLessThan(4000);
    // About 2,000 spent in 19 days, then about 200 a day since the deploy: over 4,000 before the month ends.
    expect(shop.state).toBe('PROJECTED_OVER');
    expect(shop.projectedUsd as number).toBeGreaterThan(4000);
    expect(shop.runOutDate as string >= '2026-11-20' && (shop.runOutDate as string) <= '2026-11-30').toBe(true);
    const fresh = budgets[1] as Record<string, unknown>;
    expect(fresh).toMatchObject({ state: 'INSUFFICIENT_HISTORY', spentUsd: 200, projectedUsd: null, historyDays: 10, neededDays: 21 });
    expect(budgets[2]).toMatchObject({ state: 'WITHIN', runOutDate: null });
  });

  it('lists no budgets when none are configured', async () => {
    const bare = await buildApi(pool, FORECAST_NOW);
    expect((await bare.inject({ method: 'GET', url: '/v1/budgets' })).json()).toEqual({ budgets: [] });
    await bare.close();
  });
});
