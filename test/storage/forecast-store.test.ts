import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesForecastJson } from '../../services/api/forecast-json.js';
import { main } from '../../services/cli/main.js';
import { buildApi } from '../api/api-harness.js';
import { DAY, FORECAST_NOW, forecastRows, loadDailyCosts, TODAY } from '../api/forecast-data.js';
import { storeForecasts } from '../../services/forecast/forecast-writer.js';
import { silentLogger } from '../../services/log/logger.js';
import type { KubeObject } from '../../services/codec/records.generated.js';
import { kubeObjectKey, TOPICS } from '../../services/kafka/topics.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { startKcost } from '../../bench/kcost-process.js';
import { createTestTopics, testBrokers, testCodec, testKafka, waitFor } from '../support/kafka.js';
import { freePort } from '../support/ports.js';

// kcost forecast on a real PostgreSQL (and the real broker for its namespace budgets): the stored
// forecasts are those GET /v1/forecast answers, and /v1/forecast and /v1/budgets serve them.

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

/** A namespace as kcost collect kube publishes it. */
const namespaceObject = (cluster: string, name: string, labels: Record<string, string>, observedAt: number): KubeObject => ({
  cluster, kind: 'NAMESPACE', uid: `ns-${name}`, name, namespace: null, labels, resourceVersion: String(observedAt), createdAt: 0, deletedAt: null, observedAt, pod: null, node: null, volume: null, claim: null, hpa: null, workload: null, disruptionBudget: null,
});

describe('serving the stored forecasts', () => {
  it('answers a cluster,namespace forecast from the store, the same figures as a fit, and fits only what is not stored', async () => {
    await storeForecasts(pool, FORECAST_NOW, { history: '90d', horizonDays: 31, maxRows: 100_000 }, silentLogger());
    await pool.query("UPDATE cost_forecast SET cost_usd = cost_usd + 1000 WHERE namespace = 'shop'");
    const api = await buildApi(pool, FORECAST_NOW);
    try {
      const stored = (await api.inject({ method: 'GET', url: '/v1/forecast?aggregate=cluster,namespace&horizon=14d' })).json<{ series: SeriesForecastJson[] }>();
      const fitted = (await api.inject({ method: 'GET', url: '/v1/forecast?aggregate=namespace&filter=namespace:%22shop%22&horizon=14d' })).json<{ series: SeriesForecastJson[] }>();
      const shop = stored.series.find((s) => s.properties.namespace === 'shop');
      // The marked rows show the answer was read, not fitted; everything else is what a fit gives.
      expect(shop?.source).toBe('stored');
      const expected = fitted.series[0]?.forecast ?? [];
      shop?.forecast.forEach((f, i) => expect(f.costUsd - 1000).toBeCloseTo(expected[i]?.costUsd ?? NaN, 6));
      expect(shop?.forecast).toHaveLength(14);
      expect(shop?.monthEnd).toEqual(fitted.series[0]?.monthEnd);
      expect(shop?.backtest).toEqual(fitted.series[0]?.backtest);
      expect(shop?.actuals).toEqual(fitted.series[0]?.actuals);
      expect(fitted.series[0]?.source).toBe('fitted');
      // fresh has too little history: nothing stored, and the request says so rather than fit it.
      expect(stored.series.find((s) => s.properties.namespace === 'fresh')).toMatchObject({ source: 'fitted', insufficientHistory: { neededDays: 21 } });
      // Another window than the one stored is fitted.
      const other = (await api.inject({ method: 'GET', url: '/v1/forecast?aggregate=cluster,namespace&window=60d' })).json<{ series: SeriesForecastJson[] }>();
      expect(other.series.find((s) => s.properties.namespace === 'shop')?.source).toBe('fitted');
    } finally {
      await api.close();
    }
  });

  it('lists the namespaces\' label budgets beside the configured ones, projected from the stored forecast', async () => {
    const budgets = [{ cluster: 'c1', namespace: 'shop', monthlyUsd: 500, observedAtMillis: FORECAST_NOW }];
    await storeForecasts(pool, FORECAST_NOW, { history: '90d', horizonDays: 31, maxRows: 100_000 }, silentLogger(), budgets);
    const api = await buildApi(pool, FORECAST_NOW, { budgets: [{ scope: 'namespace', value: 'shop', monthlyUsd: 100_000, source: 'config' }] });
    try {
      const answer = (await api.inject({ method: 'GET', url: '/v1/budgets' })).json<{ budgets: Array<Record<string, unknown>> }>();
      expect(answer.budgets.map((b) => [b.name, b.source, b.forecastSource])).toEqual([
        ['cluster/c1/namespace/shop', 'label', 'stored'],
        ['namespace/shop', 'config', 'fitted'],
      ]);
      const [label, configured] = answer.budgets as [Record<string, number>, Record<string, number>];
      // One cluster holds all of shop here, so both see the same spend and projection.
      expect(label.spentUsd).toBeCloseTo(configured.spentUsd ?? NaN, 9);
      expect(label.projectedUsd).toBeCloseTo(configured.projectedUsd ?? NaN, 6);
      // November's spend of shop is past the label's 500 USD already.
      expect(label.spentUsd).toBeGreaterThan(500);
      expect(label).toMatchObject({ state: 'OVER', budgetUsd: 500 });
      expect(configured).toMatchObject({ state: 'WITHIN', budgetUsd: 100_000 });
    } finally {
      await api.close();
    }
  });
});

