import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CostStore } from '../../services/exporter/cost-store.js';
import { exportRole } from '../../services/exporter/export-role.js';
import { promtool } from '../deploy/promtool.js';
import { REPO } from '../deploy/repo.js';
import { nodeCost, podCost } from './records.js';

const RULES_DIR = join(REPO, 'deploy/prometheus/rules');
const PROMTOOL = promtool();

interface RuleTests {
  tests: Array<{ name: string; promql_expr_test?: Array<{ expr: string }> }>;
}

/** The README's Metrics section: its table rows as cells, backticks kept. */
function metricsRows(): string[][] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Metrics\n'), readme.indexOf('\n## ', readme.indexOf('\n## Metrics\n') + 1));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()))
    .filter((cells) => cells[cells.length - 1]?.startsWith('`'));
}

const unquote = (cell: string | undefined) => (cell ?? '').replace(/^`|`$/g, '');

describe("README's metrics tables", () => {
  const rows = metricsRows();
  const queries = rows.map((cells) => unquote(cells[cells.length - 1]));

  it('give a query for every kube_cost_* family the exporter serves, and for the questions users ask', () => {
    // Every family, with series: one record of each kind, and a later window so the first is complete.
    const store = new CostStore({ graceMillis: 60_000, now: () => 0 });
    store.applyPodCost(podCost({ podUid: 'u', podName: 'p', storageCostUsd: 0.1, volumes: [{ persistentVolume: 'pv', claim: 'c', storageClass: 'gp3', capacityBytes: 1, costUsd: 0.1, providerVolumeId: null }] }));
    store.applyNodeCost(nodeCost({ nodeName: 'n' }));
    store.applyPodCost(podCost({ podUid: 'u', podName: 'p', windowStart: podCost({ podUid: 'u', podName: 'p' }).windowStart + 60_000 }));
    store.seal(store.sealTargets());
    const served = Object.keys(store.sizes().series).filter((name) => name !== 'kube_cost_anomaly_score' && name !== 'kube_cost_namespace_budget_usd');
    const documented = rows.map((cells) => unquote(cells[0]).replace(/\{.*$/, ''));
    for (const family of [...served, 'kube_cost_anomaly_score', 'kube_cost_namespace_budget_usd']) expect(documented, family).toContain(family);
    const questions = rows.map((cells) => cells[0] ?? '');
    for (const question of ['total monthly cost', 'cost by namespace', 'spot savings %', 'namespace budget alert', 'potential monthly saving from right-sizing']) expect(questions.some((q) => q.startsWith(question)), question).toBe(true);
  });

  it('name only families that kcost export --help defines too', () => {
    const help = exportRole.description;
    const families = Object.keys(new CostStore({ graceMillis: 60_000, now: () => 0 }).sizes().series);
    expect(families).toContain('kube_cost_recommendation_monthly_savings_usd');
    for (const family of families) expect(help, family).toMatch(new RegExp(`\\b${family}\\b`));
  });

  it('are each one of the expressions the promtool rule tests check', () => {
    const tests = parse(readFileSync(join(RULES_DIR, 'kcost.rules.test.yml'), 'utf8')) as RuleTests;
    const tested = new Set(tests.tests.flatMap((t) => (t.promql_expr_test ?? []).map((e) => e.expr.trim())));
    expect(queries.length).toBeGreaterThanOrEqual(15);
    for (const query of queries) expect(tested, query).toContain(query);
  });

  it.skipIf(!PROMTOOL)('pass those promtool tests', () => {
    expect(execFileSync(PROMTOOL as string, ['test', 'rules', 'kcost.rules.test.yml'], { cwd: RULES_DIR, encoding: 'utf8' })).toMatch(/SUCCESS/);
  });
});
