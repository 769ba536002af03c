import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../services/api/app.js';
import type { Recommendation } from '../../services/codec/records.generated.js';
import { parseBytes, parseCores } from '../../services/collector/kube/quantity.js';
import { buildApi, loadThroughSink, type LoadedDatabase } from '../api/api-harness.js';
import { anomalyRecords, costRecords, NOW, priceRecords } from '../api/cost-records.js';
import { latestRecommendations, recommendationRecords } from '../api/recommendation-records.js';
import { adviseCluster } from '../../services/savings/cluster-savings.js';
import { summarizeSavings } from '../../services/savings/savings-summary.js';
import { SMALL_CLUSTER_OPTIONS, smallCluster } from '../fixtures/savings/small-cluster.js';
import { parseTable, runPlugin } from './plugin.js';

// kubectl cost recommendations against a listening API over a database the
// real sink loaded, and its -o yaml patches applied by the real kubectl
// (`kubectl patch --local`, no cluster needed) to the workloads' manifests.

const run = promisify(execFile);
const WORKLOADS = fileURLToPath(new URL('../fixtures/kubectl/workloads/', import.meta.url));

let db: LoadedDatabase;
let api: ApiApp;
let apiUrl: string;
let scratch: string;

beforeAll(async () => {
  const { pods, nodes } = costRecords();
  db = await loadThroughSink({ pods, nodes, anomalies: anomalyRecords(), prices: priceRecords(), recommendations: recommendationRecords() });
  api = await buildApi(db.pool, NOW);
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' });
  scratch = mkdtempSync(join(tmpdir(), 'kcost-patches-'));
});

