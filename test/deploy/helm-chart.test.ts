import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { WATCHED_RESOURCES } from '../../services/collector/kube/kube-collector.js';
import { aggregateOf } from '../../services/kubectl/allocation-command.js';
import { renderChart, type RenderedManifest } from './helm-chart.js';
import { validateManifest } from './k8s-schemas.js';
import { promtool } from './promtool.js';
import { REPO } from './repo.js';
import { checkInvocation, findRole, listeningPorts } from './role-settings.js';

const CHART = join(REPO, 'deploy/helm/kcost');
const BASE = { database: { url: 'postgres://kcost:secret@db.example:5432/kcost' } };

interface Container {
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  ports?: Array<{ name: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  serviceAccountName?: string;
  containers: Container[];
  volumes?: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string } }>;
}
/** The parts of the rendered manifests these tests read (the schemas check the rest). */
interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    selector: Record<string, string> & { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    ports: Array<{ name: string; targetPort: string }>;
    endpoints: Array<{ port: string }>;
    jobLabel: string;
    groups: Array<{ name: string; rules: unknown[] }>;
  };
  data: Record<string, string>;
  rules: Array<{ verbs: string[]; apiGroups?: string[]; resources?: string[] }>;
  roleRef: unknown;
  subjects: Array<{ name: string }>;
}

const objects = (manifests: RenderedManifest[]) => manifests.map((m) => m.object as unknown as Manifest);
const byKind = (manifests: RenderedManifest[], kind: string) => objects(manifests).filter((o) => o.kind === kind);
const named = (manifests: RenderedManifest[], kind: string, name: string) => {
  const found = byKind(manifests, kind).find((o) => o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
};
const podSpec = (workload: Manifest) => workload.spec.template.spec;

/** The container's environment as the process would see it; secrets become values of the right shape. */
function environment(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of container.env ?? []) {
    if (item.value !== undefined) env[item.name] = item.value;
    else if (item.valueFrom?.secretKeyRef) env[item.name] = item.name.includes('DATABASE_URL') ? 'postgres://kcost:secret@db:5432/kcost' : 'secret-from-a-secret';
    else throw new Error(`${container.name}: env ${item.name} has neither value nor secretKeyRef`);
  }
  return env;
}

const defaults = renderChart(CHART, BASE);
const workloads = [...byKind(defaults, 'Deployment'), ...byKind(defaults, 'Job')];
const containers = workloads.flatMap((w) => podSpec(w).containers.map((c) => ({ workload: `${w.kind} ${w.metadata.name}`, spec: podSpec(w), container: c })));

