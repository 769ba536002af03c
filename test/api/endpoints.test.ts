import SwaggerParser from '@apidevtools/swagger-parser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../services/api/app.js';
import { parseCsv } from '../../services/api/csv.js';
import { M5_LARGE_SHAPE, NOW } from './cost-records.js';
import type { Recommendation } from '../../services/codec/records.generated.js';
import { buildApi, useLoadedApi } from './api-harness.js';
import { latestRecommendations } from './recommendation-records.js';

const loaded = useLoadedApi();

describe('the OpenAPI document', () => {
  it('validates, and documents every /v1 route with its parameters and the filter grammar', async () => {
    const response = await loaded.api.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{ openapi: string; paths: Record<string, { get: { parameters: Array<{ name: string; description: string }> } }> }>();
    await SwaggerParser.validate(structuredClone(document) as never);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).filter((p) => p.startsWith('/v1/')).sort()).toEqual(['/v1/allocation', '/v1/anomalies', '/v1/approvals', '/v1/approvals/{id}', '/v1/budgets', '/v1/focus', '/v1/forecast', '/v1/nodes', '/v1/prices', '/v1/recommendations', '/v1/savings']);
    const parameters = document.paths['/v1/allocation']?.get.parameters ?? [];
    expect(parameters.map((p) => p.name).sort()).toEqual(['aggregate', 'costBasis', 'filter', 'format', 'idle', 'step', 'window']);
    expect(parameters.find((p) => p.name === 'filter')?.description).toContain('label[<key>]');
    expect((document.paths['/v1/focus']?.get.parameters ?? []).map((p) => p.name).sort()).toEqual(['aggregate', 'costBasis', 'filter', 'format', 'idle', 'step', 'window']);
    expect((document.paths['/v1/recommendations']?.get.parameters ?? []).map((p) => p.name).sort()).toEqual([
      'cluster', 'container', 'format', 'kind', 'limit', 'minSavingUsd', 'namespace', 'risk', 'sort', 'workloadKind', 'workloadName',
    ]);
  });
});

describe('bad parameters get a 400 that names them', () => {
  it.each([
    ['/v1/allocation?window=fortnight', 'window'],
    ['/v1/allocation?window=2026-11-02T00:00:00Z,2026-11-01T00:00:00Z', 'window'],
    ['/v1/allocation?aggregate=namespace,owner', 'aggregate'],
    ['/v1/allocation?step=5m', 'step'],
    ['/v1/allocation?filter=namespace%3Dweb', 'filter'],
    ['/v1/allocation?idle=spread', 'idle'],
    ['/v1/allocation?format=xml', 'format'],
    ['/v1/allocation?namespace=web', 'namespace'],
    ['/v1/allocation?window=24h&window=7d', 'window'],
    ['/v1/nodes?filter=namespace:"web"', 'filter'],
    ['/v1/anomalies?minSeverity=urgent', 'minSeverity'],
    ['/v1/anomalies?scope=pod', 'scope'],
    ['/v1/anomalies?limit=0', 'limit'],
    ['/v1/anomalies?limit=ten', 'limit'],
    ['/v1/prices?kind=CPU', 'kind'],
    ['/v1/prices?capacityType=preemptible', 'capacityType'],
    ['/v1/recommendations?kind=pod', 'kind'],
    ['/v1/recommendations?risk=low,severe', 'risk'],
    ['/v1/recommendations?minSavingUsd=ten', 'minSavingUsd'],
    ['/v1/recommendations?minSavingUsd=1e3', 'minSavingUsd'],
    ['/v1/recommendations?sort=cost', 'sort'],
    ['/v1/recommendations?limit=0', 'limit'],
    ['/v1/recommendations?window=24h', 'window'],
    ['/v1/focus?aggregate=pod', 'aggregate'],
    ['/v1/focus?format=json', 'format'],
    ['/v1/focus?window=fortnight', 'window'],
    ['/v1/focus?costBasis=billed', 'costBasis'],
    ['/v1/focus?costBasis=reconciled&window=yesterday&step=1h', 'step'],
    ['/v1/focus?costBasis=reconciled&window=24h', 'window'],
    ['/v1/focus?costBasis=reconciled&window=yesterday&filter=node:"n1"', 'filter'],
  ])('%s → %s', async (url, parameter) => {
    const response = await loaded.api.inject({ method: 'GET', url });
    expect(response.statusCode, response.body).toBe(400);
    const body = response.json<{ error: string; parameter: string; message: string }>();
    expect(body).toMatchObject({ error: 'BAD_PARAMETER', parameter });
    expect(body.message).toContain(`"${parameter}"`);
  });

  it('answers a result over the row limit with a 400 instead of a partial answer', async () => {
    const small = await buildApi(loaded.db.pool, NOW, { maxRows: 5 });
    try {
      const response = await small.inject({ method: 'GET', url: '/v1/allocation?window=2026-10-30T00:00:00Z,2026-11-02T00:00:00Z&aggregate=container&step=1h' });
      expect(response.statusCode).toBe(400);
      const body = response.json<{ parameter: string; message: string }>();
      expect(body.parameter).toBe('aggregate');
      expect(body.message).toContain('more than 5 rows');
    } finally {
      await small.close();
    }
  });
});

