import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recommendation } from '../../services/codec/records.generated.js';
import { adviseCluster } from '../../services/savings/cluster-savings.js';
import { SMALL_CLUSTER_OPTIONS, smallCluster } from '../fixtures/savings/small-cluster.js';
import { costDatabase, type CostDatabase } from './dashboard-db.js';
import { panelSql, sqlOf } from './dashboard-panels.js';
import type { TimeRange, VariableValue } from './grafana-sql.js';

// The Right-sizing dashboard's "Cluster savings advice" panel over the advice
// kcost savings gives a small hand-priced cluster (test/fixtures/savings),
// loaded through the sink's writer, beside a right-sizing record the panel
// must leave out.

const UID = 'kcost-rightsizing';
const PANEL = 'Cluster savings advice';

describe('the cluster savings panel on the real schema', () => {
  let database: CostDatabase;
  const advice: Recommendation[] = adviseCluster(smallCluster(), SMALL_CLUSTER_OPTIONS);
  const variables: Record<string, VariableValue> = {
    cluster: { values: ['c1'], quoted: true },
    namespace: { values: ['web'], quoted: true },
    bucket: { values: ['1d'], quoted: false },
  };
  const RANGE: TimeRange = { from: new Date(Date.UTC(2026, 10, 1)), to: new Date(Date.UTC(2026, 11, 2)) };
  const run = async (vars = variables) => (await database.pool.query<Record<string, unknown>>(panelSql(sqlOf(UID, PANEL), vars, RANGE))).rows;

  beforeAll(async () => {
    database = await costDatabase('kcost_dashboard_savings', { pods: [], nodes: [], anomalies: [], recommendations: advice.map((value) => ({ key: value.key, value })) });
  });

  afterAll(async () => {
    await database?.end();
  });

  it('lists every kind of cluster-savings advice, largest saving first, each with what it rests on', async () => {
    const rows = await run();
    const expected = [...advice].sort((a, b) => b.saving.monthlySavingsUsd - a.saving.monthlySavingsUsd || (a.key < b.key ? -1 : 1));
    expect(rows.map((r) => `c1/${String(r.Target)}`)).toEqual(expected.map((r) => r.key));
    expect(new Set(rows.map((r) => r.Kind))).toEqual(new Set(['NODE_POOL', 'SPOT_WORKLOAD', 'COMMITMENT', 'ARM_WORKLOAD']));
    for (const [i, row] of rows.entries()) {
      const record = expected[i]!;
      expect(Number(row['Monthly saving'])).toBeCloseTo(record.saving.monthlySavingsUsd, 9);
      expect([row.Confidence, row.Risk, row.Reasons, (row['Advised at'] as Date).getTime()]).toEqual([record.confidence, record.risk, record.reasons.join(', '), record.generatedAt]);
    }
    const advised = (key: string) => rows.find((r) => `c1/${String(r.Target)}` === key)?.Advice;
    const pool = advice.find((r) => r.key === 'c1/NodePool/general')!.nodePool!;
    const lines = (l: typeof pool.current) => l.map((x) => `${x.count} x ${x.instanceType}`).join(', ');
    expect(advised('c1/NodePool/general')).toBe(`ON_DEMAND: ${lines(pool.current)} → ${lines(pool.proposed)}`);
    expect(advised('c1/web/Deployment/frontend/Spot')).toBe('suitable');
    expect(advised('c1/api/StatefulSet/db/Spot')).toMatch(/^not suitable: .*CONTROLLER_KIND/);
    expect(advised('c1/Commitment/aws/us-east-1/m5/1y')).toBe('1y at 27 % off: commit 1.121 USD/h, 100 % utilized');
    expect(advised('c1/web/Deployment/frontend/Arm')).toBe('m5.2xlarge → m6g.2xlarge');
  });

  it('shows nothing of another cluster', async () => {
    expect(await run({ ...variables, cluster: { values: ['c2'], quoted: true } })).toEqual([]);
  });
});
