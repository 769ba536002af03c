import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../services/api/app.js';
import { parseCsv } from '../../services/api/csv.js';
import { buildApi, loadThroughSink, type LoadedDatabase } from '../api/api-harness.js';
import { anomalyRecords, costRecords, NOW, priceRecords } from '../api/cost-records.js';
import { parseTable, runPlugin } from './plugin.js';

// The plugin against a listening API over a database the real sink loaded.

const DAYS = '2026-10-30T00:00:00Z,2026-11-02T00:00:00Z';
const MANIFEST = fileURLToPath(new URL('../fixtures/api/estimate-manifest.yaml', import.meta.url));
const TOKEN = 'plugin-test-token';

let db: LoadedDatabase;
let api: ApiApp;
let apiUrl: string;

beforeAll(async () => {
  const { pods, nodes } = costRecords();
  db = await loadThroughSink({ pods, nodes, anomalies: anomalyRecords(), prices: priceRecords() });
  api = await buildApi(db.pool, NOW, { token: TOKEN });
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await api?.close();
  await db?.close();
});

/** Runs `kubectl cost <args>` in-process, as bin/kubectl-cost.js does (`kcost cost <args>`). */
const kubectlCost = (args: string[], withToken = true) => runPlugin(args, ['--api-url', apiUrl, ...(withToken ? ['--token', TOKEN] : [])]);

