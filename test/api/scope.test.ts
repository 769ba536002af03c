import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../services/api/access-config.js';
import type { ApiApp } from '../../services/api/app.js';
import { parseCsv } from '../../services/api/csv.js';
import { buildApi, useLoadedApi } from './api-harness.js';
import { CONTAINERS, NOW } from './cost-records.js';
import { daemonSetOnlyNode, recommendationRecords } from './recommendation-records.js';

// Cross-tenant: over the real API and a database loaded through the real
// sink, a caller scoped to some namespaces never sees a row, a total or a CSV
// line of another, whatever its filters; figures of no namespace (nodes,
// idle, cluster anomalies, node recommendations) only with nodeCosts.

const loaded = useLoadedApi();
const WINDOW = '2026-10-30T00:00:00Z,2026-11-02T00:00:00Z';

interface Caller {
  readonly token: string;
  readonly namespaces: readonly string[] | '*';
  readonly clusters: readonly string[] | '*';
  readonly nodeCosts: boolean;
}

const CALLERS: Readonly<Record<string, Caller>> = {
  webInC1: { token: 'token-web-c1', namespaces: ['web'], clusters: ['c1'], nodeCosts: false },
  webEverywhere: { token: 'token-web', namespaces: ['web'], clusters: '*', nodeCosts: false },
  apiEngineer: { token: 'token-api', namespaces: ['api'], clusters: '*', nodeCosts: false },
  batchOperatorWithNodes: { token: 'token-batch-c2', namespaces: ['batch'], clusters: ['c2'], nodeCosts: true },
  finops: { token: 'token-finops', namespaces: '*', clusters: '*', nodeCosts: true },
};
const ROLE_OF: Readonly<Record<string, string>> = { webInC1: 'viewer', webEverywhere: 'viewer', apiEngineer: 'engineer', batchOperatorWithNodes: 'operator', finops: 'viewer' };

const sees = (caller: Caller, cluster: string, namespace: string) =>
  (caller.clusters === '*' || caller.clusters.includes(cluster)) && (namespace === '' ? caller.nodeCosts : caller.namespaces === '*' || caller.namespaces.includes(namespace));

function accessYaml(): string {
  const list = (v: readonly string[] | '*') => JSON.stringify(v === '*' ? ['*'] : v);
  return [
    'staticTokens:',
    ...Object.entries(CALLERS).flatMap(([name, c]) => [
      `  - name: ${name}`,
      `    sha256: ${createHash('sha256').update(c.token).digest('hex')}`,
      `    role: ${ROLE_OF[name]}`,
      `    namespaces: ${list(c.namespaces)}`,
      `    clusters: ${list(c.clusters)}`,
      `    nodeCosts: ${c.nodeCosts}`,
    ]),
  ].join('\n');
}

let api: ApiApp;
beforeAll(async () => {
  api = await buildApi(loaded.db.pool, NOW, { access: parseAccessConfig(accessYaml(), 'test') });
});
afterAll(async () => api?.close());

const get = (caller: Caller, url: string) => api.inject({ method: 'GET', url, headers: { authorization: `Bearer ${caller.token}` } });

/** Names that identify one pod's cluster and namespace: none may appear in an answer to a caller who may not see it. */
const podMarkers = CONTAINERS.map((c) => ({ marker: c.pod, cluster: c.cluster, namespace: c.namespace }));
// Names that appear only in the records of other tenants or of no namespace.
const recordMarkers = [
  { marker: 'legacy', cluster: 'c1', namespace: 'api' },
  { marker: 'gateway', cluster: 'c1', namespace: 'api' },
  { marker: 'nightly', cluster: 'c2', namespace: 'batch' },
  { marker: 'api/StatefulSet/db', cluster: 'c1', namespace: 'api' },
  { marker: daemonSetOnlyNode().key, cluster: 'c2', namespace: '' },
];

function expectNothingOutside(caller: Caller, body: string, url: string): void {
  for (const m of [...podMarkers, ...recordMarkers]) {
    if (!sees(caller, m.cluster, m.namespace) && !(m.namespace === 'batch' && m.marker === 'nightly' && sees(caller, 'c2', ''))) {
      expect(body.includes(m.marker), `${url} shows ${m.marker} of ${m.cluster}/${m.namespace || '(no namespace)'}`).toBe(false);
    }
  }
}

// Widening attempts: a filter or parameter for another tenant narrows within the scope, never past it.
const ALLOCATION_URLS = [
  `/v1/allocation?window=${WINDOW}&aggregate=cluster,namespace,pod`,
  `/v1/allocation?window=${WINDOW}&aggregate=cluster,namespace,pod&filter=namespace:"api","batch","web"`,
  `/v1/allocation?window=${WINDOW}&aggregate=cluster,namespace,pod&filter=namespace!:"web"`,
  `/v1/allocation?window=${WINDOW}&aggregate=cluster,namespace,pod&filter=cluster:"c2"`,
  `/v1/allocation?window=${WINDOW}&aggregate=pod&step=1h&filter=pod:"db-0","agent-x","frontend-c"`,
  `/v1/allocation?window=${WINDOW}&aggregate=label:app`,
  `/v1/allocation?window=${WINDOW}&aggregate=workload`,
];
const OTHER_URLS = [
  '/v1/anomalies?window=30d',
  '/v1/anomalies?window=30d&namespace=api',
  '/v1/anomalies?window=30d&scope=CLUSTER',
  '/v1/anomalies?window=30d&cluster=c2',
  '/v1/recommendations',
  '/v1/recommendations?namespace=api',
  '/v1/recommendations?kind=DAEMONSET_ONLY_NODE',
  '/v1/recommendations?cluster=c2&sort=key',
];

