import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { promtool } from './promtool.js';
import { REPO } from './repo.js';

const RULES_DIR = join(REPO, 'deploy/prometheus/rules');
const RULES = join(RULES_DIR, 'kcost.rules.yml');
const PROMTOOL = promtool();

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }>;
}

// Served by something other than `kcost export`: the chart renders it from values.yaml budgets.
const EXTERNAL_SERIES = new Set(['kube_cost_namespace_budget_usd']);

describe('Prometheus alert rules', () => {
  const rules = parse(readFileSync(RULES, 'utf8')) as RuleFile;

  it('cover namespace budgets, anomaly severity and the exporter being down', () => {
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter(Boolean);
    expect(alerts).toEqual(expect.arrayContaining(['KcostNamespaceBudgetProjectedOver', 'KcostNamespaceBudgetExceeded', 'KcostNamespaceBudgetForecastExceeded', 'KcostNamespaceDailySpendOverBudget', 'KcostCostAnomalyWarning', 'KcostCostAnomalyCritical', 'KcostExporterDown']));
  });

  it('use only kube_cost_* series the exporter serves (or the documented budget series)', () => {
    const exporterSource = readdirSync(join(REPO, 'services/exporter'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(REPO, 'services/exporter', f), 'utf8'))
      .join('\n');
    const used = new Set(rules.groups.flatMap((g) => g.rules.flatMap((r) => r.expr.match(/(?<![:\w])kube_cost_[a-z_]+(?![:\w])/g) ?? [])));
    expect(used.size).toBeGreaterThan(4);
    for (const series of used) {
      if (EXTERNAL_SERIES.has(series)) continue;
      expect(exporterSource, series).toContain(`'${series}'`);
    }
  });

  it('are the same in the Helm chart', () => {
    expect(readFileSync(join(REPO, 'deploy/helm/kcost/files/kcost.rules.yml'), 'utf8')).toBe(readFileSync(RULES, 'utf8'));
  });
});

// CI installs promtool with Debian's prometheus package; without it these are skipped, not passed.
describe.skipIf(!PROMTOOL)(`promtool (${PROMTOOL ?? 'not installed: apt-get install -y prometheus'})`, () => {
  const run = (...args: string[]) => execFileSync(PROMTOOL as string, args, { cwd: RULES_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  it('checks the rules', () => {
    expect(run('check', 'rules', 'kcost.rules.yml')).toMatch(/SUCCESS: 18 rules found/);
  });

  it('passes the rule unit tests', () => {
    expect(run('test', 'rules', 'kcost.rules.test.yml')).toMatch(/SUCCESS/);
  });

  it('warns of a budget days before the spend crosses it, from the projection and nothing else', () => {
    expect(run('test', 'rules', 'kcost.budget-projection.test.yml')).toMatch(/SUCCESS/);
    // Compared on the spend instead of the projection, the warning comes nine days late and the test fails.
    const changed = readFileSync(RULES, 'utf8').replace(
      'max by (cluster, namespace) (kube_cost_namespace_projected_monthly_usd)',
      'max by (cluster, namespace) (kube_cost_namespace_month_to_date_usd)',
    );
    expect(changed).not.toBe(readFileSync(RULES, 'utf8'));
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    try {
      execFileSync('sh', ['-c', `cp kcost.budget-projection.test.yml "${dir}/" && cat > "${dir}/kcost.rules.yml"`], { cwd: RULES_DIR, input: changed });
      expect(() => execFileSync(PROMTOOL as string, ['test', 'rules', 'kcost.budget-projection.test.yml'], { cwd: dir, stdio: 'pipe' })).toThrow();
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  });

  it('fails the unit tests when a threshold moves, so they test something', () => {
    const changed = readFileSync(RULES, 'utf8').replace('>= 12', '>= 14');
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    try {
      execFileSync('sh', ['-c', `cp kcost.rules.test.yml "${dir}/" && cat > "${dir}/kcost.rules.yml"`], { cwd: RULES_DIR, input: changed });
      expect(() => execFileSync(PROMTOOL as string, ['test', 'rules', 'kcost.rules.test.yml'], { cwd: dir, stdio: 'pipe' })).toThrow();
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  });

  it('accepts the Prometheus configuration of docker-compose.yml', () => {
    expect(run('check', 'config', '--syntax-only', join(REPO, 'deploy/prometheus/prometheus.yml'))).toMatch(/SUCCESS/);
  });
});
