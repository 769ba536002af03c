import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../services/api/app.js';
import { waitFor } from '../support/kafka.js';
import { createTestPki, servedFingerprint, type TestPki } from '../support/test-certificates.js';
import { buildApi, useLoadedApi } from './api-harness.js';
import { NOW } from './cost-records.js';

// The API over HTTPS (--tls-cert-file, --tls-key-file), its certificate
// renewed on disk and served without a restart.

const loaded = useLoadedApi();

describe('the API over TLS', () => {
  let pki: TestPki;
  let api: ApiApp;
  let port: number;
  beforeAll(async () => {
    pki = await createTestPki();
    const { certFile, keyFile } = await pki.issue('api');
    api = await buildApi(loaded.db.pool, NOW, { token: 'api-token', tls: { certFile, keyFile } });
    await api.listen({ port: 0, host: '127.0.0.1' });
    port = (api.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await api?.close();
    pki?.remove();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers, ca: readFileSync(pki.caFile) }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.once('error', reject);
      req.end();
    });

  it('answers over HTTPS with a certificate the CA vouches for, and still asks for the token', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/v1/prices')).status).toBe(401);
    expect((await get('/v1/prices', { authorization: 'Bearer api-token' })).status).toBe(200);
  });

  it('serves the renewed certificate once the files change', async () => {
    const renewed = await pki.issue('api');
    await waitFor(async () => (await servedFingerprint(port)) === renewed.fingerprint256, 30_000, 'the API to serve the renewed certificate');
    expect((await get('/v1/prices', { authorization: 'Bearer api-token' })).status).toBe(200);
  });
});
