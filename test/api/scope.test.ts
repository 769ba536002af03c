import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../services/api/access-config.js';
import { parseBudgets } from '../../services/api/budget-config.js';
import type { ApiApp } from '../../services/api/app.js';
import { parseCsv } from '../../services/api/csv.js';
import { reconcileChangedDays } from '../../services/billing/reconcile-store.js';
import { buildApi, useLoadedApi } from './api-harness.js';
import { CONTAINERS, NOW } from './cost-records.js';
import { daemonSetOnlyNode, recommendationRecords } from './recommendation-records.js';

// Cross-tenant: over the real API and a database loaded through the real
// sink, a caller scoped to some namespaces never sees a row, a total, an
// error message or a CSV line of another, whatever its filters, on every
// endpoint; figures of no namespace (nodes, idle, cluster anomalies, node
// recommendations) only with nodeCosts. Approvals: a viewer gets 403, an
// approver 404 outside what it may see (as for a key that does not exist).

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
  everyNamespaceNoNodes: { token: 'token-every-ns', namespaces: '*', clusters: '*', nodeCosts: false },
  admin: { token: 'token-admin', namespaces: '*', clusters: '*', nodeCosts: true },
};
const ROLE_OF: Readonly<Record<string, string>> = { webInC1: 'viewer', webEverywhere: 'viewer', apiEngineer: 'engineer', batchOperatorWithNodes: 'operator', finops: 'viewer', everyNamespaceNoNodes: 'viewer', admin: 'admin' };

const sees = (caller: Caller, cluster: string, namespace: string) =>
  (caller.clusters === '*' || caller.clusters.includes(cluster)) && (namespace === '' ? caller.nodeCosts : caller.namespaces === '*' || caller.namespaces.includes(namespace));

const ADMIN_TOKEN = (CALLERS.admin as Caller).token;

function accessYaml(): string {
  const list = (v: readonly string[] | '*') => JSON.stringify(v === '*' ? ['*'] : v);
  return [
    'staticTokens:',
    '  - name: admin',
    `    sha256: ${createHash('sha256').update(ADMIN_TOKEN).digest('hex')}`,
    '    role: admin',
    ...Object.entries(CALLERS).filter(([name]) => name !== 'admin').flatMap(([name, c]) => [
      `  - name: ${name}`,
      `    sha256: ${createHash('sha256').update(c.token).digest('hex')}`,
      `    role: ${ROLE_OF[name]}`,
      `    namespaces: ${list(c.namespaces)}`,
      `    clusters: ${list(c.clusters)}`,
      `    nodeCosts: ${c.nodeCosts}`,
    ]),
  ].join('\n');
}

// Budgets of every tenant: a caller's spend of each is summed over what it may see.
const BUDGETS = 'namespace/web=100,namespace/api=100,namespace/batch=100,cluster/c1=1000,cluster/c2=1000';

/**
 * Out-of-cluster billing lines of three tenants (a database of c1/api by
 * tag, a load balancer of c2/batch by its Service, support of nobody), so
 * kcost reconcile fills the reconciled tables the costBasis=reconciled
 * answers read: the estate's nodes have no providerID, so their list
 * figures stand (UNBILLED), and the lines are external cost.
 */
const EXTERNAL_LINES = [
  { service: 'AmazonRDS', category: 'Databases', tags: { 'kubernetes.io/cluster/c1': 'owned', 'kcost.io/namespace': 'api' }, usd: 5, cluster: 'c1', namespace: 'api' },
  { service: 'AWSELB', category: 'Networking', tags: { 'kubernetes.io/cluster/c2': 'owned', 'kubernetes.io/service-name': 'batch/queue' }, usd: 3, cluster: 'c2', namespace: 'batch' },
  { service: 'AWSSupportBusiness', category: 'Management and Governance', tags: {}, usd: 2.5, cluster: '', namespace: '' },
] as const;

async function reconcileWithExternalLines(): Promise<void> {
  for (const [i, line] of EXTERNAL_LINES.entries()) {
    await loaded.db.pool.query(
      `INSERT INTO billing_line (key, billing_account_id, billing_period_start, billing_period_end, line_id, charge_period_start, charge_period_end, charge_category, billed_cost, effective_cost, list_cost,
  billing_currency, service_name, service_category, provider_name, tags, extensions, source_format, source_file, source_row, source_version, ingested_at)
VALUES ($1, 'acct', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', $1, '2026-10-31T00:00:00Z', '2026-11-01T00:00:00Z', 'Usage', $2, $2, $2, 'USD', $3, $4, 'AWS', $5, '{}', 'FOCUS-1.2', 'file:///bill.csv', $6, 'v1', now())`,
      [`acct/2026-10-01/line-${i}`, line.usd, line.service, line.category, JSON.stringify(line.tags), i + 1],
    );
  }
  const rules = { clusterTag: null, namespaceTag: 'kcost.io/namespace', unattributed: 'unallocated' } as const;
  await reconcileChangedDays(loaded.db.pool, { fromMillis: Date.parse('2026-10-30T00:00:00Z'), toMillis: Date.parse('2026-11-02T00:00:00Z'), rules, nowMillis: NOW });
}

