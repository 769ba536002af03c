import { createHash } from 'node:crypto';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../services/api/access-config.js';
import type { ApiApp } from '../../services/api/app.js';
import { createTokenVerifier } from '../../services/api/jwt-verifier.js';
import { newIssuerKey, startTestIssuer, type TestIssuer } from '../support/oidc-provider.js';
import { buildApi, useLoadedApi } from './api-harness.js';
import { NOW } from './cost-records.js';

// OIDC, static and shared tokens against a real issuer over HTTP (discovery
// and JWKS served by node:http, keys and tokens made by jose) and the API
// over a real, loaded database.

const loaded = useLoadedApi();
const AUDIENCE = 'kcost-api';
const MACHINE_TOKEN = 'machine-token-for-the-report-job';

function accessYaml(issuer: string, extra = ''): string {
  return [
    'oidc:',
    `  issuer: ${issuer}`,
    `  audience: ${AUDIENCE}`,
    '  clockToleranceSeconds: 0',
    extra,
    'groups:',
    '  - group: team-web',
    '    role: engineer',
    '    namespaces: [web]',
    '  - group: platform',
    '    role: admin',
    'staticTokens:',
    '  - name: report-job',
    `    sha256: ${createHash('sha256').update(MACHINE_TOKEN).digest('hex')}`,
    '    role: viewer',
    '    namespaces: [api]',
    '    clusters: [c1]',
  ].join('\n');
}

describe('OIDC tokens from a discovered issuer', () => {
  let issuer: TestIssuer;
  let api: ApiApp;
  beforeAll(async () => {
    issuer = await startTestIssuer(AUDIENCE);
    const access = parseAccessConfig(accessYaml(issuer.issuer), 'test');
    api = await buildApi(loaded.db.pool, NOW, { token: 'shared-admin-token', access, verifier: createTokenVerifier(access.oidc!, undefined, { keyRefreshCooldownMillis: 0 }) });
  });
  afterAll(async () => {
    await api?.close();
    await issuer?.close();
  });

  const get = (token: string, url = '/v1/allocation?window=2026-10-30T00:00:00Z,2026-11-01T00:00:00Z') => api.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('lets a token of a mapped group in, fetching the keys once for many requests', async () => {
    const token = await issuer.sign({ sub: 'alice', groups: ['team-web'] });
    for (let i = 0; i < 3; i++) expect((await get(token)).statusCode).toBe(200);
    expect(issuer.jwksFetches()).toBe(1);
  });

  it.each([
    ['a wrong signature', async (i: TestIssuer) => i.sign({ sub: 'mallory', groups: ['platform'] }, { key: { ...(await newIssuerKey(i.keys[0]!.kid)), kid: i.keys[0]!.kid } }), 'its signature does not verify'],
    ['an expired token', (i: TestIssuer) => i.sign({ sub: 'alice', groups: ['team-web'] }, { expiresInSeconds: -60 }), 'it expired at'],
    ['a token not valid yet', (i: TestIssuer) => i.sign({ sub: 'alice', groups: ['team-web'] }, { notBeforeSeconds: 600 }), 'not valid yet'],
    ['a wrong audience', (i: TestIssuer) => i.sign({ sub: 'alice', groups: ['team-web'] }, { audience: 'another-api' }), 'audience'],
    ['a wrong issuer', (i: TestIssuer) => i.sign({ sub: 'alice', groups: ['team-web'] }, { issuer: 'https://evil.example.com' }), 'issuer'],
    ['alg none', async (i: TestIssuer) => unsigned({ sub: 'mallory', groups: ['platform'], iss: i.issuer, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 }), 'algorithm'],
    ['an unknown key id', async (i: TestIssuer) => i.sign({ sub: 'mallory', groups: ['platform'] }, { key: await newIssuerKey('never-published') }), 'no key of the issuer'],
    ['garbage', async () => 'not.a.jwt', 'the bearer token is not valid'],
  ])('answers %s with 401 and a one-line reason', async (_case, make, reason) => {
    const response = await get(await make(issuer));
    expect(response.statusCode, response.body).toBe(401);
    const body = response.json<{ error: string; message: string }>();
    expect(body.error).toBe('UNAUTHORIZED');
    expect(body.message).toContain(reason);
    expect(body.message).not.toContain('\n');
  });

  it('answers an expired, a wrongly signed, a wrong-audience and an alg none token with 401 on every endpoint, the approval writes included', async () => {
    const tokens = [
      await issuer.sign({ sub: 'alice', groups: ['platform'] }, { expiresInSeconds: -60 }),
      await issuer.sign({ sub: 'mallory', groups: ['platform'] }, { key: { ...(await newIssuerKey(issuer.keys[0]!.kid)), kid: issuer.keys[0]!.kid } }),
      await issuer.sign({ sub: 'alice', groups: ['platform'] }, { audience: 'another-api' }),
      unsigned({ sub: 'mallory', groups: ['platform'], iss: issuer.issuer, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 }),
    ];
    const requests: Array<{ method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: object }> = [
      ...['/v1/allocation', '/v1/nodes', '/v1/anomalies', '/v1/prices', '/v1/recommendations', '/v1/savings', '/v1/forecast', '/v1/budgets', '/v1/approvals'].map((url) => ({ method: 'GET' as const, url })),
      { method: 'POST', url: '/v1/approvals', payload: { key: 'c1/web/Deployment/frontend/app' } },
      { method: 'DELETE', url: '/v1/approvals/1' },
    ];
    for (const token of tokens) {
      for (const request of requests) {
        const response = await api.inject({ ...request, headers: { authorization: `Bearer ${token}` } });
        expect(response.statusCode, `${request.method} ${request.url}`).toBe(401);
        expect(response.json<{ error: string }>().error).toBe('UNAUTHORIZED');
      }
    }
  });

  it('answers a valid token whose groups map to no role with 403 naming them', async () => {
    const response = await get(await issuer.sign({ sub: 'bob', groups: ['marketing', 'everyone'] }));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: 'FORBIDDEN' });
    expect(response.json<{ message: string }>().message).toContain('marketing, everyone');
    const noGroups = await get(await issuer.sign({ sub: 'carol' }));
    expect(noGroups.statusCode).toBe(403);
    expect(noGroups.json<{ message: string }>().message).toContain('no groups claim');
  });

  it('fetches the keys again when the issuer rotates them, and refuses tokens of the retired key', async () => {
    const old = await issuer.sign({ sub: 'alice', groups: ['team-web'] });
    const before = issuer.jwksFetches();
    await issuer.rotate();
    const fresh = await issuer.sign({ sub: 'alice', groups: ['team-web'] });
    expect((await get(fresh)).statusCode).toBe(200);
    expect(issuer.jwksFetches()).toBe(before + 1);
    expect((await get(old)).statusCode).toBe(401);
  });

  it('keeps the shared token (admin) and takes static tokens by their hash; anything else is 401', async () => {
    expect((await get('shared-admin-token', '/v1/nodes')).statusCode).toBe(200);
    expect((await get(MACHINE_TOKEN)).statusCode).toBe(200);
    expect((await get(`${MACHINE_TOKEN}x`)).statusCode).toBe(401);
    expect((await api.inject({ method: 'GET', url: '/v1/prices' })).statusCode).toBe(401);
    expect((await api.inject({ method: 'GET', url: '/v1/prices', headers: { authorization: `Basic ${Buffer.from(`x:${MACHINE_TOKEN}`).toString('base64')}` } })).statusCode).toBe(401);
  });
});