describe.each(Object.entries(CALLERS))('a caller scoped as %s', (_name, caller) => {
  it('sees only rows of its scope in every allocation answer, JSON and CSV, whatever the filter', async () => {
    for (const url of ALLOCATION_URLS) {
      for (const format of ['json', 'csv']) {
        const response = await get(caller, `${url}&format=${format}`);
        expect(response.statusCode, `${url} ${response.body}`).toBe(200);
        expectNothingOutside(caller, response.body, url);
        if (format === 'json' && url.includes('aggregate=cluster,namespace')) {
          for (const row of response.json<{ rows: Array<{ properties: { cluster: string; namespace: string } }> }>().rows) {
            expect(sees(caller, row.properties.cluster, row.properties.namespace), `${url}: ${JSON.stringify(row.properties)}`).toBe(true);
          }
        }
      }
    }
  });

  it('totals costs over what it may see: per cluster, the SQL sum of its namespaces', async () => {
    const body = (await get(caller, `/v1/allocation?window=${WINDOW}&aggregate=cluster`)).json<{ rows: Array<{ properties: { cluster: string }; totalCostUsd: number }>; totals: { totalCostUsd: number } }>();
    const { rows } = await loaded.db.pool.query<{ cluster: string; namespace: string; cost: number }>(
      `SELECT cluster, namespace, sum(total_cost_usd)::float8 AS cost FROM pod_cost WHERE window_start >= $1 AND window_start < $2 GROUP BY 1, 2`,
      WINDOW.split(','),
    );
    const expected = new Map<string, number>();
    for (const r of rows.filter((r) => sees(caller, r.cluster, r.namespace))) expected.set(r.cluster, (expected.get(r.cluster) ?? 0) + r.cost);
    expect(body.rows.map((r) => r.properties.cluster).sort()).toEqual([...expected.keys()].sort());
    for (const row of body.rows) expect(row.totalCostUsd).toBeCloseTo(expected.get(row.properties.cluster) ?? NaN, 9);
    expect(body.totals.totalCostUsd).toBeCloseTo([...expected.values()].reduce((a, b) => a + b, 0), 9);
  });

  it('sees only anomalies and recommendations of its scope, whatever the parameters', async () => {
    for (const url of OTHER_URLS) {
      const json = await get(caller, url);
      expect(json.statusCode, url).toBe(200);
      expectNothingOutside(caller, json.body, url);
      const csv = parseCsv((await get(caller, `${url}${url.includes('?') ? '&' : '?'}format=csv`)).body);
      const header = csv[0] ?? [];
      for (const line of csv.slice(1)) {
        const namespace = line[header.indexOf('namespace')] ?? '';
        expect(sees(caller, line[header.indexOf('cluster')] ?? '', namespace), `${url}: ${line.join(',')}`).toBe(true);
      }
    }
  });

  it(caller.nodeCosts ? 'sees nodes and idle of its clusters only' : 'is refused nodes and idle with 403', async () => {
    const nodes = await get(caller, `/v1/nodes?window=${WINDOW}`);
    const idle = await get(caller, `/v1/allocation?window=${WINDOW}&aggregate=cluster&idle=include`);
    const shared = await get(caller, `/v1/allocation?window=${WINDOW}&aggregate=namespace&idle=share`);
    if (!caller.nodeCosts) {
      for (const response of [nodes, idle, shared]) {
        expect(response.statusCode).toBe(403);
        expect(response.json<{ error: string; message: string }>()).toMatchObject({ error: 'FORBIDDEN' });
      }
      expect(nodes.json<{ message: string }>().message).toContain('/v1/nodes');
      return;
    }
    expect(nodes.statusCode).toBe(200);
    const clusters = nodes.json<{ rows: Array<{ cluster: string }> }>().rows.map((r) => r.cluster);
    expect(clusters.length).toBeGreaterThan(0);
    for (const cluster of clusters) expect(caller.clusters === '*' || caller.clusters.includes(cluster)).toBe(true);
    expect(idle.statusCode).toBe(200);
    const idleRows = idle.json<{ rows: Array<{ name: string; properties: { cluster: string } }> }>().rows.filter((r) => r.name.includes('__idle__'));
    expect(idleRows.length).toBeGreaterThan(0);
    for (const row of idleRows) expect(caller.clusters === '*' || caller.clusters.includes(row.properties.cluster)).toBe(true);
    expect(shared.statusCode).toBe(200);
  });

  it('reads prices, which are the providers\' lists and no tenant\'s', async () => {
    expect((await get(caller, '/v1/prices')).statusCode).toBe(200);
  });
});

describe('the fixture', () => {
  it('holds rows of every tenant, so the checks above can fail', async () => {
    const all = await loaded.api.inject({ method: 'GET', url: `/v1/allocation?window=${WINDOW}&aggregate=cluster,namespace,pod` });
    for (const m of podMarkers) expect(all.body).toContain(m.marker);
    const recommendations = await loaded.api.inject({ method: 'GET', url: '/v1/recommendations' });
    for (const m of recordMarkers.filter((r) => !r.marker.includes('StatefulSet'))) expect(recommendations.body).toContain(m.marker);
    expect(recommendationRecords().length).toBeGreaterThan(0);
  });
});