let api: ApiApp;
/** Every recommendation, as admin sees it: key, version, cluster and namespace. */
let everyRecommendation: Array<{ key: string; generatedAt: number; cluster: string; namespace: string }>;
beforeAll(async () => {
  api = await buildApi(loaded.db.pool, NOW, { access: parseAccessConfig(accessYaml(), 'test'), budgets: parseBudgets(BUDGETS) });
  await reconcileWithExternalLines();
  const csv = parseCsv((await api.inject({ method: 'GET', url: '/v1/recommendations?sort=key&format=csv', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body);
  const header = csv[0] ?? [];
  const at = (line: string[], name: string) => line[header.indexOf(name)] ?? '';
  everyRecommendation = csv.slice(1).map((line) => ({ key: at(line, 'key'), generatedAt: Date.parse(at(line, 'generatedAt')), cluster: at(line, 'cluster'), namespace: at(line, 'namespace') }));
  expect(everyRecommendation.length).toBeGreaterThan(3);
  // Approvals of every tenant exist before any caller lists them.
  for (const r of everyRecommendation) {
    const response = await api.inject({ method: 'POST', url: '/v1/approvals', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { key: r.key, generatedAt: r.generatedAt } });
    expect(response.statusCode, response.body).toBe(201);
  }
});
afterAll(async () => api?.close());

const get = (caller: Caller, url: string) => api.inject({ method: 'GET', url, headers: { authorization: `Bearer ${caller.token}` } });
const approve = (token: string, payload: object) => api.inject({ method: 'POST', url: '/v1/approvals', headers: { authorization: `Bearer ${token}` }, payload });

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
  '/v1/savings',
  '/v1/savings?cluster=c2',
  '/v1/approvals',
  '/v1/approvals?namespace=api',
  '/v1/approvals?cluster=c2&state=approved,stale',
];
// Answers that are summed or fitted over the caller's rows; too little history is a 422 whose message must not leak either.
const FORECAST_URLS = [
  '/v1/forecast?aggregate=namespace',
  '/v1/forecast?aggregate=namespace&filter=namespace:"api","batch"',
  '/v1/forecast?aggregate=pod&window=7d',
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
      expect(csv.length, url).toBeGreaterThan(0);
      // Savings lines carry no namespace column; the markers above hold them.
      if (!header.includes('namespace')) continue;
      for (const line of csv.slice(1)) {
        const namespace = line[header.indexOf('namespace')] ?? '';
        expect(sees(caller, line[header.indexOf('cluster')] ?? '', namespace), `${url}: ${line.join(',')}`).toBe(true);
      }
    }
  });

  it('sees only FOCUS rows of its scope, idle rows only with node costs, whatever the filter', async () => {
    for (const url of [
      `/v1/focus?window=${WINDOW}&aggregate=workload`,
      `/v1/focus?window=${WINDOW}&aggregate=namespace&filter=namespace:"api","batch","web"`,
      `/v1/focus?window=${WINDOW}&aggregate=workload&step=1h&filter=cluster:"c2"`,
    ]) {
      const response = await get(caller, url);
      expect(response.statusCode, `${url} ${response.body}`).toBe(200);
      expectNothingOutside(caller, response.body, url);
      const [header = [], ...lines] = parseCsv(response.body);
      if (!url.includes('filter=')) expect(lines.length, `${url}: every caller here sees some workload`).toBeGreaterThan(0);
      for (const line of lines) {
        const [cluster = '', namespace = '', kind = ''] = ['x_KcostCluster', 'x_KcostNamespace', 'x_KcostCostKind'].map((c) => line[header.indexOf(c)]);
        if (kind === 'idle') expect(caller.nodeCosts && (caller.clusters === '*' || caller.clusters.includes(cluster)), `${url}: ${line.join(',')}`).toBe(true);
        else expect(sees(caller, cluster, namespace), `${url}: ${line.join(',')}`).toBe(true);
      }
    }
  });

  it('sees only reconciled FOCUS rows of its scope: external rows of its namespaces, __unallocated__ and idle only with node costs', async () => {
    for (const url of [
      `/v1/focus?window=${WINDOW}&costBasis=reconciled`,
      `/v1/focus?window=${WINDOW}&costBasis=reconciled&aggregate=namespace&filter=namespace:"api","batch","web","__unallocated__"`,
      `/v1/focus?window=${WINDOW}&costBasis=reconciled&filter=cluster:"c1","c2",""`,
      `/v1/focus?window=${WINDOW}&costBasis=reconciled&format=parquet`,
    ]) {
      const response = await get(caller, url);
      expect(response.statusCode, `${url} ${response.body}`).toBe(200);
      if (url.endsWith('parquet')) {
        for (const line of EXTERNAL_LINES) if (!sees(caller, line.cluster, line.namespace)) expect(response.rawPayload.includes(line.service), `${url} shows ${line.service}`).toBe(false);
        continue;
      }
      expectNothingOutside(caller, response.body, url);
      const [header = [], ...lines] = parseCsv(response.body);
      if (!url.includes('filter=')) expect(lines.length, `${url}: every caller here sees some workload`).toBeGreaterThan(0);
      const services = new Set<string>();
      for (const line of lines) {
        const [cluster = '', namespace = '', kind = '', service = ''] = ['x_KcostCluster', 'x_KcostNamespace', 'x_KcostCostKind', 'ServiceName'].map((c) => line[header.indexOf(c)]);
        if (kind === 'external') services.add(service);
        if (kind === 'idle') expect(caller.nodeCosts && (caller.clusters === '*' || caller.clusters.includes(cluster)), `${url}: ${line.join(',')}`).toBe(true);
        else expect(sees(caller, cluster, namespace === '__unallocated__' ? '' : namespace), `${url}: ${line.join(',')}`).toBe(true);
      }
      // Each line's row reaches exactly the callers who may see its cluster and namespace.
      for (const line of EXTERNAL_LINES) expect(services.has(line.service), `${url}: ${line.service}`).toBe(sees(caller, line.cluster, line.namespace));
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
    const nodesCsv = parseCsv((await get(caller, `/v1/nodes?window=${WINDOW}&format=csv`)).body);
    const clusterColumn = (nodesCsv[0] ?? []).indexOf('cluster');
    expect(nodesCsv.length).toBeGreaterThan(1);
    for (const line of nodesCsv.slice(1)) expect(caller.clusters === '*' || caller.clusters.includes(line[clusterColumn] ?? ''), line.join(',')).toBe(true);
    expect(idle.statusCode).toBe(200);
    const idleRows = idle.json<{ rows: Array<{ name: string; properties: { cluster: string } }> }>().rows.filter((r) => r.name.includes('__idle__'));
    expect(idleRows.length).toBeGreaterThan(0);
    for (const row of idleRows) expect(caller.clusters === '*' || caller.clusters.includes(row.properties.cluster)).toBe(true);
    expect(shared.statusCode).toBe(200);
  });

  it('reads prices, which are the providers\' lists and no tenant\'s', async () => {
    expect((await get(caller, '/v1/prices')).statusCode).toBe(200);
  });

  it('gets forecasts and their errors only of what it may see, JSON and CSV', async () => {
    for (const url of FORECAST_URLS) {
      for (const format of ['json', 'csv']) {
        const response = await get(caller, `${url}&format=${format}`);
        expect([200, 422], `${url} ${response.body}`).toContain(response.statusCode);
        expectNothingOutside(caller, response.body, url);
      }
    }
  });

  it('sees each budget\'s spend summed over its own rows only: nothing of a budget it cannot see', async () => {
    const spentOf = async (token: string) =>
      new Map((await api.inject({ method: 'GET', url: '/v1/budgets', headers: { authorization: `Bearer ${token}` } })).json<{ budgets: Array<{ name: string; spentUsd: number }> }>().budgets.map((b) => [b.name, b.spentUsd]));
    const mine = await spentOf(caller.token);
    const all = await spentOf(ADMIN_TOKEN);
    expect([...all.values()].every((v) => v > 0)).toBe(true);
    for (const [name, spent] of mine) {
      const [kind, value] = name.split('/') as [string, string];
      const visible = kind === 'namespace' ? (caller.namespaces === '*' || caller.namespaces.includes(value)) : caller.clusters === '*' || caller.clusters.includes(value);
      if (!visible) expect(spent, name).toBe(0);
      else expect(spent, name).toBeLessThanOrEqual((all.get(name) ?? 0) + 1e-9);
    }
    const csv = (await get(caller, '/v1/budgets?format=csv')).body;
    expectNothingOutside(caller, csv, '/v1/budgets');
  });

  it('approves only as an approver: a viewer gets 403 for any key, an approver 404 outside its scope and 200/201 inside', async () => {
    const role = ROLE_OF[_name] as string;
    const unknown = await approve(caller.token, { key: 'c9/nowhere/Deployment/none/app' });
    for (const r of everyRecommendation) {
      const response = await approve(caller.token, { key: r.key, generatedAt: r.generatedAt, comment: 'looks right' });
      const body = response.json<{ error?: string; message?: string; key?: string }>();
      if (role === 'viewer') {
        expect(response.statusCode, r.key).toBe(403);
        // The same answer whatever the key: it says nothing about which exist.
        expect(body).toEqual(unknown.json());
      } else if (!sees(caller, r.cluster, r.namespace)) {
        expect(response.statusCode, r.key).toBe(404);
        expect(body.message).toBe(unknown.json<{ message: string }>().message.replace('c9/nowhere/Deployment/none/app', r.key));
      } else {
        expect([200, 201], `${r.key} ${response.body}`).toContain(response.statusCode);
        expect(body.key).toBe(r.key);
      }
    }
    expect(unknown.statusCode).toBe(role === 'viewer' ? 403 : 404);
    const listed = (await get(caller, '/v1/approvals')).json<{ approvals: Array<{ key: string; cluster: string; namespace: string | null }> }>().approvals;
    const expected = everyRecommendation.filter((r) => sees(caller, r.cluster, r.namespace)).map((r) => r.key);
    expect([...new Set(listed.map((a) => a.key))].sort()).toEqual(expected.sort());
  });
});