describe('OIDC tokens against a JWKS file', () => {
  it('verifies with the keys of the file, without asking the issuer for anything', async () => {
    const issuer = await startTestIssuer(AUDIENCE);
    const access = parseAccessConfig(accessYaml(issuer.issuer, '  jwksFile: /not/read/by/the/test.json'), 'test');
    const api = await buildApi(loaded.db.pool, NOW, { access, verifier: createTokenVerifier(access.oidc!, { keys: issuer.keys.map((k) => k.publicJwk) }) });
    try {
      const token = await issuer.sign({ sub: 'alice', groups: ['team-web'] });
      expect((await api.inject({ method: 'GET', url: '/v1/prices', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
      const other = await issuer.sign({ sub: 'alice', groups: ['team-web'] }, { key: await newIssuerKey('other') });
      expect((await api.inject({ method: 'GET', url: '/v1/prices', headers: { authorization: `Bearer ${other}` } })).statusCode).toBe(401);
      expect(issuer.jwksFetches()).toBe(0);
    } finally {
      await api.close();
      await issuer.close();
    }
  });
});

describe('an unreachable issuer', () => {
  it('answers 503, not 401: the caller did nothing wrong', async () => {
    const issuer = await startTestIssuer(AUDIENCE);
    const token = await issuer.sign({ sub: 'alice', groups: ['team-web'] });
    await issuer.close();
    const access = parseAccessConfig(accessYaml(issuer.issuer), 'test');
    const api = await buildApi(loaded.db.pool, NOW, { access, verifier: createTokenVerifier(access.oidc!) });
    try {
      const response = await api.inject({ method: 'GET', url: '/v1/prices', headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(503);
      expect(response.json<{ message: string }>().message).toContain('openid-configuration');
    } finally {
      await api.close();
    }
  });
});

/** An `alg: none` JWT: what a forger sends hoping the verifier skips the signature. */
function unsigned(claims: object): string {
  const part = (value: object) => base64url.encode(JSON.stringify(value));
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
