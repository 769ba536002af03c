import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO } from './repo.js';
import { checkInvocation, findRole, listeningPorts } from './role-settings.js';

// docker-compose.yml cannot run here (no Docker engine), so it is checked against the code.

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  profiles?: string[];
}

const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const builder = Object.entries(services).find(([, s]) => s.build);
const KCOST_IMAGE = builder?.[1].image;
const kcostServices = Object.entries(services).filter(([, s]) => s.image === KCOST_IMAGE);

/** Compose interpolation of ${NAME:-default} with nothing set: the default. */
const interpolate = (value: string) => value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');
const envOf = (service: Service) => Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
const containerPort = (mapping: string) => Number(mapping.split(':').pop()?.split('/')[0]);
const hostPath = (volume: string) => volume.split(':')[0] ?? '';

describe('docker-compose.yml', () => {
  it('runs Apache Kafka in KRaft mode, TimescaleDB, Grafana, Prometheus and the kcost roles from one image built here', () => {
    expect(services.kafka?.image).toMatch(/^apache\/kafka:\d/);
    expect(services.timescaledb?.image).toMatch(/^timescale\/timescaledb:/);
    expect(services.grafana?.image).toMatch(/^grafana\/grafana:/);
    expect(services.prometheus?.image).toMatch(/^prom\/prometheus:/);
    expect(builder?.[1].build?.context).toBe('.');
    const roles = kcostServices.map(([, s]) => findRole(s.command ?? []).name).sort();
    expect(roles).toEqual(['api', 'collect bill', 'export', 'forecast', 'migrate', 'process', 'recommend', 'reconcile', 'savings', 'simulate', 'simulate', 'sink', 'topics']);
    // The simulator is on by default, not behind a profile.
    expect(services.simulate?.profiles).toBeUndefined();
  });

  it('configures a single KRaft broker that the kcost services reach at the address they are given', () => {
    const env = envOf(services.kafka as Service);
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    expect(Buffer.from(env.CLUSTER_ID ?? '', 'base64url')).toHaveLength(16);
    const advertised = (env.KAFKA_ADVERTISED_LISTENERS ?? '').split(',').map((l) => l.replace(/^\w+:\/\//, ''));
    for (const [name, service] of kcostServices) {
      const brokers = envOf(service).KCOST_BROKERS;
      if (brokers !== undefined) expect(advertised, name).toContain(brokers);
    }
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
  });

  it.each(kcostServices.map(([name, service]) => ({ name, service, built: findRole(service.command ?? []).role.run !== undefined })))(
    '$name: its command is a kcost role whose settings accept its flags and variables, ports and health checks (built: $built)',
    ({ service, built }) => {
      const invocation = checkInvocation(service.command ?? [], envOf(service));
      // A role whose code has not landed has no settings yet; the role name is still checked.
      if (!built) return;
      const ports = listeningPorts(invocation);
      for (const mapping of service.ports ?? []) expect(ports).toContain(containerPort(mapping));
      const probe = service.healthcheck?.test.join(' ');
      if (probe !== undefined) {
        const url = /https?:\/\/127\.0\.0\.1:(\d+)(\/\w+)/.exec(probe);
        expect(url, probe).not.toBeNull();
        expect(ports).toContain(Number(url?.[1]));
        expect(['/healthz', '/readyz']).toContain(url?.[2]);
      }
    },
  );

  it('gives every long-running kcost role a health check, and runs the one-shot roles once', () => {
    for (const [name, service] of kcostServices) {
      if (['topics', 'migrate'].includes(findRole(service.command ?? []).name)) expect(service.restart, name).toBe('no');
      if (service.restart !== 'no') expect(service.healthcheck, name).toBeDefined();
    }
    // A backfill ends; run again it would publish the same history twice.
    expect(services.backfill?.restart).toBe('no');
    expect(services.backfill?.command).toContain('max');
    expect(services.simulate?.command).toContain('realtime');
  });

  it('depends only on services it defines, waiting for the one-shot roles to finish', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
        const target = services[dependency] as Service;
        const oneShot = target.restart === 'no';
        expect(condition, `${name} → ${dependency}`).toBe(oneShot ? 'service_completed_successfully' : target.healthcheck ? 'service_healthy' : 'service_started');
      }
    }
    for (const role of ['sink', 'api', 'reconcile']) expect(Object.keys(services[role]?.depends_on ?? {})).toContain('migrate');
    for (const role of ['simulate', 'process', 'recommend', 'savings', 'sink', 'export', 'collect-bill']) expect(Object.keys(services[role]?.depends_on ?? {})).toContain('topics');
  });

  it('collects the bill from the mounted ./bills folder, its state on a named volume, into the topic the sink loads, and reconciles from the database alone', () => {
    const collect = checkInvocation(services['collect-bill']?.command ?? [], envOf(services['collect-bill'] as Service)).config;
    const mountOf = (service: Service, path: string) => service.volumes?.find((v) => path === v.split(':')[1] || path.startsWith(`${v.split(':')[1]}/`));
    // A folder, not an S3 URL, unless KCOST_BILL_SOURCE says otherwise; mounted read-only from the repository.
    expect(String(collect.source)).toMatch(/^\//);
    const source = mountOf(services['collect-bill'] as Service, String(collect.source));
    expect(source && hostPath(source)).toBe('./bills');
    expect(source?.endsWith(':ro')).toBe(true);
    expect(statSync(join(REPO, 'bills')).isDirectory()).toBe(true);
    const state = mountOf(services['collect-bill'] as Service, String(collect.stateFile));
    expect(compose.volumes ?? {}).toHaveProperty(hostPath(state ?? ''));
    // The image makes the state folder the node user's, so the named volume starts out writable.
    expect(readFileSync(join(REPO, 'Dockerfile'), 'utf8')).toContain(`chown node:node ${(state ?? '').split(':')[1]}`);
    const sink = checkInvocation(services.sink?.command ?? [], envOf(services.sink as Service)).config;
    expect(sink.billingTopic).toBe(collect.billingTopic);
    expect(sink.billingTopic).toBe('kcost.billing.v1');
    const reconcile = envOf(services.reconcile as Service);
    expect(reconcile.KCOST_DATABASE_URL).toBe(envOf(services.sink as Service).KCOST_DATABASE_URL);
    expect(reconcile.KCOST_BROKERS).toBeUndefined();
    expect(checkInvocation(services.reconcile?.command ?? [], reconcile).config.every).toBe(900_000);
  });

  it('mounts files and folders that exist in the repository, and named volumes it declares', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = hostPath(volume);
        if (source.startsWith('.')) expect(existsSync(join(REPO, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes ?? {}, `${name}: ${source}`).toHaveProperty(source);
      }
    }
  });

  it('points every kcost role and Grafana at the TimescaleDB service with its own user and database', () => {
    const db = envOf(services.timescaledb as Service);
    for (const [name, service] of kcostServices) {
      const url = envOf(service).KCOST_DATABASE_URL;
      if (url === undefined) continue;
      const parsed = new URL(url);
      expect([parsed.hostname, parsed.username, parsed.password, parsed.pathname], name).toEqual(['timescaledb', db.POSTGRES_USER, db.POSTGRES_PASSWORD, `/${db.POSTGRES_DB}`]);
    }
    const grafana = services.grafana as Service;
    const datasources = parse(readFileSync(join(REPO, 'deploy/grafana/provisioning/datasources/kcost.yml'), 'utf8')) as {
      datasources: Array<{ uid: string; type: string; url: string; user: string; jsonData: { database: string }; secureJsonData: { password: string } }>;
    };
    const [source] = datasources.datasources;
    expect(source?.type).toBe('grafana-postgresql-datasource');
    expect(source?.url).toBe('timescaledb:5432');
    expect(source?.jsonData.database).toBe(db.POSTGRES_DB);
    // The datasource's password comes from Grafana's environment; the init script creates that login.
    const variable = /^\$(\w+)$/.exec(source?.secureJsonData.password ?? '')?.[1] ?? '';
    const init = readdirSync(join(REPO, 'deploy/grafana/postgres-init')).map((f) => readFileSync(join(REPO, 'deploy/grafana/postgres-init', f), 'utf8')).join('\n');
    expect(init).toContain(`CREATE ROLE ${source?.user} LOGIN PASSWORD '${envOf(grafana)[variable]}'`);
    expect(init).toContain(`FOR ROLE ${db.POSTGRES_USER} IN SCHEMA public GRANT SELECT ON TABLES TO ${source?.user}`);
  });

  it('provisions the dashboards folder into Grafana where the dashboard provider looks', () => {
    const provider = parse(readFileSync(join(REPO, 'deploy/grafana/provisioning/dashboards/kcost.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    const path = provider.providers[0]?.options.path;
    const mount = services.grafana?.volumes?.find((v) => v.split(':')[1] === path);
    expect(mount && hostPath(mount)).toBe('./deploy/grafana/dashboards');
    const home = envOf(services.grafana as Service).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(existsSync(join(REPO, 'deploy/grafana/dashboards', home.slice(`${path}/`.length)))).toBe(true);
  });

  it('has Prometheus scrape the exporter and load the alert rules from the mounted folder', () => {
    const prometheus = services.prometheus as Service;
    const configMount = prometheus.volumes?.find((v) => v.split(':')[1] === '/etc/prometheus/prometheus.yml');
    const config = parse(readFileSync(join(REPO, hostPath(configMount ?? '')), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    for (const file of config.rule_files) {
      const mount = prometheus.volumes?.find((v) => file.startsWith(`${v.split(':')[1]}/`));
      expect(mount, file).toBeDefined();
      const local = join(REPO, hostPath(mount ?? ''), file.slice((mount ?? '').split(':')[1]?.length ?? 0));
      expect(statSync(local).isFile()).toBe(true);
    }
    for (const job of config.scrape_configs) {
      for (const target of job.static_configs.flatMap((c) => c.targets)) {
        const [host, port] = target.split(':');
        const service = services[host ?? ''];
        expect(service, target).toBeDefined();
        const invocation = checkInvocation(service?.command ?? [], envOf(service as Service));
        if (invocation.built) expect(listeningPorts(invocation), target).toContain(Number(port));
      }
    }
    const exporterJob = config.scrape_configs.find((j) => j.job_name === 'kcost-exporter');
    expect(exporterJob?.static_configs.flatMap((c) => c.targets).map((t) => findRole(services[t.split(':')[0] ?? '']?.command ?? []).name)).toEqual(['export']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1] ?? '';

  it('runs `node bin/kcost.js` as an unprivileged user from a slim Node 20 image', () => {
    expect(runtime).toMatch(/^node:\$\{NODE_VERSION\}-bookworm-slim/);
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=20$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["node", "bin\/kcost\.js"\]$/m);
    expect(runtime).toMatch(/^USER node$/m);
    // bin/kcost.js runs the compiled CLI of dist/ through bin/run-cli.js; the image copies both.
    expect(readFileSync(join(REPO, 'bin/kcost.js'), 'utf8')).toContain("from './run-cli.js'");
    expect(readFileSync(join(REPO, 'bin/run-cli.js'), 'utf8')).toContain("new URL('../dist/services/cli/main.js', import.meta.url)");
  });

  it('copies from the build context only what exists and is not ignored', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(' '));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(existsSync(join(REPO, source)), source).toBe(true);
      expect(ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), `${source} is in .dockerignore`).toBe(false);
    }
  });

  it('ships what the roles read at run time: the compiled code, schemas, migrations and production dependencies', () => {
    const copied = [...runtime.matchAll(/^COPY (?:--from=\w+ )?(\S+) \S+$/gm)].map((m) => (m[1] ?? '').replace(/^\/app\//, ''));
    expect(copied.sort()).toEqual(['bin', 'dist', 'node_modules', 'package.json', 'schemas', 'sql']);
    expect(dockerfile).toContain('npm prune --omit=dev');
  });

  it('builds from sources that import nothing outside the build context', () => {
    const outside = /from '(?:\.\.\/)+(?:test|scripts|deploy)\//;
    const files = (dir: string): string[] =>
      readdirSync(join(REPO, dir)).flatMap((entry) => {
        const path = `${dir}/${entry}`;
        if (statSync(join(REPO, path)).isDirectory()) return entry === 'results' ? [] : files(path);
        return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
      });
    const offenders = [...files('services'), ...files('bench')].filter((f) => outside.test(readFileSync(join(REPO, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
