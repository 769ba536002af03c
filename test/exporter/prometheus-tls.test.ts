import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../services/exporter/metrics-server.js';
import { servingSecurityOf, type Listening } from '../../services/lifecycle/http-listener.js';
import { startHealthServer } from '../../services/lifecycle/health-server.js';
import { scrapeAuthorizer } from '../../services/lifecycle/scrape-auth.js';
import { silentLogger } from '../../services/log/logger.js';
import { waitFor } from '../support/kafka.js';
import { createTestPki, servedFingerprint, type TestPki } from '../support/test-certificates.js';
import { hasPrometheus, startPrometheus, type PrometheusServer } from './prometheus-server.js';

// The real Prometheus (Debian's package) scrapes the exporter's port and a
// role's health port over TLS: with the bearer token (`authorization`) and
// with basic auth (`basic_auth`) it gets the series, without them or with a
// wrong password 401. A renewed certificate is served without a restart.

const TOKEN = 'scrape-token-0123456789';
const USER = 'prometheus';
const PASSWORD = 'basic-pass:with-colon';

interface Target {
  labels: { job: string };
  health: string;
  lastError: string;
  lastScrape: string;
}

describe.skipIf(!hasPrometheus())('Prometheus scraping over TLS with auth', () => {
  let pki: TestPki;
  let exporter: Listening;
  let health: Listening;
  let prometheus: PrometheusServer;
  let certFile: string;
  let keyFile: string;

  beforeAll(async () => {
    pki = await createTestPki();
    ({ certFile, keyFile } = await pki.issue('server'));
    const tokenFile = join(pki.dir, 'token');
    const basicFile = join(pki.dir, 'basic');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    writeFileSync(basicFile, `${USER}:${PASSWORD}\n`);
    const registry = new Registry();
    new Counter({ name: 'kcost_test_role_events_total', help: 'A role metric.', registers: [registry] }).inc(3);
    exporter = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      renderSeries: () => [Buffer.from('# TYPE kube_cost_test_series gauge\nkube_cost_test_series{namespace="web"} 1.5\n')],
      registry: new Registry(),
      isReady: () => true,
      security: { tls: { certFile, keyFile }, authorize: scrapeAuthorizer({ bearerToken: TOKEN }), logger: silentLogger() },
    });
    health = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      isReady: () => true,
      registry,
      security: servingSecurityOf({ tlsCertFile: certFile, tlsKeyFile: keyFile, metricsTokenFile: tokenFile, metricsBasicAuthFile: basicFile }, silentLogger()),
    });
    const tls = { scheme: 'https', tls_config: { ca_file: pki.caFile } };
    const wrongFile = join(pki.dir, 'wrong');
    writeFileSync(wrongFile, 'not-the-password');
    prometheus = await startPrometheus({
      targets: [],
      ruleFiles: [],
      jobName: 'unused',
      scrapeIntervalSeconds: 1,
      extraScrapeConfigs: [
        { job_name: 'exporter-bearer', ...tls, authorization: { type: 'Bearer', credentials_file: tokenFile }, static_configs: [{ targets: [`127.0.0.1:${exporter.port}`] }] },
        { job_name: 'exporter-anonymous', ...tls, static_configs: [{ targets: [`127.0.0.1:${exporter.port}`] }] },
        { job_name: 'health-basic', ...tls, basic_auth: { username: USER, password: PASSWORD }, static_configs: [{ targets: [`127.0.0.1:${health.port}`] }] },
        { job_name: 'health-bearer', ...tls, authorization: { type: 'Bearer', credentials_file: tokenFile }, static_configs: [{ targets: [`127.0.0.1:${health.port}`] }] },
        { job_name: 'health-wrong-password', ...tls, basic_auth: { username: USER, password_file: wrongFile }, static_configs: [{ targets: [`127.0.0.1:${health.port}`] }] },
      ],
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
    await health?.close();
    pki?.remove();
  });

  const targets = async (): Promise<Map<string, Target>> => {
    const body = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as { data: { activeTargets: Target[] } };
    return new Map(body.data.activeTargets.map((t) => [t.labels.job, t]));
  };
  const scraped = (t: Target | undefined) => t !== undefined && t.lastScrape !== '0001-01-01T00:00:00Z' && t.health !== 'unknown';

  it('gets the series with the token or basic auth, and 401 without them or with a wrong password', async () => {
    await waitFor(async () => [...(await targets()).values()].every(scraped) && (await targets()).size === 5, 60_000, 'every target scraped once');
    const byJob = await targets();
    expect(byJob.get('exporter-bearer')?.health).toBe('up');
    expect(byJob.get('health-basic')?.health).toBe('up');
    expect(byJob.get('health-bearer')?.health).toBe('up');
    for (const job of ['exporter-anonymous', 'health-wrong-password']) {
      expect(byJob.get(job)?.health, job).toBe('down');
      expect(byJob.get(job)?.lastError, job).toContain('401');
    }
    const series = (await prometheus.rawSamples('kube_cost_test_series{job="exporter-bearer"}', 60, Date.now() / 1000)).map((s) => s.values.at(-1)?.[1]);
    expect(series).toEqual([1.5]);
    const own = await prometheus.rawSamples('kcost_test_role_events_total{job="health-basic"}', 60, Date.now() / 1000);
    expect(own.map((s) => s.values.at(-1)?.[1])).toEqual([3]);
  });

  it('serves a renewed certificate without a restart, and Prometheus keeps scraping', async () => {
    const before = await servedFingerprint(exporter.port);
    const renewed = await pki.issue('server');
    expect(renewed.fingerprint256).not.toBe(before);
    await waitFor(async () => (await servedFingerprint(exporter.port)) === renewed.fingerprint256, 30_000, 'the exporter to serve the renewed certificate');
    await waitFor(async () => (await servedFingerprint(health.port)) === renewed.fingerprint256, 30_000, 'the health server to serve the renewed certificate');
    const renewedAt = Date.now();
    await waitFor(
      async () => {
        const t = (await targets()).get('exporter-bearer');
        return t !== undefined && Date.parse(t.lastScrape) > renewedAt;
      },
      30_000,
      'a scrape after the renewal',
    );
    expect((await targets()).get('exporter-bearer')?.health).toBe('up');
  });
});