describe('approving a recommendation', () => {
  const ENGINEER = CALLERS.apiEngineer as Caller;
  const target = () => everyRecommendation.find((r) => r.key.includes('api/StatefulSet/db')) as (typeof everyRecommendation)[number];
  const withdraw = (token: string, id: number) => api.inject({ method: 'DELETE', url: `/v1/approvals/${id}`, headers: { authorization: `Bearer ${token}` } });
  const inForce = async (key: string) =>
    (await get(ENGINEER, `/v1/approvals?key=${encodeURIComponent(key)}`)).json<{ approvals: Array<{ id: number; state: string; approvedBy: string; withdrawnBy: string | null }> }>().approvals;

  it('records who approved which version; a changed recommendation makes it stale and needs a new approval; withdrawn ones stay listed', async () => {
    const { key, generatedAt } = target();
    const [adminApproval] = await inForce(key);
    expect(adminApproval).toMatchObject({ state: 'approved', approvedBy: 'static token admin' });
    // A viewer may not withdraw it; its approver scope may.
    expect((await withdraw((CALLERS.finops as Caller).token, adminApproval!.id)).statusCode).toBe(403);
    expect((await withdraw((CALLERS.webInC1 as Caller).token, adminApproval!.id)).statusCode).toBe(403);
    expect((await withdraw((CALLERS.batchOperatorWithNodes as Caller).token, adminApproval!.id)).statusCode).toBe(404);
    const withdrawn = await withdraw(ENGINEER.token, adminApproval!.id);
    expect(withdrawn.json()).toMatchObject({ state: 'withdrawn', withdrawnBy: 'static token apiEngineer' });
    const created = await approve(ENGINEER.token, { key, generatedAt: new Date(generatedAt).toISOString(), comment: 'checked the p99' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ key, generatedAt: new Date(generatedAt).toISOString(), state: 'approved', approvedBy: 'static token apiEngineer', approvedRole: 'engineer', comment: 'checked the p99' });
    expect((await approve(ENGINEER.token, { key, generatedAt })).statusCode).toBe(200);

    // The recommender publishes a new version, as the sink stores it.
    await loaded.db.pool.query(`UPDATE recommendation SET generated_at = generated_at + interval '1 hour', record = jsonb_set(record, '{generatedAt}', to_jsonb(($2::bigint) + 3600000)) WHERE key = $1`, [key, generatedAt]);
    const states = await inForce(key);
    expect(states.map((a) => a.state)).toEqual(['stale', 'withdrawn']);
    const old = await approve(ENGINEER.token, { key, generatedAt });
    expect(old.statusCode).toBe(409);
    expect(old.json<{ message: string }>().message).toContain('has changed');
    const renewed = await approve(ENGINEER.token, { key, generatedAt: generatedAt + 3_600_000 });
    expect(renewed.statusCode).toBe(201);
    expect((await get(ENGINEER, `/v1/approvals?key=${encodeURIComponent(key)}&state=approved`)).json<{ approvals: unknown[] }>().approvals).toHaveLength(1);
    // Team database roles see approvals through the same row security (sql/0011).
    const { rows } = await loaded.db.pool.query<{ relrowsecurity: boolean }>(`SELECT relrowsecurity FROM pg_class WHERE oid = 'recommendation_approval'::regclass`);
    expect(rows[0]?.relrowsecurity).toBe(true);
  });

  it('refuses a bad body by field', async () => {
    const bad = await approve(ENGINEER.token, { key: target().key, generatedAt: 'yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'BAD_PARAMETER', parameter: 'generatedAt' });
    expect((await approve(ENGINEER.token, { generatedAt: 1 })).json()).toMatchObject({ error: 'BAD_PARAMETER', parameter: 'key' });
    expect((await approve(ENGINEER.token, { key: target().key, role: 'admin' })).json()).toMatchObject({ error: 'BAD_PARAMETER', parameter: 'role' });
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