afterAll(async () => {
  await api?.close();
  await db?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const kubectlCost = (args: string[]) => runPlugin(args, ['--api-url', apiUrl]);

const byName = (suffix: string) => latestRecommendations().find((r) => r.key.endsWith(suffix)) as Recommendation;

describe('kubectl cost recommendations', () => {
  it('prints a table sorted by saving: current → recommended requests and limits, saving, confidence, risk, reasons', async () => {
    const { code, stdout, stderr } = await kubectlCost(['recommendations']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = parseTable(stdout);
    expect(rows.map((r) => [r.WORKLOAD, r.CONTAINER, r['SAVING USD/MO']])).toEqual([
      ['api/StatefulSet/db', 'postgres', '120.00'],
      ['web/Deployment/frontend', 'app', '40.00'],
      ['batch/CronJob/nightly', 'job', '15.00'],
      ['web/Deployment/frontend', 'sidecar', '2.50'],
      ['api/Deployment/gateway', 'envoy', '-8.00'],
    ]);
    expect(rows[0]).toMatchObject({ 'CPU REQUEST': '4 → 1500m', 'CPU LIMIT': '4 → 1500m', 'MEMORY REQUEST': '1Gi → 700Mi', 'MEMORY LIMIT': '1Gi → 840Mi', CONFIDENCE: '100%', RISK: 'MEDIUM', REASONS: 'OVER_PROVISIONED' });
    // The CPU limit goes; the sidecar's memory stays (KEEP); the gateway has no memory advice yet.
    expect(rows[1]).toMatchObject({ 'CPU REQUEST': '1 → 450m', 'CPU LIMIT': '2 → none' });
    expect(rows[3]).toMatchObject({ 'MEMORY REQUEST': '1Gi', 'MEMORY LIMIT': '1Gi' });
    expect(rows[4]).toMatchObject({ 'CPU REQUEST': '100m → 250m', 'MEMORY REQUEST': '1Gi (no advice)', RISK: 'MEDIUM' });
  });

  it.each([
    [['-n', 'web'], ['app', 'sidecar']],
    [['--kind', 'CronJob'], ['job']],
    [['--min-saving-usd', '10', '--risk', 'medium,high'], ['postgres', 'job']],
    [['--cluster', 'c2', '--namespace', 'web'], []],
  ])('%j filters through the API', async (flags, containers) => {
    const { code, stdout } = await kubectlCost(['recommendations', ...flags]);
    expect(code).toBe(0);
    if (containers.length === 0) expect(stdout).toBe('No recommendations.\n');
    else expect(parseTable(stdout).map((r) => r.CONTAINER)).toEqual(containers);
  });

  it('lists orphaned volumes with --type orphaned-volumes: claim, volume, size, since when, saving; --kind and -o yaml are refused there', async () => {
    const { code, stdout, stderr } = await kubectlCost(['recommendations', '--type', 'orphaned-volumes']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(parseTable(stdout)).toEqual([
      {
        CLAIM: 'web/scratch',
        VOLUME: 'pvc-0a1b',
        CLASS: 'gp3',
        SIZE: '100Gi',
        'UNMOUNTED SINCE': '2026-10-22 03:00',
        'LAST POD': '(never mounted)',
        'SAVING USD/MO': '4.00',
        CONFIDENCE: '100%',
        RISK: 'LOW',
        REASONS: 'UNMOUNTED,NEVER_MOUNTED',
      },
    ]);
    expect((await kubectlCost(['recommendations', '--type', 'orphaned-volumes', '-n', 'api'])).stdout).toBe('No orphaned volumes.\n');
    const json = await kubectlCost(['recommendations', '--type', 'orphaned-volumes', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(await (await fetch(`${apiUrl}/v1/recommendations?kind=ORPHANED_VOLUME`)).json());
    for (const flags of [['--kind', 'Deployment'], ['-o', 'yaml']]) {
      const refused = await kubectlCost(['recommendations', '--type', 'orphaned-volumes', ...flags]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('orphaned-volumes');
    }
    const bad = await kubectlCost(['recommendations', '--type', 'volumes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/type/);
  });

  it('lists idle workloads with --type idle-workloads, --kind filtering them', async () => {
    const { code, stdout } = await kubectlCost(['recommendations', '--type', 'idle-workloads']);
    expect(code).toBe(0);
    expect(parseTable(stdout)).toEqual([{ WORKLOAD: 'api/Deployment/legacy', REPLICAS: '2', CONTAINERS: 'app', 'CPU P95': '10m', 'SAVING USD/MO': '60.00', CONFIDENCE: '95%', RISK: 'MEDIUM' }]);
    expect((await kubectlCost(['recommendations', '--type', 'idle-workloads', '--kind', 'StatefulSet'])).stdout).toBe('No idle workloads.\n');
  });

  it('lists DaemonSet-only nodes with --type daemonset-only-nodes', async () => {
    const { code, stdout } = await kubectlCost(['recommendations', '--type', 'daemonset-only-nodes']);
    expect(code).toBe(0);
    expect(parseTable(stdout)).toEqual([
      {
        NODE: 'ip-10-0-0-1',
        'INSTANCE TYPE': 'm5.xlarge',
        CAPACITY: 'ON_DEMAND',
        'DAEMONSETS ONLY SINCE': '2026-10-29 22:00',
        'LAST OTHER POD': 'batch/nightly-29361',
        DAEMONSETS: '1',
        'SAVING USD/MO': '100.00',
        CONFIDENCE: '100%',
        RISK: 'LOW',
      },
    ]);
    expect((await kubectlCost(['recommendations', '--type', 'daemonset-only-nodes', '--cluster', 'c1'])).stdout).toBe('No DaemonSet-only nodes.\n');
  });

  it('is reached as `kubectl cost recommendations` through the plugin on the PATH (bin/kubectl-cost.js, built)', async () => {
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(fileURLToPath(new URL('../../bin/kubectl-cost.js', import.meta.url)), join(bin, 'kubectl-cost'));
    const { stdout } = await run('kubectl', ['cost', 'recommendations', '-n', 'web', '--api-url', apiUrl], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    expect(stdout).toBe((await kubectlCost(['recommendations', '-n', 'web'])).stdout);
    expect(parseTable(stdout).map((r) => r.CONTAINER)).toEqual(['app', 'sidecar']);
  });

  it('prints the API answer with -o json, and refuses -o yaml for the cost tables', async () => {
    const json = await kubectlCost(['recommendations', '-n', 'api', '-o', 'json']);
    const answer = await (await fetch(`${apiUrl}/v1/recommendations?namespace=api&kind=WORKLOAD_RESOURCES`)).json();
    expect(JSON.parse(json.stdout)).toEqual(answer);
    const yamlCosts = await kubectlCost(['namespace', '-o', 'yaml']);
    expect(yamlCosts.code).toBe(2);
    expect(yamlCosts.stderr).toContain('-o yaml is for kubectl cost recommendations');
  });
});

/** A manifest as kubectl prints it (an empty patch), so original and patched compare in one form. */
async function kubectlPatch(manifest: string, patchFile?: string): Promise<Record<string, unknown>> {
  const patch = patchFile ? ['--patch-file', patchFile] : ['-p', '{}'];
  const { stdout } = await run('kubectl', ['patch', '--local', '-f', manifest, '--type', 'strategic', ...patch, '-o', 'json']);
  return JSON.parse(stdout) as Record<string, unknown>;
}

type Container = { name: string; resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> } };

/** The containers of a manifest's pod template, wherever its kind keeps them. */
type PodTemplate = { template: { spec: { containers: Container[] } } };
type WorkloadSpec = PodTemplate & { jobTemplate: { spec: PodTemplate } };

function containersOf(manifest: Record<string, unknown>): Container[] {
  const spec = manifest.spec as WorkloadSpec;
  return (manifest.kind === 'CronJob' ? spec.jobTemplate.spec : spec).template.spec.containers;
}

type HpaManifest = { spec: { metrics: Array<{ resource: { target: { averageUtilization: number } } }> } };

/** Quantities as numbers (cores, bytes), so "1500m" and "1.5" compare equal. */
function normalized(manifest: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(manifest);
  if (copy.kind === 'HorizontalPodAutoscaler') return copy;
  for (const container of containersOf(copy)) {
    for (const figures of [container.resources?.requests, container.resources?.limits]) {
      for (const [resource, value] of Object.entries(figures ?? {})) figures![resource] = resource === 'cpu' ? parseCores(String(value)) : parseBytes(String(value));
    }
  }
  return copy;
}

describe('kubectl cost recommendations -o yaml', () => {
  it('prints per workload a patch that kubectl applies: the recommended resources and nothing else change; an HPA patch moves its target', async () => {
    const { code, stdout, stderr } = await kubectlCost(['recommendations', '-o', 'yaml']);
    expect(code, stderr).toBe(0);
    const documents = stdout.split(/^---\n/m);
    const commands = documents.map((d) => /^# kubectl patch (\S+) (\S+) -n (\S+) --type strategic --patch-file <this document>$/m.exec(d)?.slice(1, 4));
    expect(commands).toEqual([
      ['statefulset', 'db', 'api'],
      ['deployment', 'frontend', 'web'],
      ['horizontalpodautoscalers.v2.autoscaling', 'frontend', 'web'],
      ['cronjob', 'nightly', 'batch'],
      ['deployment', 'gateway', 'api'],
    ]);
    const manifests = new Map(
      readdirSync(WORKLOADS).map((file) => {
        const object = parse(readFileSync(join(WORKLOADS, file), 'utf8')) as { kind: string; metadata: { name: string } };
        const resource = object.kind === 'HorizontalPodAutoscaler' ? 'horizontalpodautoscalers.v2.autoscaling' : object.kind.toLowerCase();
        return [`${resource}/${object.metadata.name}`, join(WORKLOADS, file)];
      }),
    );

    for (const [i, document] of documents.entries()) {
      const [resource, name] = commands[i] as string[];
      const manifest = manifests.get(`${resource}/${name}`) as string;
      const patchFile = join(scratch, `patch-${i}.yaml`);
      writeFileSync(patchFile, document);
      const original = await kubectlPatch(manifest);
      const patched = await kubectlPatch(manifest, patchFile);

      const expected = structuredClone(original);
      if (resource === 'horizontalpodautoscalers.v2.autoscaling') {
        const [cpu] = (expected as HpaManifest).spec.metrics;
        if (cpu) cpu.resource.target.averageUtilization = 80;
      } else {
        for (const container of containersOf(expected)) {
          const advice = latestRecommendations().find((r) => r.workloadResources?.target.workloadName === name && r.workloadResources?.target.container === container.name)?.workloadResources;
          for (const a of advice ? [advice.cpu, advice.memory] : []) {
            if (a.action !== 'CHANGE') continue;
            const resources = (container.resources ??= {});
            (resources.requests ??= {})[a.resource] = a.recommendedRequest as number;
            if (a.recommendedLimit !== null) (resources.limits ??= {})[a.resource] = a.recommendedLimit;
            else if (resources.limits) delete resources.limits[a.resource];
          }
        }
      }
      expect(normalized(patched), `${resource}/${name}`).toEqual(normalized(expected));
      expect(patched, `${resource}/${name} changed`).not.toEqual(original);
    }

    // Spot checks against the records, in the units kubectl prints.
    const frontend = containersOf(await kubectlPatch(manifests.get('deployment/frontend') as string, join(scratch, 'patch-1.yaml')));
    expect(frontend.find((c) => c.name === 'app')?.resources).toEqual({ requests: { cpu: '450m', memory: '700Mi' }, limits: { memory: '840Mi' } });
    expect(frontend.find((c) => c.name === 'sidecar')?.resources).toEqual({ requests: { cpu: '450m', memory: '1Gi' }, limits: { memory: '1Gi' } });
    expect(byName('frontend/app').workloadResources?.cpu.recommendedRequest).toBe(0.45);
  });
});

describe('kubectl cost recommendations for the cluster-savings kinds, and kubectl cost savings', () => {
  let savingsDb: LoadedDatabase;
  let savingsApi: ApiApp;
  let savingsUrl: string;
  const advice = adviseCluster(smallCluster(), SMALL_CLUSTER_OPTIONS);

  beforeAll(async () => {
    savingsDb = await loadThroughSink({ pods: [], nodes: [], anomalies: [], prices: [], recommendations: advice });
    savingsApi = await buildApi(savingsDb.pool, NOW);
    savingsUrl = await savingsApi.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await savingsApi?.close();
    await savingsDb?.close();
  });

  const cost = (args: string[]) => runPlugin(args, ['--api-url', savingsUrl]);


  it('lists node pools with today\'s nodes and the proposed mix, largest saving first', async () => {
    const { code, stdout } = await cost(['recommendations', '--type', 'node-pools']);
    expect(code).toBe(0);
    const rows = parseTable(stdout);
    const pool = advice.find((r) => r.key === 'c1/NodePool/general')!;
    expect(rows.map((r) => r.POOL)).toEqual(['general', 'batch']);
    expect(rows[0]?.['NODES NOW']).toBe('4xm5.2xlarge');
    expect(rows[0]?.['SAVING USD/MO']).toBe(pool.saving.monthlySavingsUsd.toFixed(2));
    expect(rows[0]?.REASONS).toContain('FRAGMENTED');
  });

  it('lists spot candidates with the rules they failed, commitments per term and ARM moves', async () => {
    const spot = parseTable((await cost(['recommendations', '--type', 'spot'])).stdout);
    expect(spot.find((r) => r.WORKLOAD === 'web/Deployment/frontend')).toEqual(expect.objectContaining({ SUITABLE: 'yes', 'FAILED RULES': '-' }));
    expect(spot.find((r) => r.WORKLOAD === 'api/StatefulSet/db')?.['FAILED RULES']).toContain('CONTROLLER_KIND');
    const commitments = parseTable((await cost(['recommendations', '--type', 'commitments'])).stdout);
    expect(commitments.map((r) => r.TERM).sort()).toEqual(['1y', '3y']);
    expect(commitments.find((r) => r.TERM === '1y')).toEqual(expect.objectContaining({ FAMILY: 'aws/us-east-1/m5', DISCOUNT: '27%', 'COMMIT USD/H': '1.121', UTILIZATION: '100%' }));
    const arm = parseTable((await cost(['recommendations', '--type', 'arm', '-n', 'web'])).stdout);
    expect(arm).toEqual([expect.objectContaining({ WORKLOAD: 'web/Deployment/frontend', MOVES: 'm5.2xlarge→m6g.2xlarge' })]);
  });

  it('totals every record once in kubectl cost savings, the total in the last line', async () => {
    const { code, stdout } = await cost(['savings']);
    expect(code).toBe(0);
    const rows = parseTable(stdout);
    const summary = summarizeSavings(advice);
    expect(rows.length).toBe(advice.length + 1);
    expect(rows.at(-1)).toEqual(expect.objectContaining({ KIND: 'TOTAL', 'COUNTED USD/MO': summary.totalMonthlySavingsUsd.toFixed(2) }));
    const json = JSON.parse((await cost(['savings', '-o', 'json'])).stdout) as { totalMonthlySavingsUsd: number };
    expect(json.totalMonthlySavingsUsd).toBeCloseTo(summary.totalMonthlySavingsUsd, 9);
  });

  it('is reached as `kubectl cost savings` through the plugin on the PATH, printing what the plugin prints', async () => {
    const bin = join(scratch, 'savings-bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(fileURLToPath(new URL('../../bin/kubectl-cost.js', import.meta.url)), join(bin, 'kubectl-cost'));
    const { stdout } = await run('kubectl', ['cost', 'savings', '--api-url', savingsUrl], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    expect(stdout).toBe((await cost(['savings'])).stdout);
    expect(parseTable(stdout).at(-1)?.KIND).toBe('TOTAL');
  });
});

describe('kubectl cost approve', () => {
  it('approves the version kubectl cost recommendations shows, once, and refuses a version that is no longer current', async () => {
    const [latest] = (JSON.parse((await kubectlCost(['recommendations', '-n', 'api', '-o', 'json'])).stdout) as { recommendations: Recommendation[] }).recommendations;
    if (!latest) throw new Error('no recommendation in api');
    const version = String(latest.generatedAt);
    const first = await kubectlCost(['approve', latest.key, '--generated-at', version, '--comment', 'reviewed in the weekly']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^${latest.key} approved: version ${new Date(latest.generatedAt).toISOString()}, by .+ as admin \\(approval \\d+\\)\\n$`));
    expect((await kubectlCost(['approve', latest.key])).stdout).toContain('already approved');
    const listed = (await (await fetch(`${apiUrl}/v1/approvals?key=${encodeURIComponent(latest.key)}`)).json()) as { approvals: Array<{ state: string; comment: string }> };
    expect(listed.approvals).toEqual([expect.objectContaining({ state: 'approved', comment: 'reviewed in the weekly' })]);
    const stale = await kubectlCost(['approve', latest.key, '--generated-at', String(latest.generatedAt - 3_600_000)]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/409.*has changed/);
    const missing = await kubectlCost(['approve']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs the key of a recommendation');
  });
});