describe('the bound on fitting per request', () => {
  it('serves what is stored, and refuses with the reason what would need more fits than allowed', async () => {
    await storeForecasts(pool, FORECAST_NOW, { history: '90d', horizonDays: 31, maxRows: 100_000 }, silentLogger(), [{ cluster: 'c1', namespace: 'shop', monthlyUsd: 500, observedAtMillis: FORECAST_NOW }]);
    const api = await buildApi(pool, FORECAST_NOW, { maxFittedGroups: 0 });
    const withConfigured = await buildApi(pool, FORECAST_NOW, { maxFittedGroups: 0, budgets: [{ scope: 'namespace', value: 'shop', monthlyUsd: 1000, source: 'config' }] });
    try {
      // shop is stored, fresh is too short to fit: nothing to fit.
      expect((await api.inject({ method: 'GET', url: '/v1/forecast?aggregate=cluster,namespace' })).statusCode).toBe(200);
      const refused = await api.inject({ method: 'GET', url: '/v1/forecast?aggregate=namespace' });
      expect(refused.statusCode).toBe(400);
      const body = refused.json<{ parameter: string; message: string }>();
      expect(body.parameter, body.message).toBe('aggregate');
      expect(body.message).toMatch(/1 groups would be fitted on this request, more than 0/);
      expect((await api.inject({ method: 'GET', url: '/v1/budgets' })).statusCode).toBe(200);
      const notStored = await withConfigured.inject({ method: 'GET', url: '/v1/budgets' });
      expect([notStored.statusCode, notStored.json<{ error: string }>().error]).toEqual([503, 'FORECASTS_NOT_STORED']);
    } finally {
      await api.close();
      await withConfigured.close();
    }
  });
});

describe('kcost forecast as a role', () => {
  it('reads the namespaces\' budget labels from the kube topic into namespace_budget', async () => {
    const kafka = testKafka();
    const [kube] = await createTestTopics(kafka, [TOPICS.kube]);
    const codec = testCodec();
    const producer = createProducer(kafka);
    await producer.connect();
    const objects = [
      namespaceObject('c1', 'shop', { 'kcost.io/monthly-budget-usd': '1500' }, 1),
      namespaceObject('c1', 'fresh', { 'kcost.io/monthly-budget-usd': '12 USD' }, 1),
      namespaceObject('c2', 'web', { team: 'web' }, 1),
      namespaceObject('c1', 'shop', { 'kcost.io/monthly-budget-usd': '2000' }, 2),
    ];
    await producer.send({ topic: kube!.name, messages: await Promise.all(objects.map(async (o) => ({ key: kubeObjectKey(o), value: await codec.encode('KubeObject', o) }))) });
    await producer.disconnect();
    let stderr = '';
    const code = await main(['forecast', '--every', '0', '--kube-topic', kube!.name, '--brokers', testBrokers().join(','), '--database-url', database.url, '--log-level', 'warn'], { env: {}, stdout: () => undefined, stderr: (t) => (stderr += t) });
    expect(code, stderr).toBe(0);
    const { rows } = await pool.query<{ cluster: string; namespace: string; monthly_usd: number }>('SELECT cluster, namespace, monthly_usd FROM namespace_budget ORDER BY 1, 2');
    // The newer label wins; a value that is no plain number is no budget, as for the exporter.
    expect(rows).toEqual([{ cluster: 'c1', namespace: 'shop', monthly_usd: 2000 }]);
  });

  it('serves /healthz, /readyz once a run is stored, and /metrics, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const role = startKcost(['forecast', '--kube-topic', '', '--health-port', String(port), '--database-url', database.url]);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, 30_000, `/readyz of kcost forecast: ${role.output.join('\n')}`);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^kcost_forecast_runs_total\{outcome="stored"\} 1$/m);
      expect(metrics).toMatch(/^kcost_forecast_series [1-9]/m);
    } finally {
      role.child.kill('SIGTERM');
    }
    expect(await role.exited, role.output.join('\n')).toBe(0);
    expect(role.output.some((line) => line.includes('stopped cleanly'))).toBe(true);
  });
});
