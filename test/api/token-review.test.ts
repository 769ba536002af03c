import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../services/api/access-config.js';
import type { ApiApp } from '../../services/api/app.js';
import { createTokenReviewer } from '../../services/api/token-review.js';
import { buildApi, useLoadedApi } from './api-harness.js';
import { NOW } from './cost-records.js';

// Kubernetes tokens checked with a TokenReview against a fake API server that
// speaks the real wire format (POST /apis/authentication.k8s.io/v1/tokenreviews),
// through @kubernetes/client-node, as in a cluster.

const loaded = useLoadedApi();
const API_OWN_TOKEN = 'kcost-api-serviceaccount-token';
const KNOWN: Record<string, { username: string; groups: string[] }> = {
  'sa-token-web': { username: 'system:serviceaccount:web:reporter', groups: ['system:serviceaccounts', 'system:serviceaccounts:web', 'system:authenticated'] },
  'sa-token-other': { username: 'system:serviceaccount:batch:job', groups: ['system:serviceaccounts', 'system:serviceaccounts:batch', 'system:authenticated'] },
};

describe('Kubernetes tokens through TokenReview', () => {
  let server: Server;
  let api: ApiApp;
  const reviews: Array<{ authorization: string | undefined; body: { apiVersion: string; kind: string; spec: { token: string; audiences?: string[] } } }> = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url?.split('?')[0] !== '/apis/authentication.k8s.io/v1/tokenreviews') {
          response.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","status":"Failure","code":404}');
          return;
        }
        const body = JSON.parse(raw) as (typeof reviews)[number]['body'];
        reviews.push({ authorization: request.headers.authorization, body });
        const user = KNOWN[body.spec.token];
        const status = user ? { authenticated: true, user: { ...user, uid: 'uid-1' }, audiences: body.spec.audiences ?? [] } : { authenticated: false, error: 'invalid bearer token' };
        response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: { creationTimestamp: null }, spec: body.spec, status }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'test', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'kcost-api', token: API_OWN_TOKEN }],
      contexts: [{ name: 'test', cluster: 'test', user: 'kcost-api' }],
      currentContext: 'test',
    });
    const access = parseAccessConfig(['kubernetes:', '  audiences: [kcost]', 'groups:', '  - group: system:serviceaccounts:web', '    role: viewer', '    namespaces: [web]'].join('\n'), 'test');
    api = await buildApi(loaded.db.pool, NOW, { access, reviewer: createTokenReviewer(kubeConfig, access.kubernetes?.audiences ?? []) });
  });
  afterAll(async () => {
    await api?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  const get = (token: string) => api.inject({ method: 'GET', url: '/v1/allocation?window=2026-10-30T00:00:00Z,2026-11-02T00:00:00Z&aggregate=namespace', headers: { authorization: `Bearer ${token}` } });

  it('lets a ServiceAccount of a mapped group in, scoped to its namespaces, asking with the API\'s own credentials and audience', async () => {
    const response = await get('sa-token-web');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ rows: Array<{ properties: { namespace: string } }> }>().rows.map((r) => r.properties.namespace)).toEqual(['web']);
    expect(reviews.at(-1)).toEqual({ authorization: `Bearer ${API_OWN_TOKEN}`, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'sa-token-web', audiences: ['kcost'] } } });
  });

  it('answers 401 to a token the API server does not authenticate, 403 to one of no mapped group', async () => {
    const unknown = await get('sa-token-forged');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json<{ message: string }>().message).toContain('did not authenticate it (invalid bearer token)');
    const other = await get('sa-token-other');
    expect(other.statusCode).toBe(403);
    expect(other.json<{ message: string }>().message).toContain('system:serviceaccounts:batch');
  });
});
