import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesForecastJson } from '../../services/api/forecast-series.js';
import { main } from '../../services/cli/main.js';
import { buildApi } from '../api/api-harness.js';
import { DAY, FORECAST_NOW, forecastRows, loadDailyCosts, TODAY } from '../api/forecast-data.js';
import { storeForecasts } from '../../services/forecast/forecast-writer.js';
import { silentLogger } from '../../services/log/logger.js';

// kcost forecast on a real PostgreSQL: the stored forecasts are those GET /v1/forecast answers.

let database: { url: string; drop(): Promise<void> };
let pool: pg.Pool;

beforeAll(async () => {
  database = await loadDailyCosts(forecastRows());
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

interface StoredRow {
  cluster: string;
  namespace: string;
  day: Date;
  cost_usd: number;
  lower80_usd: number;
  upper95_usd: number;
  model: string;
}

describe('stored forecasts', () => {
  it('holds the forecast of every cluster and namespace with enough history, as the API computes it', async () => {
    const result = await storeForecasts(pool, FORECAST_NOW, { history: '90d', horizonDays: 31, maxRows: 100_000 }, silentLogger());
    const { rows } = await pool.query<StoredRow>('SELECT * FROM cost_forecast ORDER BY cluster, namespace, day');
    expect(result.rows).toBe(rows.length);
    // The cluster (namespace '') and shop; fresh has 10 days of history and no rows.
    expect([...new Set(rows.map((r) => `${r.cluster}/${r.namespace}`))]).toEqual(['c1/', 'c1/shop']);
    const shop = rows.filter((r) => r.namespace === 'shop');
    expect(shop).toHaveLength(31);
    expect(shop[0]?.day.getTime()).toBe(TODAY);
    expect(shop[30]?.day.getTime()).toBe(TODAY + 30 * DAY);
    expect(shop[0]?.model).toMatch(/^holt-winters-damped-weekly\+log-linear-weekly\/(additive|multiplicative)$/);

    const api = await buildApi(pool, FORECAST_NOW);
    const answer = (await api.inject({ method: 'GET', url: '/v1/forecast?aggregate=namespace&filter=namespace:%22shop%22&horizon=31d' })).json<{ series: SeriesForecastJson[] }>();
    await api.close();
    expect(shop.map((r) => r.cost_usd)).toEqual(answer.series[0]?.forecast.map((f) => f.costUsd));
    expect(shop.map((r) => r.lower80_usd)).toEqual(answer.series[0]?.forecast.map((f) => f.lower80));
  });

  it('is replaced whole by the next run of kcost forecast, which runs once with --every 0', async () => {
    await pool.query("INSERT INTO cost_forecast VALUES ('gone', '', now(), now(), 1, 1, 1, 1, 1, 'old')");
    let stderr = '';
    const code = await main(['forecast', '--every', '0', '--horizon-days', '7', '--kube-topic', '', '--database-url', database.url, '--log-level', 'warn'], { env: {}, stdout: () => undefined, stderr: (t) => (stderr += t) });
    expect(code, stderr).toBe(0);
    const { rows } = await pool.query<{ series: string; days: number }>("SELECT cluster || '/' || namespace AS series, count(*)::int AS days FROM cost_forecast GROUP BY 1 ORDER BY 1");
    // The role runs on the real clock, after the data's last day: the days since count as zero cost, so
    // fresh may reach 21 days too. The old run's rows are gone either way, and each series has 7 days.
    expect(rows.map((r) => r.series)).toEqual(expect.arrayContaining(['c1/', 'c1/shop']));
    expect(rows.map((r) => r.series)).not.toContain('gone/');
    for (const row of rows) expect(row.days).toBe(7);
  });
});