async function apiGet(query: string): Promise<Response> {
  return fetch(`${apiUrl}/v1/allocation?${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
}

/** Splits a printed table into records keyed by header (columns are three or more spaces apart). */
type ApiRow = { name: string; cpuCostUsd: number; memoryCostUsd: number; storageCostUsd: number; idleCostUsd: number; totalCostUsd: number; spotSavingsUsd: number; cpuEfficiency: number | null };

describe('kubectl cost tables', () => {
  it.each([
    [['namespace', '--window', DAYS], `window=${DAYS}&aggregate=namespace`],
    [['workload', '-n', 'web', '--cluster', 'c1', '--window', DAYS], `window=${DAYS}&aggregate=workload&filter=${encodeURIComponent('cluster:"c1"+namespace:"web"')}`],
    [['pod', '--window', '24h'], 'window=24h&aggregate=pod'],
    [['node', '--window', DAYS, '--idle', 'include'], `window=${DAYS}&aggregate=node&idle=include`],
    [['label', 'team', '--window', DAYS, '--idle', 'share'], `window=${DAYS}&aggregate=label:team&idle=share`],
  ])('%j prints the API rows', async (args, query) => {
    const { code, stdout, stderr } = await kubectlCost(args);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const answer = (await (await apiGet(query)).json()) as { rows: ApiRow[]; totals: ApiRow };
    expect(answer.rows.length).toBeGreaterThan(0);
    const printed = parseTable(stdout);
    expect(printed.map((r) => r.NAME)).toEqual([...answer.rows.map((r) => r.name), 'TOTAL']);
    [...answer.rows, { ...answer.totals, name: 'TOTAL', cpuEfficiency: null }].forEach((row, i) => {
      const line = printed[i] ?? {};
      expect(line.CPU).toBe(row.cpuCostUsd.toFixed(4));
      expect(line.MEMORY).toBe(row.memoryCostUsd.toFixed(4));
      expect(line.STORAGE).toBe(row.storageCostUsd.toFixed(4));
      expect(line.IDLE).toBe(row.idleCostUsd.toFixed(4));
      expect(line.TOTAL).toBe(row.totalCostUsd.toFixed(4));
      expect(line['SPOT SAVINGS']).toBe(row.spotSavingsUsd.toFixed(4));
      expect(line['CPU EFF']).toBe(row.cpuEfficiency === null ? '-' : `${(row.cpuEfficiency * 100).toFixed(1)}%`);
    });
  });

  it('prints the API answer itself with -o json and -o csv', async () => {
    const json = await kubectlCost(['workload', '--window', DAYS, '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(await (await apiGet(`window=${DAYS}&aggregate=workload`)).json());
    const csv = await kubectlCost(['label', 'app', '--window', DAYS, '-o', 'csv']);
    expect(csv.stdout).toBe(await (await apiGet(`window=${DAYS}&aggregate=label:app&format=csv`)).text());
  });

  it('kubectl cost focus prints the FOCUS CSV of GET /v1/focus, narrowed by --cluster and -n', async () => {
    const all = await kubectlCost(['focus', '--window', DAYS]);
    expect(all.stderr).toBe('');
    const answer = await fetch(`${apiUrl}/v1/focus?window=${encodeURIComponent(DAYS)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(all.stdout).toBe(await answer.text());
    const web = await kubectlCost(['focus', 'namespace', '--window', DAYS, '--cluster', 'c1', '-n', 'web']);
    const [header = [], ...rows] = parseCsv(web.stdout);
    const at = (name: string) => header.indexOf(name);
    expect(rows.length).toBeGreaterThan(0);
    // Idle belongs to no namespace: a namespace filter narrows only the allocation rows, as in /v1/allocation.
    for (const row of rows) expect([row[at('x_KcostCluster')], row[at('x_KcostCostKind')] === 'idle' ? 'web' : row[at('x_KcostNamespace')]]).toEqual(['c1', 'web']);
    const json = await kubectlCost(['focus', '-o', 'json']);
    expect(json.code).toBe(2);
  });

  it('kubectl cost focus --cost-basis reconciled asks GET /v1/focus for the reconciled basis, and only focus takes it', async () => {
    const reconciled = await kubectlCost(['focus', '--window', DAYS, '--cost-basis', 'reconciled']);
    expect(reconciled.stderr).toBe('');
    const answer = await fetch(`${apiUrl}/v1/focus?window=${encodeURIComponent(DAYS)}&costBasis=reconciled`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(reconciled.stdout).toBe(await answer.text());
    // The reconciled basis is daily: the API's refusal of a window of hours shows the parameter reached it.
    const hours = await kubectlCost(['focus', '--window', '24h', '--cost-basis', 'reconciled']);
    expect(hours.code).toBe(1);
    expect(hours.stderr).toContain('costBasis=reconciled answers whole UTC days');
    const table = await kubectlCost(['namespace', '--cost-basis', 'reconciled']);
    expect(table.code).toBe(2);
    expect(table.stderr).toContain('--cost-basis applies to kubectl cost focus only');
  });

  it('fails with the API\'s message: no token, a bad window, an unknown command', async () => {
    const unauthorized = await kubectlCost(['namespace'], false);
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).toMatch(/answered 401 .*Bearer/);
    const badWindow = await kubectlCost(['namespace', '--window', 'fortnight']);
    expect(badWindow.code).toBe(1);
    expect(badWindow.stderr).toContain('answered 400 to /v1/allocation: parameter "window"');
    const unknown = await kubectlCost(['deployments']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "deployments"');
  });
});

