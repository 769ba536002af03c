import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startHealthServer } from '../../services/lifecycle/health-server.js';

describe('health server', () => {
  it('answers /healthz always, /readyz once ready, and /metrics from the registry', async () => {
    const registry = new Registry();
    new Counter({ name: 'kcost_test_total', help: 'test counter', registers: [registry] }).inc(3);
    let ready = false;
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', isReady: () => ready, registry });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      ready = true;
      const readyz = await fetch(`${base}/readyz`);
      expect([readyz.status, await readyz.json()]).toEqual([200, { status: 'ready' }]);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('kcost_test_total 3');
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
