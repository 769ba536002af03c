import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../services/api/app.js';
import { parseBudgets } from '../../services/api/budget-config.js';
import { buildApi } from '../api/api-harness.js';
import { FORECAST_NOW, forecastRows, loadDailyCosts } from '../api/forecast-data.js';
import { parseTable, runPlugin } from './plugin.js';

// kubectl cost forecast and budgets against a listening API over 70 days of
// daily cost in a real PostgreSQL (test/api/forecast-data.ts).

let database: { url: string; drop(): Promise<void> };
let pool: pg.Pool;
let api: ApiApp;
let apiUrl: string;

beforeAll(async () => {
  database = await loadDailyCosts(forecastRows());
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  api = await buildApi(pool, FORECAST_NOW, { budgets: parseBudgets('namespace/shop=4000,cluster/c1=100000') });
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await database?.drop();
});

const kubectlCost = (args: string[]) => runPlugin(args, ['--api-url', apiUrl]);

describe('kubectl cost forecast', () => {
  it('prints per namespace the month so far, the projection with its interval, the next days and the backtest, and why a group has none', async () => {
    const { code, stdout } = await kubectlCost(['forecast', 'namespace', '--horizon', '14d']);
    expect(code).toBe(0);
    const rows = parseTable(stdout);
    expect(Object.keys(rows[0] ?? {})).toEqual(['NAME', 'HISTORY', 'MONTH SO FAR', 'PROJECTED MONTH', '80% INTERVAL', 'NEXT 14D', 'BACKTEST MAPE', 'NOTE']);
    const json = JSON.parse((await kubectlCost(['forecast', 'namespace', '--horizon', '14d', '-o', 'json'])).stdout) as { series: Array<{ name: string; monthEnd: { projectedUsd: number } | null }> };
    const shop = rows.find((r) => r.NAME === 'shop');
    expect(shop?.['PROJECTED MONTH']).toBe(json.series.find((s) => s.name === 'shop')?.monthEnd?.projectedUsd.toFixed(2));
    expect(shop?.NOTE).toMatch(/^level shift 2026-11-17 x(1\.[89]\d|2\.[01]\d)$/);
    // A group without a forecast has fewer cells: its note is its last one.
    expect(stdout).toMatch(/fresh .*needs 21 days of history, has 10/);
  });

  it('fails with the API\'s message when there is too little history', async () => {
    const { code, stderr } = await kubectlCost(['forecast', 'namespace', '-n', 'fresh']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/422.*needs 21 whole days/);
  });
});

describe('kubectl cost budgets', () => {
  it('lists budgets with spent, projected and the run-out day, and exits 3 when one is projected over', async () => {
    const { code, stdout } = await kubectlCost(['budgets']);
    expect(code).toBe(3);
    const rows = parseTable(stdout);
    expect(rows.map((r) => r.NAME)).toEqual(['namespace/shop', 'cluster/c1']);
    expect(rows[0]).toMatchObject({ MONTH: '2026-11', BUDGET: '4000.00', STATE: 'PROJECTED_OVER' });
    expect(rows[0]?.['RUNS OUT']).toMatch(/^2026-11-(2\d|30)$/);
    expect(rows[1]).toMatchObject({ STATE: 'WITHIN', 'RUNS OUT': '-' });
  });
});