describe('authentication and limits', () => {
  let secured: ApiApp;
  beforeAll(async () => {
    secured = await buildApi(loaded.db.pool, NOW, { token: 's3cret-token', rateLimitPerMinute: 3 });
  });
  afterAll(async () => secured?.close());

  it('answers 401 without a token or with a wrong one, 200 with the right one; health and the document stay open', async () => {
    const missing = await secured.inject({ method: 'GET', url: '/v1/allocation' });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.json()).toMatchObject({ error: 'UNAUTHORIZED' });
    for (const authorization of ['Bearer wrong-token!', 'Bearer s3cret-token ', 's3cret-token', 'Basic czNjcmV0LXRva2Vu']) {
      expect((await secured.inject({ method: 'GET', url: '/v1/nodes', headers: { authorization } })).statusCode, authorization).toBe(401);
    }
    expect((await secured.inject({ method: 'GET', url: '/v1/nodes', headers: { authorization: 'Bearer s3cret-token' } })).statusCode).toBe(200);
    expect((await secured.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await secured.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
  });

  it('limits each client to its rate and says when to retry (the clock is fixed, so nothing refills)', async () => {
    // A client address of its own, so the requests of the test before do not count.
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 5; i++) {
      const response = await secured.inject({ method: 'GET', url: '/v1/anomalies', headers: { authorization: 'Bearer s3cret-token' }, remoteAddress: '10.0.0.9' });
      statuses.push(response.statusCode);
      retryAfter ??= response.headers['retry-after']?.toString();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('refuses an overlong URL with 414', async () => {
    const response = await loaded.api.inject({ method: 'GET', url: `/v1/allocation?window=24h&filter=${'x'.repeat(9000)}` });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toMatchObject({ error: 'URL_TOO_LONG', parameter: 'filter' });
  });
});

describe('GET /v1/nodes', () => {
  it('returns each node\'s cost and idle equal to node_cost, as JSON and CSV', async () => {
    const body = (await loaded.api.inject({ method: 'GET', url: '/v1/nodes?window=2026-10-30T00:00:00Z,2026-11-02T00:00:00Z' })).json<{
      source: string;
      rows: Array<Record<string, number | string>>;
    }>();
    expect(body.source).toBe('node_cost_daily');
    const { rows } = await loaded.db.pool.query<{ node_name: string; cost: number; idle: number; savings: number }>(
      'SELECT node_name, sum(cost_usd)::float8 AS cost, sum(idle_cost_usd)::float8 AS idle, sum(spot_savings_usd)::float8 AS savings FROM node_cost GROUP BY 1 ORDER BY 1',
    );
    expect(body.rows.map((r) => r.node)).toEqual(rows.map((r) => r.node_name));
    rows.forEach((r, i) => {
      expect(body.rows[i]?.costUsd).toBeCloseTo(r.cost, 9);
      expect(body.rows[i]?.idleCostUsd).toBeCloseTo(r.idle, 9);
      expect(body.rows[i]?.spotSavingsUsd).toBeCloseTo(r.savings, 9);
    });
    expect(body.rows.map((r) => r.capacityType)).toEqual(['ON_DEMAND', 'SPOT', 'ON_DEMAND']);
    // 32 hours of a 2-core node over a 72-hour window average to 2 × 32 / 72 cores.
    expect(body.rows[0]?.cpuCoresAvg).toBeCloseTo((2 * 32) / 72, 9);
    const csv = parseCsv((await loaded.api.inject({ method: 'GET', url: '/v1/nodes?window=2026-10-30T00:00:00Z,2026-11-02T00:00:00Z&format=csv' })).body);
    expect(csv.slice(1).map((line) => Number(line[(csv[0] ?? []).indexOf('costUsd')]))).toEqual(body.rows.map((r) => r.costUsd));
  });

  it('filters by cluster and steps per hour from the hourly rollup', async () => {
    const body = (await loaded.api.inject({ method: 'GET', url: '/v1/nodes?window=24h&step=1h&filter=cluster:"c2"' })).json<{ source: string; rows: Array<{ node: string; start: string }> }>();
    expect(body.source).toBe('node_cost_hourly');
    expect(new Set(body.rows.map((r) => r.node))).toEqual(new Set(['n3']));
    expect(body.rows).toHaveLength(24);
  });
});

describe('GET /v1/anomalies', () => {
  it.each([
    // Newest first; the default window is 7d, which leaves out the one of 2026-10-20.
    ['', ['c2', 'api', 'web/Deployment/frontend']],
    ['minSeverity=warning', ['api', 'web/Deployment/frontend']],
    ['minSeverity=CRITICAL', ['web/Deployment/frontend']],
    ['scope=namespace', ['api']],
    ['cluster=c2', ['c2']],
    ['window=30d&minSeverity=critical', ['web/Deployment/frontend', 'api/StatefulSet/db']],
  ])('?%s', async (query, keys) => {
    const response = await loaded.api.inject({ method: 'GET', url: `/v1/anomalies?${query}` });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ rows: Array<{ key: string; score: number }> }>();
    expect(body.rows.map((r) => r.key)).toEqual(keys);
  });
});

describe('GET /v1/prices', () => {
  it('returns per SKU the price in effect now and the history of the window, one entry per effective time', async () => {
    const body = (await loaded.api.inject({ method: 'GET', url: '/v1/prices?window=2026-10-15T00:00:00Z,2026-11-01T00:00:00Z&provider=aws' })).json<{
      skus: Array<{ sku: string; current: { hourlyUsd: number; effectiveFrom: string; observedAt: string }; history: Array<{ hourlyUsd: number; effectiveFrom: string; vcpus: number | null; memoryBytes: number | null; gpus: number | null; architecture: string | null }> }>;
    }>();
    expect(body.skus).toHaveLength(1);
    const [m5] = body.skus;
    expect(m5?.sku).toBe('m5.large');
    expect(m5?.current).toMatchObject({ hourlyUsd: 0.09, effectiveFrom: '2026-10-31T00:00:00.000Z', observedAt: '2026-10-31T06:05:00.000Z' });
    // The instance shape per entry: the September price came from a v1 writer that had none.
    expect(m5?.current).toMatchObject(M5_LARGE_SHAPE);
    expect(m5?.history.map((h) => [h.vcpus, h.memoryBytes, h.gpus, h.architecture])).toEqual([
      [null, null, null, null],
      [2, 8 * 1024 ** 3, 0, 'amd64'],
    ]);
    // The price in effect at the window's start (since September), then the change.
    expect(m5?.history.map((h) => [h.effectiveFrom, h.hourlyUsd])).toEqual([
      ['2026-09-01T00:00:00.000Z', 0.096],
      ['2026-10-31T00:00:00.000Z', 0.09],
    ]);
  });

  it('filters by kind and returns per-resource prices', async () => {
    const body = (await loaded.api.inject({ method: 'GET', url: '/v1/prices?provider=gcp&kind=node' })).json<{ skus: Array<{ sku: string; current: { cpuCoreHourUsd: number; memoryGibHourUsd: number; hourlyUsd: null } }> }>();
    expect(body.skus.map((s) => [s.sku, s.current.cpuCoreHourUsd, s.current.memoryGibHourUsd, s.current.hourlyUsd])).toEqual([['e2-standard-4', 0.021811, 0.002923, null]]);
  });
});

describe('anomalies and prices as CSV', () => {
  it('carry the same rows as JSON, one line per anomaly and per price of each SKU', async () => {
    const anomalies = (await loaded.api.inject({ method: 'GET', url: '/v1/anomalies?window=30d' })).json<{ rows: Array<{ key: string; score: number }> }>().rows;
    expect(anomalies.length).toBeGreaterThan(1);
    const anomalyCsv = parseCsv((await loaded.api.inject({ method: 'GET', url: '/v1/anomalies?window=30d&format=csv' })).body);
    const header = anomalyCsv[0] ?? [];
    expect(anomalyCsv.slice(1).map((line) => [line[header.indexOf('key')], Number(line[header.indexOf('score')])])).toEqual(anomalies.map((r) => [r.key, r.score]));

    const window = '2026-10-15T00:00:00Z,2026-11-01T00:00:00Z';
    const skus = (await loaded.api.inject({ method: 'GET', url: `/v1/prices?window=${window}` })).json<{ skus: Array<{ sku: string; history: Array<{ effectiveFrom: string }> }> }>().skus;
    const priceCsv = parseCsv((await loaded.api.inject({ method: 'GET', url: `/v1/prices?window=${window}&format=csv` })).body);
    const columns = priceCsv[0] ?? [];
    expect(priceCsv.slice(1).map((line) => [line[columns.indexOf('sku')], line[columns.indexOf('effectiveFrom')]])).toEqual(skus.flatMap((s) => s.history.map((h) => [s.sku, h.effectiveFrom])));
    expect(skus.length).toBeGreaterThan(1);
  });
});

describe('GET /v1/recommendations', () => {
  const key = (name: string) => latestRecommendations().find((r) => r.key.endsWith(name))?.key;
  const [db, app, sidecar, envoy, nightly, scratch, node, idle] = [
    'db/postgres',
    'frontend/app',
    'frontend/sidecar',
    'gateway/envoy',
    'nightly/job',
    'PersistentVolumeClaim/scratch',
    'Node/ip-10-0-0-1',
    'Deployment/legacy',
  ].map(key);

  it('lists the latest record per key, as the topic carries it, largest saving first', async () => {
    const response = await loaded.api.inject({ method: 'GET', url: '/v1/recommendations' });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ recommendations: Recommendation[] }>();
    const expected = latestRecommendations().sort((a, b) => b.saving.monthlySavingsUsd - a.saving.monthlySavingsUsd);
    expect(body.recommendations).toEqual(expected);
    // The frontend's older version (saving 99) came later on the topic and lost to the newer one.
    expect(body.recommendations.map((r) => r.key)).toEqual([db, node, idle, app, nightly, scratch, sidecar, envoy]);
  });

  it.each([
    ['namespace=web', () => [app, scratch, sidecar]],
    ['cluster=c2', () => [node, nightly]],
    ['workloadKind=StatefulSet', () => [db]],
    ['workloadName=frontend&container=sidecar', () => [sidecar]],
    ['minSavingUsd=10', () => [db, node, idle, app, nightly]],
    ['minSavingUsd=-10.5', () => [db, node, idle, app, nightly, scratch, sidecar, envoy]],
    ['risk=medium,HIGH', () => [db, idle, nightly, envoy]],
    ['kind=workload_resources&risk=low', () => [app, sidecar]],
    ['risk=low', () => [node, app, scratch, sidecar]],
    ['kind=ORPHANED_VOLUME', () => [scratch]],
    ['kind=daemonset_only_node', () => [node]],
    ['kind=IDLE_WORKLOAD', () => [idle]],
    ['workloadName=legacy', () => [idle]],
    ['kind=orphaned_volume&workloadKind=Deployment', () => []],
    ['sort=generatedAt', () => [app, sidecar, db, envoy, nightly, scratch, node, idle]],
    ['sort=key', () => [envoy, idle, db, app, sidecar, scratch, node, nightly]],
    ['sort=confidence&limit=2', () => [envoy, db]],
    ['limit=2', () => [db, node]],
    ['namespace=none', () => []],
  ])('?%s', async (query, keys) => {
    const response = await loaded.api.inject({ method: 'GET', url: `/v1/recommendations?${query}` });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ recommendations: Recommendation[] }>().recommendations.map((r) => r.key)).toEqual(keys());
  });

  it('as CSV: one flat line per recommendation with the same figures', async () => {
    const json = (await loaded.api.inject({ method: 'GET', url: '/v1/recommendations' })).json<{ recommendations: Recommendation[] }>().recommendations;
    const response = await loaded.api.inject({ method: 'GET', url: '/v1/recommendations?format=csv' });
    expect(response.headers['content-type']).toContain('text/csv');
    const [header = [], ...lines] = parseCsv(response.body);
    const column = (line: string[], name: string) => line[header.indexOf(name)];
    expect(header).toEqual(expect.arrayContaining(['key', 'workloadKind', 'generatedAt', 'monthlySavingsUsd', 'cpuRecommendedRequestCores', 'memoryRecommendedLimitBytes', 'reasons', 'hpa']));
    expect(lines.map((l) => [column(l, 'key'), Number(column(l, 'monthlySavingsUsd')), Number(column(l, 'cpuRecommendedRequestCores'))])).toEqual(
      // A kind without a workload (the orphaned volume) leaves the workload columns empty.
      json.map((r) => [r.key, r.saving.monthlySavingsUsd, r.workloadResources?.cpu.recommendedRequest ?? 0]),
    );
    const envoyLine = lines.find((l) => column(l, 'key') === envoy) ?? [];
    expect(column(envoyLine, 'memoryAction')).toBe('NONE');
    expect(column(envoyLine, 'memoryRecommendedRequestBytes')).toBe('');
    expect(column(envoyLine, 'generatedAt')).toBe('2026-11-01T01:00:00.000Z');
    expect(JSON.parse(column(lines.find((l) => column(l, 'key') === app) ?? [], 'hpa') ?? '')).toEqual([expect.objectContaining({ recommendedTargetUtilizationPercent: 80 })]);
  });
});

describe('health', () => {
  it('is ready while the database answers and not when it does not', async () => {
    expect((await loaded.api.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    // Nothing listens on port 1: every connection is refused.
    const closedPool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    const unreachable = await buildApi(closedPool, NOW);
    try {
      const response = await unreachable.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      const query = await unreachable.inject({ method: 'GET', url: '/v1/allocation' });
      expect(query.statusCode).toBe(503);
      expect(query.json()).toMatchObject({ error: 'DATABASE_UNAVAILABLE' });
    } finally {
      await unreachable.close();
      await closedPool.end();
    }
  });
});
