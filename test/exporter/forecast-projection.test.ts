import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../services/api/app.js';
import { CostStore } from '../../services/exporter/cost-store.js';
import { fetchNamespaceForecasts } from '../../services/exporter/forecast-source.js';
import { buildApi } from '../api/api-harness.js';
import { FORECAST_NOW, forecastRows, loadDailyCosts } from '../api/forecast-data.js';
import { podCost } from './records.js';

// The exporter's projection series from a real kcost API over 70 days of
// daily cost in PostgreSQL (test/api/forecast-data.ts), as --forecast-api-url fetches them.

let database: { url: string; drop(): Promise<void> };
let pool: pg.Pool;
let api: ApiApp;
let apiUrl: string;

beforeAll(async () => {
  database = await loadDailyCosts(forecastRows());
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  api = await buildApi(pool, FORECAST_NOW);
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await database?.drop();
});

const sample = (text: string, name: string, namespace: string) => Number(new RegExp(`^${name}\\{cluster="c1",namespace="${namespace}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('kube_cost_namespace_projected_monthly_usd', () => {
  it("is the API's month-end projection, raised by today's spend once it passes today's forecast", async () => {
    const forecasts = await fetchNamespaceForecasts({ apiUrl, token: '', history: '90d' });
    // fresh has 10 days of history: no forecast, so no projection rather than a made-up one.
    expect(forecasts.map((f) => f.namespace)).toEqual(['shop']);
    const answer = (await api.inject({ method: 'GET', url: '/v1/forecast?aggregate=cluster,namespace&horizon=31d' })).json<{
      series: Array<{ name: string; monthEnd: { projectedUsd: number; actualUsd: number } | null; forecast: Array<{ costUsd: number }> }>;
    }>();
    const shop = answer.series.find((s) => s.name === 'c1/shop');

    const store = new CostStore({ graceMillis: 60_000, now: () => FORECAST_NOW });
    store.applyForecasts(forecasts);
    let text = store.render();
    expect(sample(text, 'kube_cost_namespace_projected_monthly_usd', 'shop')).toBeCloseTo(shop?.monthEnd?.projectedUsd as number, 4);
    expect(sample(text, 'kube_cost_namespace_month_to_date_usd', 'shop')).toBeCloseTo(shop?.monthEnd?.actualUsd as number, 4);
    expect(text).not.toContain('namespace="fresh"');

    // Today (2026-11-20) shop has already spent 500, far above its forecast for the day.
    const todayForecast = shop?.forecast[0]?.costUsd as number;
    store.applyPodCost(podCost({ cluster: 'c1', namespace: 'shop', podUid: 'big', podName: 'big', windowStart: FORECAST_NOW - 3_600_000, totalCostUsd: 500 }));
    text = store.render();
    expect(sample(text, 'kube_cost_namespace_projected_monthly_usd', 'shop')).toBeCloseTo((shop?.monthEnd?.projectedUsd as number) - todayForecast + 500, 4);
    expect(sample(text, 'kube_cost_namespace_month_to_date_usd', 'shop')).toBeCloseTo((shop?.monthEnd?.actualUsd as number) + 500, 4);
  });
});