describe('kubectl cost estimate', () => {
  // Per replica, the scheduler reserves max(containers' sum, largest init container):
  //   web:   cpu max(0.5 + 0.1, 0.2) = 0.6 cores, memory max(1 GiB + 0.125 GiB, 2 GiB) = 2 GiB; 3 replicas
  //   db:    requests default to limits: 2 cores, 4 GiB; 2 replicas; a 10 GiB standard-rwo claim each
  //   agent: 0.1 core, 200 Mi = 0.1953125 GiB; a DaemonSet on --node-count 4 nodes
  // Default compute prices 0.031611 $/vCPU-h and 0.004237 $/GiB-h (no --instance-type), 730 h a month;
  // storage at the current standard-rwo price the API knows, 0.048 $/GiB-month:
  //   web   (0.6 × 0.031611 + 2 × 0.004237) × 3 × 730                   =  60.094914
  //   db    (2 × 0.031611 + 4 × 0.004237) × 2 × 730 + 10 × 0.048 × 2    = 118.0082
  //   agent (0.1 × 0.031611 + 0.1953125 × 0.004237) × 4 × 730            =  11.6468260625
  //   total                                                              = 189.7499400625
  // The GCP price of e2-standard-4 (0.021811 $/vCPU-h, 0.002923 $/GiB-h) and of standard-rwo (0.048 $/GiB-month):
  //   web   (0.6 × 0.021811 + 2 × 0.002923) × 3 × 730                   =  41.462394
  //   db    (2 × 0.021811 + 4 × 0.002923) × 2 × 730 + 10 × 0.048 × 2    =  81.71844
  //   agent (0.1 × 0.021811 + 0.1953125 × 0.002923) × 4 × 730            =   8.0358354375
  //   total                                                              = 131.2166694375
  it.each([
    [[], 189.7499400625, [60.094914, 118.0082, 11.6468260625]],
    [['--instance-type', 'e2-standard-4', '--provider', 'gcp', '--region', 'europe-west1'], 131.2166694375, [41.462394, 81.71844, 8.0358354375]],
  ])('prices the sample manifest %j', async (flags, total, perWorkload) => {
    const table = await kubectlCost(['estimate', '-f', MANIFEST, '--node-count', '4', ...flags]);
    expect(table.code).toBe(0);
    expect(table.stderr).toContain('skipped Service/web');
    const [body = '', prices = ''] = table.stdout.split('\n\n');
    const rows = parseTable(body);
    expect(rows.slice(0, 3).map((r) => [r.WORKLOAD, r['MONTHLY USD']])).toEqual([
      ['shop/Deployment/web', perWorkload[0]?.toFixed(2)],
      ['shop/StatefulSet/db', perWorkload[1]?.toFixed(2)],
      ['monitoring/DaemonSet/agent', perWorkload[2]?.toFixed(2)],
    ]);
    // The TOTAL line has only its label and the sum.
    expect(body.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^TOTAL {3,}${total.toFixed(2).replace('.', '\\.')}$`));
    expect(rows[0]).toMatchObject({ REPLICAS: '3', CPU: '1.800', 'MEMORY GIB': '6.000' });
    expect(rows[1]).toMatchObject({ REPLICAS: '2', 'STORAGE GIB': '20.0' });
    expect(prices).toMatch(/^Prices: /);
    const json = JSON.parse((await kubectlCost(['estimate', '-f', MANIFEST, '--node-count', '4', '-o', 'json', ...flags])).stdout) as { monthlyUsd: number; workloads: Array<{ monthlyUsd: number }> };
    expect(json.monthlyUsd).toBeCloseTo(total, 9);
    json.workloads.forEach((w, i) => expect(w.monthlyUsd).toBeCloseTo(perWorkload[i] ?? Number.NaN, 9));
  });

  it('exits 3 over --max-monthly-usd and 0 within it', async () => {
    const over = await kubectlCost(['estimate', '-f', MANIFEST, '--node-count', '4', '--max-monthly-usd', '150']);
    expect(over.code).toBe(3);
    expect(over.stderr).toContain('estimated monthly cost 189.75 USD exceeds --max-monthly-usd 150');
    expect((await kubectlCost(['estimate', '-f', MANIFEST, '--node-count', '4', '--max-monthly-usd', '190'])).code).toBe(0);
  });

  it('asks for the node size when the price is a whole-node price', async () => {
    const result = await kubectlCost(['estimate', '-f', MANIFEST, '--instance-type', 'm5.large', '--provider', 'aws']);
    // A missing flag is a usage error: exit status 2, as for any bad flag.
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give --node-cpu and --node-memory-gib');
    // m5.large: 2 vCPU, 8 GiB at 0.09 $/h (the price in effect since 2026-10-31).
    const split = await kubectlCost(['estimate', '-f', MANIFEST, '--instance-type', 'm5.large', '--provider', 'aws', '--node-cpu', '2', '--node-memory-gib', '8', '-o', 'json']);
    const prices = (JSON.parse(split.stdout) as { prices: { cpuCoreHourUsd: number; memoryGibHourUsd: number; source: string } }).prices;
    expect(2 * prices.cpuCoreHourUsd + 8 * prices.memoryGibHourUsd).toBeCloseTo(0.09, 12);
    expect(prices.source).toContain('aws-pricing aws/us-east-1/m5.large');
  });
});