describe('Helm chart: rendered with default values', () => {
  it('renders every role, its ServiceAccount, RBAC, monitoring and dashboards', () => {
    const names = objects(defaults).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    for (const role of ['collect-kube', 'collect-usage', 'collect-prices', 'process', 'recommend', 'savings', 'forecast', 'sink', 'export', 'api']) {
      expect(names).toContain(`Deployment/kcost-${role}`);
      expect(names).toContain(`ServiceAccount/kcost-${role}`);
    }
    for (const expected of ['Job/kcost-migrate', 'Job/kcost-topics', 'ClusterRole/kcost-collector', 'ClusterRoleBinding/kcost-collector', 'Service/kcost-export', 'Service/kcost-api', 'ServiceMonitor/kcost-export', 'PrometheusRule/kcost', 'Secret/kcost-database']) {
      expect(names).toContain(expected);
    }
    expect(byKind(defaults, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1')).toHaveLength(6);
  });

  it.each(defaults.map((m) => ({ id: `${m.template}: ${String(m.object.kind)} ${String((m.object.metadata as Manifest['metadata'] | undefined)?.name)}`, object: m.object })))(
    '$id is valid against the Kubernetes schema',
    ({ object }) => {
      expect(() => validateManifest(object)).not.toThrow();
    },
  );

  it('rejects a manifest that breaks the schema, so the check above can fail', () => {
    const deployment = structuredClone(named(defaults, 'Deployment', 'kcost-process'));
    (deployment.spec.template.spec.containers[0]?.ports?.[0] as unknown as Record<string, unknown>).containerPort = 'health';
    expect(() => validateManifest(deployment as unknown as Record<string, unknown>)).toThrow(/containerPort/);
  });

  it.each(containers.map((c) => ({ ...c, role: findRole(c.container.args ?? []) })))(
    '$workload runs a kcost role whose settings accept its flags and environment',
    ({ container, role }) => {
      if (!role.role.run) {
        // A role whose code has not landed has no settings to check yet; its name is still checked above.
        expect(role.role.settings).toEqual({});
        return;
      }
      const invocation = checkInvocation(container.args ?? [], environment(container));
      const ports = listeningPorts(invocation);
      for (const port of container.ports ?? []) expect(ports, `${container.name} port ${port.name}`).toContain(port.containerPort);
      if (container.ports) expect(container.ports.length).toBeGreaterThan(0);
    },
  );

  it.each(byKind(defaults, 'Deployment').map((d) => ({ name: d.metadata.name, deployment: d })))(
    '$name probes /healthz and /readyz on a port it listens on, with requests and limits',
    ({ deployment }) => {
      const [container] = podSpec(deployment).containers;
      if (!container) throw new Error('no container');
      const portOf = (ref: string | number | undefined) => (typeof ref === 'number' ? ref : container.ports?.find((p) => p.name === ref)?.containerPort);
      expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(portOf(container.livenessProbe?.httpGet?.port)).toBeDefined();
      expect(portOf(container.readinessProbe?.httpGet?.port)).toBeDefined();
      expect(container.resources?.requests?.cpu).toBeTruthy();
      expect(container.resources?.requests?.memory).toBeTruthy();
      expect(container.resources?.limits?.memory).toBeTruthy();
      const role = findRole(container.args ?? []);
      if (role.role.run) {
        const ports = listeningPorts(checkInvocation(container.args ?? [], environment(container)));
        expect(ports).toContain(portOf(container.readinessProbe?.httpGet?.port));
      }
    },
  );

  it('gives every pod a ServiceAccount of its own that the chart renders', () => {
    const accounts = new Set(byKind(defaults, 'ServiceAccount').map((a) => a.metadata.name));
    const used = workloads.map((w) => podSpec(w).serviceAccountName);
    for (const account of used) expect(accounts).toContain(account);
    expect(new Set(used).size).toBe(used.length);
  });

  it('grants the collectors exactly the read-only rules of deploy/rbac/clusterrole.yaml, and nobody else', () => {
    const reference = parseAllDocuments(readFileSync(join(REPO, 'deploy/rbac/clusterrole.yaml'), 'utf8'))
      .map((d) => d.toJS() as Manifest)
      .find((o) => o.kind === 'ClusterRole');
    const role = named(defaults, 'ClusterRole', 'kcost-collector');
    expect(role.rules).toEqual(reference?.rules);
    for (const rule of role.rules) expect(rule.verbs.every((v) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    const binding = named(defaults, 'ClusterRoleBinding', 'kcost-collector');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kcost-collector' });
    expect(binding.subjects.map((s) => s.name).sort()).toEqual(['kcost-collect-kube', 'kcost-collect-usage']);
  });

  it('lets the kube collector list and watch every resource it watches, autoscalers, workloads and disruption budgets included', () => {
    const role = named(defaults, 'ClusterRole', 'kcost-collector');
    const grants = (group: string, resource: string, verb: string): boolean =>
      role.rules.some((rule) => (rule.apiGroups ?? []).includes(group) && (rule.resources ?? []).includes(resource) && rule.verbs.includes(verb));
    const missing = WATCHED_RESOURCES.flatMap(({ group, resource }) => ['list', 'watch'].filter((verb) => !grants(group, resource, verb)).map((verb) => `${verb} ${group}/${resource}`));
    expect(missing).toEqual([]);
    expect(WATCHED_RESOURCES).toContainEqual({ group: 'autoscaling', resource: 'horizontalpodautoscalers' });
    expect(WATCHED_RESOURCES).toContainEqual({ group: 'policy', resource: 'poddisruptionbudgets' });
    const budgetRules = role.rules.filter((rule) => (rule.resources ?? []).includes('poddisruptionbudgets'));
    expect(budgetRules.map((rule) => [rule.apiGroups, rule.verbs])).toEqual([[['policy'], ['get', 'list', 'watch']]]);
  });

  it('points Services and the ServiceMonitor at ports the pods name', () => {
    for (const service of byKind(defaults, 'Service')) {
      const pods = byKind(defaults, 'Deployment').filter((d) => Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      expect(pods, service.metadata.name).toHaveLength(1);
      for (const port of service.spec.ports) {
        expect(podSpec(pods[0] as Manifest).containers[0]?.ports?.map((p) => p.name)).toContain(port.targetPort);
      }
    }
    const monitor = named(defaults, 'ServiceMonitor', 'kcost-export');
    const service = named(defaults, 'Service', 'kcost-export');
    expect(Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => service.metadata.labels?.[k] === v)).toBe(true);
    expect(service.spec.ports.map((p) => p.name)).toContain(monitor.spec.endpoints[0]?.port);
    // The alert rules find the exporter by this job label.
    expect(service.metadata.labels?.[monitor.spec.jobLabel]).toBe('kcost-exporter');
  });

  it('ships the dashboards and alert rules of deploy/ unchanged', () => {
    const dashboards = byKind(defaults, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    const shipped = Object.fromEntries(dashboards.flatMap((c) => Object.entries(c.data)));
    const sources = readdirSync(join(REPO, 'deploy/grafana/dashboards')).filter((f) => f.endsWith('.json'));
    expect(Object.keys(shipped).sort()).toEqual(sources.sort());
    for (const file of sources) expect(JSON.parse(shipped[file] ?? '')).toEqual(JSON.parse(readFileSync(join(REPO, 'deploy/grafana/dashboards', file), 'utf8')));
    const rules = parse(readFileSync(join(REPO, 'deploy/prometheus/rules/kcost.rules.yml'), 'utf8')) as unknown;
    expect(named(defaults, 'PrometheusRule', 'kcost').spec).toEqual(rules);
  });

  it('refuses to render without a database URL or Secret', () => {
    expect(() => renderChart(CHART)).toThrow(/database.url, database.existingSecret or database.host is required/);
    const withSecret = renderChart(CHART, { database: { existingSecret: 'kcost-db' } });
    expect(byKind(withSecret, 'Secret')).toHaveLength(0);
    const sink = podSpec(named(withSecret, 'Deployment', 'kcost-sink')).containers[0];
    expect(sink?.env?.find((e) => e.name === 'KCOST_DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'kcost-db', key: 'database-url' });
  });
});

describe('Helm chart: cloud credentials, price book and budgets', () => {
  const pricesContainer = (manifests: RenderedManifest[]) => podSpec(named(manifests, 'Deployment', 'kcost-collect-prices')).containers[0] as Container;

  it('annotates the price collector for IRSA on AWS', () => {
    const manifests = renderChart(CHART, { ...BASE, cloud: { provider: 'aws', aws: { roleArn: 'arn:aws:iam::123456789012:role/kcost-prices', regions: ['eu-west-1', 'us-east-1'] } } });
    expect(named(manifests, 'ServiceAccount', 'kcost-collect-prices').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/kcost-prices' });
    const invocation = checkInvocation(pricesContainer(manifests).args ?? [], environment(pricesContainer(manifests)));
    expect(invocation.config.sources).toEqual(['aws-pricing', 'aws-spot']);
    expect(invocation.config.awsRegions).toEqual(['eu-west-1', 'us-east-1']);
    for (const account of byKind(manifests, 'ServiceAccount').filter((a) => a.metadata.name !== 'kcost-collect-prices')) expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBeUndefined();
  });

  it('annotates the price collector for Workload Identity on GKE and prices GCP with an API key from a Secret', () => {
    const manifests = renderChart(CHART, { ...BASE, cloud: { provider: 'gcp', gcp: { serviceAccount: 'kcost@proj.iam.gserviceaccount.com', apiKeySecret: 'gcp-billing-key' } } });
    expect(named(manifests, 'ServiceAccount', 'kcost-collect-prices').metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'kcost@proj.iam.gserviceaccount.com' });
    const container = pricesContainer(manifests);
    const invocation = checkInvocation(container.args ?? [], environment(container));
    expect(invocation.config.sources).toEqual(['gcp-catalog']);
    expect(invocation.config.gcpRegions).toEqual(['us-central1']);
    expect(invocation.config.gcpApiKey).toBe('secret-from-a-secret');
    for (const manifest of manifests) expect(() => validateManifest(manifest.object)).not.toThrow();
  });

  it('mounts the price book from a ConfigMap and passes its path', () => {
    const book = 'instanceTypes:\n  - name: bare-metal-64\n    hourlyUsd: 1.2\n';
    const manifests = renderChart(CHART, { ...BASE, cloud: { provider: 'none' }, priceBook: { enabled: true, content: book } });
    const map = named(manifests, 'ConfigMap', 'kcost-price-book');
    expect(map.data['price-book.yaml']).toBe(book.trimEnd());
    const container = pricesContainer(manifests);
    const invocation = checkInvocation(container.args ?? [], environment(container));
    expect(invocation.config.sources).toEqual(['pricebook']);
    const mount = container.volumeMounts?.find((m) => m.name === 'price-book');
    expect(`${mount?.mountPath}/price-book.yaml`).toBe(invocation.config.priceBook);
    expect(podSpec(named(manifests, 'Deployment', 'kcost-collect-prices')).volumes).toEqual([{ name: 'price-book', configMap: { name: 'kcost-price-book' } }]);
    for (const manifest of manifests) expect(() => validateManifest(manifest.object)).not.toThrow();
  });

  it('protects /metrics and the API with bearer tokens from Secrets, and lets Prometheus present it', () => {
    const manifests = renderChart(CHART, { ...BASE, exporter: { tokenSecret: 'kcost-metrics-token' }, api: { tokenSecret: 'kcost-api-token' } });
    for (const [deployment, secret] of [['kcost-export', 'kcost-metrics-token'], ['kcost-api', 'kcost-api-token']] as const) {
      const container = podSpec(named(manifests, 'Deployment', deployment)).containers[0] as Container;
      expect(container.env?.find((e) => e.name === 'KCOST_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: secret, key: 'token' });
      expect(checkInvocation(container.args ?? [], environment(container)).config.token).toBe('secret-from-a-secret');
    }
    const monitor = named(manifests, 'ServiceMonitor', 'kcost-export') as unknown as { spec: { endpoints: Array<{ authorization?: unknown }> } };
    expect(monitor.spec.endpoints[0]?.authorization).toEqual({ type: 'Bearer', credentials: { name: 'kcost-metrics-token', key: 'token' } });
    for (const manifest of manifests) expect(() => validateManifest(manifest.object)).not.toThrow();
  });

  it('serves HTTPS on every port from a cert-manager Certificate, requires the metrics token everywhere, and has the monitors verify and present them', () => {
    const values = {
      ...BASE,
      tls: { enabled: true, certManager: { issuerRef: { name: 'ca-issuer', kind: 'ClusterIssuer' } } },
      metricsAuth: { tokenSecret: 'kcost-metrics' },
      api: { accessConfigSecret: 'kcost-access' },
      billing: { enabled: true, collect: { source: 's3://acme-billing/exports' } },
    };
    const manifests = renderChart(CHART, values, { name: 'kcost', namespace: 'kcost' }, ['monitoring.coreos.com/v1', 'cert-manager.io/v1']);
    const certificate = named(manifests, 'Certificate', 'kcost') as unknown as { spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string; kind: string } } };
    expect(certificate.spec.secretName).toBe('kcost-tls');
    expect(certificate.spec.issuerRef).toMatchObject({ name: 'ca-issuer', kind: 'ClusterIssuer' });
    const serving = byKind(manifests, 'Deployment');
    expect(serving.map((d) => d.metadata.name)).toEqual(expect.arrayContaining(['kcost-collect-bill', 'kcost-reconcile']));
    for (const deployment of serving) {
      const spec = podSpec(deployment);
      const container = spec.containers[0] as Container & { readinessProbe: { httpGet: { scheme?: string } }; livenessProbe: { httpGet: { scheme?: string } } };
      const config = checkInvocation(container.args ?? [], environment(container)).config;
      expect(config.tlsCertFile, deployment.metadata.name).toBe('/etc/kcost/tls/tls.crt');
      expect(config.tlsKeyFile, deployment.metadata.name).toBe('/etc/kcost/tls/tls.key');
      expect(container.readinessProbe.httpGet.scheme, deployment.metadata.name).toBe('HTTPS');
      expect(container.livenessProbe.httpGet.scheme, deployment.metadata.name).toBe('HTTPS');
      const mounted = (path: string) => {
        const mount = container.volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
        return spec.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName;
      };
      expect(mounted(String(config.tlsCertFile)), deployment.metadata.name).toBe(certificate.spec.secretName);
      if (deployment.metadata.name === 'kcost-api') {
        expect(mounted(String(config.accessConfig))).toBe('kcost-access');
      } else {
        expect(mounted(String(config.metricsTokenFile)), deployment.metadata.name).toBe('kcost-metrics');
      }
    }
    const endpoints = [
      ...(named(manifests, 'ServiceMonitor', 'kcost-export').spec.endpoints as unknown[]),
      ...(named(manifests, 'ServiceMonitor', 'kcost-api').spec.endpoints as unknown[]),
      ...((named(manifests, 'PodMonitor', 'kcost-pipeline').spec as unknown as { podMetricsEndpoints: unknown[] }).podMetricsEndpoints),
    ] as Array<{ scheme: string; tlsConfig: { ca: { secret: { name: string; key: string } }; serverName: string }; authorization?: unknown }>;
    for (const endpoint of endpoints) {
      expect(endpoint.scheme).toBe('https');
      expect(endpoint.tlsConfig.ca.secret).toEqual({ name: 'kcost-tls', key: 'ca.crt' });
      expect(certificate.spec.dnsNames).toContain(endpoint.tlsConfig.serverName);
    }
    expect(endpoints.filter((e) => e.authorization !== undefined)).toHaveLength(2);
    for (const manifest of manifests.filter((m) => m.object.kind !== 'Certificate')) expect(() => validateManifest(manifest.object)).not.toThrow();
    // Without cert-manager, or with a Secret of one's own, no Certificate.
    expect(byKind(renderChart(CHART, values), 'Certificate')).toEqual([]);
    expect(byKind(renderChart(CHART, { ...values, tls: { enabled: true, secretName: 'own-tls' } }, { name: 'kcost', namespace: 'kcost' }, ['cert-manager.io/v1']), 'Certificate')).toEqual([]);
  });

  it('connects every Kafka role over TLS with SASL: the CA and each role\'s own password mounted from Secrets, passed as the roles\' settings', () => {
    const values = {
      ...BASE,
      simulator: { enabled: true },
      billing: { enabled: true, collect: { source: 's3://acme-billing/exports' } },
      kafka: {
        brokers: 'kafka-0.kafka:9093',
        tls: { enabled: true, caSecret: 'kafka-ca' },
        sasl: { mechanism: 'scram-sha-512', username: 'kcost', passwordSecret: 'kafka-kcost', users: { sink: { username: 'kcost-sink', passwordSecret: 'kafka-sink' } } },
      },
    };
    const manifests = renderChart(CHART, values);
    const kafkaRoles = [...byKind(manifests, 'Deployment'), ...byKind(manifests, 'Job')].filter((w) => environment(podSpec(w).containers[0] as Container).KCOST_BROKERS !== undefined);
    expect(kafkaRoles.map((w) => w.metadata.name).sort()).toEqual(
      ['kcost-collect-bill', 'kcost-collect-kube', 'kcost-collect-prices', 'kcost-collect-usage', 'kcost-export', 'kcost-forecast', 'kcost-process', 'kcost-recommend', 'kcost-savings', 'kcost-simulate', 'kcost-sink', 'kcost-topics'].sort(),
    );
    for (const workload of kafkaRoles) {
      const spec = podSpec(workload);
      const container = spec.containers[0] as Container;
      const config = checkInvocation(container.args ?? [], environment(container)).config;
      const name = workload.metadata.name;
      const mounted = (path: string) => {
        const mount = container.volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
        return spec.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName;
      };
      expect(config, name).toMatchObject({ kafkaTls: true, kafkaSaslMechanism: 'scram-sha-512', kafkaUsername: name === 'kcost-sink' ? 'kcost-sink' : 'kcost' });
      expect(mounted(String(config.kafkaCaFile)), name).toBe('kafka-ca');
      expect(mounted(String(config.kafkaPasswordFile)), name).toBe(name === 'kcost-sink' ? 'kafka-sink' : 'kafka-kcost');
      expect(String(config.kafkaPasswordFile).endsWith('/password'), name).toBe(true);
      expect(JSON.stringify(container.env), name).not.toContain('PASSWORD"');
    }
    for (const manifest of manifests) expect(() => validateManifest(manifest.object)).not.toThrow();
    // Defaults: plaintext, no Kafka volumes; SASL without a password Secret does not render.
    for (const workload of byKind(defaults, 'Deployment')) {
      expect(podSpec(workload).volumes?.some((v) => v.name.startsWith('kafka-')) ?? false, workload.metadata.name).toBe(false);
    }
    expect(() => renderChart(CHART, { ...BASE, kafka: { sasl: { mechanism: 'scram-sha-512', username: 'kcost' } } })).toThrow(/kafka.sasl.passwordSecret/);
    // OAUTHBEARER: the pod's ServiceAccount token for the brokers' audience, projected and renewed by the kubelet.
    const oauth = renderChart(CHART, { ...BASE, kafka: { tls: { enabled: true }, sasl: { mechanism: 'oauthbearer', oauthbearer: { audience: 'kafka.example.com' } } } });
    const sink = named(oauth, 'Deployment', 'kcost-sink');
    const container = podSpec(sink).containers[0] as Container;
    const config = checkInvocation(container.args ?? [], environment(container)).config;
    expect(config).toMatchObject({ kafkaTls: true, kafkaSaslMechanism: 'oauthbearer', kafkaUsername: '' });
    const mount = container.volumeMounts?.find((m) => String(config.kafkaOauthTokenFile).startsWith(`${m.mountPath}/`));
    const volume = podSpec(sink).volumes?.find((v) => v.name === mount?.name) as unknown as { projected: { sources: Array<{ serviceAccountToken: { path: string; audience: string } }> } };
    expect(volume.projected.sources[0]?.serviceAccountToken).toMatchObject({ audience: 'kafka.example.com', path: String(config.kafkaOauthTokenFile).split('/').pop() });
    for (const manifest of oauth) expect(() => validateManifest(manifest.object)).not.toThrow();
  });

  it('runs the simulator in real time when it is switched on for a demo', () => {
    const manifests = renderChart(CHART, { ...BASE, simulator: { enabled: true }, collectors: { kube: { enabled: false }, usage: { enabled: false }, prices: { enabled: false } } });
    expect(byKind(manifests, 'ClusterRole')).toHaveLength(0);
    const container = podSpec(named(manifests, 'Deployment', 'kcost-simulate')).containers[0] as Container;
    const invocation = checkInvocation(container.args ?? [], environment(container));
    expect(invocation.name).toBe('simulate');
    expect(invocation.config.speed).toBe(1);
    expect(listeningPorts(invocation)).toContain(container.ports?.[0]?.containerPort);
    for (const manifest of manifests) expect(() => validateManifest(manifest.object)).not.toThrow();
  });

  it('turns budgets into the series the budget alerts compare against', () => {
    const manifests = renderChart(CHART, { ...BASE, budgets: [{ cluster: 'prod-eu', namespace: 'shop', monthlyUsd: 1500 }] });
    const rule = named(manifests, 'PrometheusRule', 'kcost');
    expect(() => validateManifest(rule as unknown as Record<string, unknown>)).not.toThrow();
    const budgets = rule.spec.groups.find((g) => g.name === 'kcost.budgets');
    expect(budgets?.rules).toEqual([{ record: 'kube_cost_namespace_budget_usd', expr: 'vector(1500)', labels: { cluster: 'prod-eu', namespace: 'shop' } }]);
  });

  it.skipIf(!promtool())('renders rules that promtool accepts, budgets included', () => {
    const manifests = renderChart(CHART, { ...BASE, budgets: [{ cluster: 'prod-eu', namespace: 'shop', monthlyUsd: 1500 }] });
    const dir = mkdtempSync(join(tmpdir(), 'kcost-rules-'));
    try {
      const file = join(dir, 'rendered.rules.yml');
      writeFileSync(file, JSON.stringify(named(manifests, 'PrometheusRule', 'kcost').spec));
      expect(execFileSync(promtool() as string, ['check', 'rules', file], { encoding: 'utf8' })).toMatch(/SUCCESS: 19 rules found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Helm chart: Prometheus Operator, clusters without it, and what an operator expects of a chart', () => {
  const labelsMatch = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  const validAll = (manifests: RenderedManifest[]) => {
    for (const manifest of manifests) expect(() => validateManifest(manifest.object), `${manifest.template}`).not.toThrow();
  };

  it('keeps the exported namespace and pod labels of the exporter series (honorLabels)', () => {
    const monitor = named(defaults, 'ServiceMonitor', 'kcost-export') as unknown as { spec: { endpoints: Array<{ honorLabels?: boolean }> } };
    expect(monitor.spec.endpoints[0]?.honorLabels).toBe(true);
  });

  it('renders no ServiceMonitor, PodMonitor or PrometheusRule where the monitoring.coreos.com/v1 CRDs are absent', () => {
    const kinds = objects(renderChart(CHART, BASE, undefined, [])).map((o) => o.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PodMonitor');
    expect(kinds).not.toContain('PrometheusRule');
    expect(kinds).toContain('Deployment');
  });

  it("scrapes the API through its Service and the processor, sink and collectors on their pods' health port", () => {
    const api = named(defaults, 'ServiceMonitor', 'kcost-api');
    const service = named(defaults, 'Service', 'kcost-api');
    expect(labelsMatch(api.spec.selector.matchLabels, service.metadata.labels ?? {})).toBe(true);
    expect(service.spec.ports.map((p) => p.name)).toContain(api.spec.endpoints[0]?.port);
    const pods = named(defaults, 'PodMonitor', 'kcost-pipeline') as unknown as {
      spec: { selector: { matchLabels: Record<string, string>; matchExpressions: Array<{ values: string[] }> }; podMetricsEndpoints: Array<{ port: string; path: string }> };
    };
    const scraped = byKind(defaults, 'Deployment').filter((d) => {
      const labels = d.spec.template.metadata.labels;
      return labelsMatch(pods.spec.selector.matchLabels, labels) && pods.spec.selector.matchExpressions[0]?.values.includes(labels['app.kubernetes.io/component'] ?? '');
    });
    expect(scraped.map((d) => d.metadata.name).sort()).toEqual(['kcost-collect-kube', 'kcost-collect-prices', 'kcost-collect-usage', 'kcost-forecast', 'kcost-process', 'kcost-recommend', 'kcost-savings', 'kcost-sink']);
    for (const deployment of scraped) {
      const container = podSpec(deployment).containers[0] as Container;
      expect(container.ports?.map((p) => p.name)).toContain(pods.spec.podMetricsEndpoints[0]?.port);
    }
    expect(pods.spec.podMetricsEndpoints[0]?.path).toBe('/metrics');
  });

  it('keeps one pod of each serving role through a drain', () => {
    const budgets = byKind(defaults, 'PodDisruptionBudget') as unknown as Array<{ metadata: { name: string }; spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } }>;
    expect(budgets.map((b) => b.metadata.name).sort()).toEqual(['kcost-api', 'kcost-export', 'kcost-process', 'kcost-recommend', 'kcost-sink']);
    for (const budget of budgets) {
      const selected = byKind(defaults, 'Deployment').filter((d) => labelsMatch(budget.spec.selector.matchLabels, d.spec.template.metadata.labels));
      expect(selected.map((d) => d.metadata.name)).toEqual([budget.metadata.name]);
      expect(budget.spec.maxUnavailable).toBe(1);
    }
  });

  it('composes the database URL from its parts and reads only the password from a Secret', () => {
    const manifests = renderChart(CHART, { database: { host: 'db.example', port: 6432, name: 'costs', user: 'kcost_sink', sslMode: 'require', password: { existingSecret: 'kcost-db', key: 'pw' } } });
    expect(byKind(manifests, 'Secret')).toHaveLength(0);
    for (const name of ['kcost-sink', 'kcost-api']) {
      const container = podSpec(named(manifests, 'Deployment', name)).containers[0] as Container;
      expect(container.env?.find((e) => e.name === 'PGPASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'kcost-db', key: 'pw' });
      const url = container.env?.find((e) => e.name === 'KCOST_DATABASE_URL')?.value ?? '';
      expect(url).toBe('postgres://kcost_sink@db.example:6432/costs?sslmode=require');
      expect(checkInvocation(container.args ?? [], { ...environment(container), KCOST_DATABASE_URL: url }).config.databaseUrl).toBe(url);
    }
    // node-postgres, as the roles open it: the URL without a password, the password from PGPASSWORD.
    const previous = process.env.PGPASSWORD;
    process.env.PGPASSWORD = 'p@ss/w:rd';
    try {
      const client = new pg.Client({ connectionString: 'postgres://kcost_sink@db.example:6432/costs' });
      expect({ user: client.user, host: client.host, port: client.port, database: client.database, password: client.password }).toEqual({ user: 'kcost_sink', host: 'db.example', port: 6432, database: 'costs', password: 'p@ss/w:rd' });
    } finally {
      if (previous === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = previous;
    }
    validAll(manifests);
  });

  it('routes an Ingress to the API Service', () => {
    const manifests = renderChart(CHART, { ...BASE, api: { ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'kcost.example.com' }], tls: [{ secretName: 'kcost-tls', hosts: ['kcost.example.com'] }] } } });
    const ingress = named(manifests, 'Ingress', 'kcost-api') as unknown as { spec: { ingressClassName: string; rules: Array<{ host: string; http: { paths: Array<{ path: string; backend: { service: { name: string; port: { name: string } } } }> } }> } };
    expect(ingress.spec.ingressClassName).toBe('nginx');
    const [rule] = ingress.spec.rules;
    expect(rule?.host).toBe('kcost.example.com');
    const backend = rule?.http.paths[0]?.backend.service;
    const service = named(manifests, 'Service', backend?.name ?? '');
    expect(service.spec.ports.map((p) => p.name)).toContain(backend?.port.name);
    validAll(manifests);
  });

  it('admits the API and metrics ports only, from the peers given', () => {
    const monitoring = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
    const manifests = renderChart(CHART, { ...BASE, networkPolicy: { enabled: true, metrics: { from: [monitoring] } }, billing: { enabled: true, collect: { source: 's3://acme-billing/exports' } } });
    const policy = named(manifests, 'NetworkPolicy', 'kcost') as unknown as { spec: { podSelector: { matchLabels: Record<string, string> }; ingress: Array<{ ports: Array<{ port: number }>; from?: unknown[] }> } };
    const selected = byKind(manifests, 'Deployment').filter((d) => labelsMatch(policy.spec.podSelector.matchLabels, d.spec.template.metadata.labels));
    expect(selected).toHaveLength(byKind(manifests, 'Deployment').length);
    expect(selected.map((d) => d.metadata.name)).toEqual(expect.arrayContaining(['kcost-collect-bill', 'kcost-reconcile']));
    expect(policy.spec.ingress[0]).toMatchObject({ ports: [{ port: 9464 }, { port: 8080 }], from: [monitoring] });
    expect(policy.spec.ingress[1]).toEqual({ ports: [{ port: 8080, protocol: 'TCP' }] });
    validAll(manifests);
  });

  it('adds podAnnotations and extraEnv to every pod, a role\'s own last', () => {
    const manifests = renderChart(CHART, {
      ...BASE,
      podAnnotations: { 'example.com/team': 'finops' },
      extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=768' }],
      processor: { podAnnotations: { 'example.com/team': 'stream' }, extraEnv: [{ name: 'KCOST_LOG_LEVEL', value: 'debug' }] },
    });
    const pods = [...byKind(manifests, 'Deployment'), ...byKind(manifests, 'Job')];
    for (const pod of pods) {
      const annotations = (pod.spec.template.metadata as { annotations?: Record<string, string> }).annotations ?? {};
      expect(annotations['example.com/team'], pod.metadata.name).toBe(pod.metadata.name === 'kcost-process' ? 'stream' : 'finops');
      expect(podSpec(pod).containers[0]?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value, pod.metadata.name).toBe('--max-old-space-size=768');
    }
    const process = podSpec(named(manifests, 'Deployment', 'kcost-process')).containers[0] as Container;
    expect(process.env?.filter((e) => e.name === 'KCOST_LOG_LEVEL').at(-1)?.value).toBe('debug');
    // The price collector keeps its own checksum annotation next to them.
    expect((named(manifests, 'Deployment', 'kcost-collect-prices').spec.template.metadata as { annotations?: Record<string, string> }).annotations?.['checksum/price-book']).toMatch(/^[0-9a-f]{64}$/);
    validAll(manifests);
  });

  it('provisions the PostgreSQL datasource for the Grafana sidecar, its password left to Grafana\'s environment', () => {
    const manifests = renderChart(CHART, { database: { host: 'db.example', sslMode: 'require', password: { existingSecret: 'kcost-db' } } });
    const map = named(manifests, 'ConfigMap', 'kcost-grafana-datasource');
    expect(map.metadata.labels?.grafana_datasource).toBe('1');
    const provisioning = parse(map.data['kcost-datasource.yaml'] ?? '') as { datasources: Array<Record<string, unknown>> };
    expect(provisioning.datasources).toEqual([
      {
        name: 'kcost',
        uid: 'kcost',
        type: 'grafana-postgresql-datasource',
        access: 'proxy',
        url: 'db.example:5432',
        user: 'grafana',
        jsonData: { database: 'kcost', sslmode: 'require', postgresVersion: 1500, timescaledb: false },
        // eslint-disable-next-line no-template-curly-in-string
        secureJsonData: { password: '${KCOST_GRAFANA_DB_PASSWORD}' },
      },
    ]);
    // The dashboards' datasource variable offers any datasource of this type.
    const dashboard = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/dashboards/executive-summary.json'), 'utf8')) as { templating: { list: Array<{ name: string; query: string }> } };
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.query).toBe(provisioning.datasources[0]?.type);
    validAll(manifests);
  });

  it('ships a helm test that asks the API for costs with kcost\'s own client', () => {
    const pod = byKind(defaults, 'Pod')[0] as unknown as { metadata: { annotations: Record<string, string> }; spec: { containers: Container[]; restartPolicy: string } };
    expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
    expect(pod.spec.restartPolicy).toBe('Never');
    const container = pod.spec.containers[0] as Container;
    // `kcost cost namespace --api-url ...`: what to aggregate by is the positional, the rest are its settings.
    const [role, aggregate, ...flags] = container.args ?? [];
    expect([role, aggregateOf([aggregate ?? ''])]).toEqual(['cost', 'namespace']);
    const invocation = checkInvocation([role ?? '', ...flags], environment(container));
    const url = new URL(String(invocation.config.apiUrl));
    const service = named(defaults, 'Service', url.hostname);
    expect(service.spec.ports.map((p) => (p as unknown as { port: number }).port)).toContain(Number(url.port));
  });
});

describe('Helm chart: billing (kcost collect bill, kcost reconcile)', () => {
  const BILLING = { ...BASE, billing: { enabled: true, collect: { source: 's3://acme-billing/exports/' } } };
  const containerOf = (manifests: RenderedManifest[], name: string) => podSpec(named(manifests, 'Deployment', name)).containers[0] as Container;
  const configOf = (manifests: RenderedManifest[], name: string) => {
    const container = containerOf(manifests, name);
    return checkInvocation(container.args ?? [], environment(container)).config;
  };
  const strategyOf = (manifests: RenderedManifest[], name: string) => (named(manifests, 'Deployment', name).spec as unknown as { replicas: number; strategy?: { type: string } });
  const monitored = (manifests: RenderedManifest[]) =>
    (named(manifests, 'PodMonitor', 'kcost-pipeline').spec as unknown as { selector: { matchExpressions: Array<{ values: string[] }> } }).selector.matchExpressions[0]?.values ?? [];

  it('is off by default: neither role, no state volume, and the sink loads no billing lines', () => {
    const names = objects(defaults).map((o) => `${o.kind}/${o.metadata.name}`);
    for (const role of ['collect-bill', 'reconcile']) {
      expect(names).not.toContain(`Deployment/kcost-${role}`);
      expect(names).not.toContain(`ServiceAccount/kcost-${role}`);
    }
    expect(byKind(defaults, 'PersistentVolumeClaim')).toEqual([]);
    expect(configOf(defaults, 'kcost-sink').billingTopic).toBe('');
    expect(monitored(defaults)).not.toContain('collect-bill');
  });

  it('runs both roles as valid kcost invocations, one pod each, scraped, with accounts of their own, and has the sink load kcost.billing.v1', () => {
    const manifests = renderChart(CHART, BILLING);
    expect(configOf(manifests, 'kcost-sink').billingTopic).toBe('kcost.billing.v1');

    const collect = configOf(manifests, 'kcost-collect-bill');
    expect(collect).toMatchObject({ source: 's3://acme-billing/exports/', every: 3_600_000, s3Region: 'us-east-1', s3EndpointUrl: '', billingTopic: 'kcost.billing.v1', replicationFactor: 3, brokers: ['kafka:9092'] });
    expect(strategyOf(manifests, 'kcost-collect-bill')).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    // The state file lies on the chart's PersistentVolumeClaim, so it outlives the pod.
    const container = containerOf(manifests, 'kcost-collect-bill');
    const mount = container.volumeMounts?.find((m) => String(collect.stateFile).startsWith(`${m.mountPath}/`));
    const volume = podSpec(named(manifests, 'Deployment', 'kcost-collect-bill')).volumes?.find((v) => v.name === mount?.name) as unknown as { persistentVolumeClaim?: { claimName: string } };
    expect(volume?.persistentVolumeClaim?.claimName).toBe('kcost-collect-bill');
    const claim = named(manifests, 'PersistentVolumeClaim', 'kcost-collect-bill') as unknown as { spec: { accessModes: string[]; resources: { requests: { storage: string } } } };
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });

    const reconcile = configOf(manifests, 'kcost-reconcile');
    expect(reconcile).toMatchObject({ databaseUrl: 'postgres://kcost:secret@db:5432/kcost', every: 900_000, lookbackDays: 40, clusterTag: '', namespaceTag: 'kcost.io/namespace', unattributed: 'proportional' });
    // Database only: no Kafka settings, no Kafka user.
    expect(Object.keys(environment(containerOf(manifests, 'kcost-reconcile'))).filter((v) => v.includes('KAFKA') || v === 'KCOST_BROKERS')).toEqual([]);
    expect(strategyOf(manifests, 'kcost-reconcile').replicas).toBe(1);

    for (const role of ['collect-bill', 'reconcile']) {
      const name = `kcost-${role}`;
      expect(podSpec(named(manifests, 'Deployment', name)).serviceAccountName).toBe(name);
      expect(named(manifests, 'ServiceAccount', name).metadata.labels?.['app.kubernetes.io/component']).toBe(role);
      expect(monitored(manifests)).toContain(role);
      const ports = listeningPorts(checkInvocation(containerOf(manifests, name).args ?? [], environment(containerOf(manifests, name))));
      expect(ports).toContain(containerOf(manifests, name).ports?.find((p) => p.name === 'health')?.containerPort);
    }
    for (const manifest of manifests) expect(() => validateManifest(manifest.object), manifest.template).not.toThrow();
  });

  it('passes the reconcile flags from values', () => {
    const manifests = renderChart(CHART, { ...BILLING, billing: { ...BILLING.billing, reconcile: { every: '1h', lookbackDays: 62, clusterTag: 'eks:cluster-name', namespaceTag: 'team-namespace', unattributed: 'unallocated' } } });
    expect(configOf(manifests, 'kcost-reconcile')).toMatchObject({ every: 3_600_000, lookbackDays: 62, clusterTag: 'eks:cluster-name', namespaceTag: 'team-namespace', unattributed: 'unallocated' });
  });

  it('gives the bill collector AWS credentials the way the price collector gets them: IRSA on its ServiceAccount, or keys from a Secret', () => {
    const own = renderChart(CHART, { ...BILLING, billing: { ...BILLING.billing, collect: { source: 's3://acme-billing/exports/', aws: { roleArn: 'arn:aws:iam::123456789012:role/kcost-bill', credentialsSecret: 'bill-keys' } } } });
    expect(named(own, 'ServiceAccount', 'kcost-collect-bill').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/kcost-bill' });
    expect((containerOf(own, 'kcost-collect-bill') as Container & { envFrom?: unknown }).envFrom).toEqual([{ secretRef: { name: 'bill-keys' } }]);
    // Unset, the price collector's role and keys serve both.
    const shared = renderChart(CHART, { ...BILLING, cloud: { aws: { roleArn: 'arn:aws:iam::123456789012:role/kcost', credentialsSecret: 'aws-keys' } } });
    expect(named(shared, 'ServiceAccount', 'kcost-collect-bill').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/kcost' });
    expect((containerOf(shared, 'kcost-collect-bill') as Container & { envFrom?: unknown }).envFrom).toEqual([{ secretRef: { name: 'aws-keys' } }]);
    expect(named(renderChart(CHART, BILLING), 'ServiceAccount', 'kcost-collect-bill').metadata.annotations).toBeUndefined();
    for (const manifest of [...own, ...shared]) expect(() => validateManifest(manifest.object)).not.toThrow();
  });

  it('reads exports from a mounted directory or an S3-compatible endpoint, and keeps the state in memory when persistence is off', () => {
    const values = {
      ...BASE,
      billing: {
        enabled: true,
        collect: { source: '/var/lib/kcost/exports/focus', every: '15m', s3: { endpointUrl: 'http://minio.storage:9000', region: 'eu-west-1' }, sourceVolume: { persistentVolumeClaim: { claimName: 'billing-exports' } }, persistence: { enabled: false } },
      },
    };
    const manifests = renderChart(CHART, values);
    const config = configOf(manifests, 'kcost-collect-bill');
    expect(config).toMatchObject({ source: '/var/lib/kcost/exports/focus', every: 900_000, s3Region: 'eu-west-1', s3EndpointUrl: 'http://minio.storage:9000', stateFile: '' });
    const container = containerOf(manifests, 'kcost-collect-bill');
    const mount = container.volumeMounts?.find((m) => String(config.source).startsWith(`${m.mountPath}/`)) as { name: string; readOnly?: boolean } | undefined;
    expect(mount?.readOnly).toBe(true);
    expect(podSpec(named(manifests, 'Deployment', 'kcost-collect-bill')).volumes?.find((v) => v.name === mount?.name)).toEqual({ name: mount?.name, persistentVolumeClaim: { claimName: 'billing-exports' } });
    expect(byKind(manifests, 'PersistentVolumeClaim')).toEqual([]);
    // A claim of one's own: mounted, none created.
    const existing = renderChart(CHART, { ...BASE, billing: { enabled: true, collect: { source: 's3://b/p', persistence: { existingClaim: 'bill-state' } } } });
    expect(byKind(existing, 'PersistentVolumeClaim')).toEqual([]);
    expect(podSpec(named(existing, 'Deployment', 'kcost-collect-bill')).volumes).toContainEqual({ name: 'state', persistentVolumeClaim: { claimName: 'bill-state' } });
    for (const manifest of [...manifests, ...existing]) expect(() => validateManifest(manifest.object)).not.toThrow();
  });

  it('refuses to render without a source, and runs only the roles switched on', () => {
    expect(() => renderChart(CHART, { ...BASE, billing: { enabled: true } })).toThrow(/billing.collect.source is required/);
    const reconcileOnly = renderChart(CHART, { ...BASE, billing: { enabled: true, collect: { enabled: false } } });
    const deployments = byKind(reconcileOnly, 'Deployment').map((d) => d.metadata.name);
    expect(deployments).toContain('kcost-reconcile');
    expect(deployments).not.toContain('kcost-collect-bill');
    expect(byKind(reconcileOnly, 'ServiceAccount').map((a) => a.metadata.name)).not.toContain('kcost-collect-bill');
    // The bill may be collected elsewhere; the sink still loads it.
    expect(configOf(reconcileOnly, 'kcost-sink').billingTopic).toBe('kcost.billing.v1');
  });
});
