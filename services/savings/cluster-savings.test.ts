import { describe, expect, it } from 'vitest';
import type { Recommendation } from '../codec/records.generated.js';
import { adviseCluster, retiredKeys } from './cluster-savings.js';
import { SMALL_CLUSTER_OPTIONS as OPTIONS, smallCluster as input, T } from '../../test/fixtures/savings/small-cluster.js';

const HOUR = 3_600_000;

const byKey = (records: Recommendation[]) => new Map(records.map((r) => [r.key, r]));

describe('cluster savings advice for a hand-priced cluster', () => {
  const advice = adviseCluster(input(), OPTIONS);
  const records = byKey(advice);

  it('gives one record per pool, spot candidate, commitment term and ARM candidate, all resting on the end of the advice hour', () => {
    expect([...records.keys()].sort()).toEqual([
      'c1/Commitment/aws/us-east-1/m5/1y',
      'c1/Commitment/aws/us-east-1/m5/3y',
      'c1/NodePool/batch',
      'c1/NodePool/general',
      'c1/api/StatefulSet/db/Arm',
      'c1/api/StatefulSet/db/Spot',
      'c1/shop/Deployment/cart/Arm',
      'c1/shop/Deployment/cart/Spot',
      'c1/web/Deployment/frontend/Arm',
      'c1/web/Deployment/frontend/Spot',
    ]);
    for (const r of advice) expect(r.generatedAt, r.key).toBe(T + HOUR);
    expect(adviseCluster(input(), OPTIONS), 'the same input gives the same records').toEqual(advice);
  });

  it('repacks the half-empty general pool onto fewer nodes, keeping both zones, the DaemonSet overhead and the pods on amd64', () => {
    const pool = records.get('c1/NodePool/general')?.nodePool;
    expect(pool?.currentHourlyUsd).toBeCloseTo(4 * 0.384, 12);
    expect(pool?.requestedCpuCores).toBeCloseTo(6, 12);
    expect(pool?.daemonSetCpuCores).toBeCloseTo(0.1, 12);
    expect(pool?.zones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(pool?.proposedHourlyUsd).toBeLessThan(pool!.currentHourlyUsd);
    expect(new Set(pool?.proposed.map((l) => l.zone))).toEqual(new Set(['us-east-1a', 'us-east-1b']));
    expect(pool?.proposed.every((l) => l.architecture === 'amd64')).toBe(true);
    expect(pool?.unplacedPods).toEqual([]);
    expect(records.get('c1/NodePool/general')?.reasons).toContain('FRAGMENTED');
    // With the frontend right-sized (0.5 core and 1 GiB instead of 1 and 2), the pods need no more.
    expect(pool?.rightSizedContainers).toBe(3);
    expect(pool?.rightSizedHourlyUsd).toBeLessThanOrEqual(pool!.proposedHourlyUsd + 1e-12);
    const saving = records.get('c1/NodePool/general')!.saving;
    expect(saving.monthlySavingsUsd).toBeCloseTo((pool!.currentHourlyUsd - pool!.proposedHourlyUsd) * 730, 9);
  });

  it('prices the suitable frontend at the spot price of its nodes\' type and zone, and says which rules the StatefulSet failed', () => {
    const frontend = records.get('c1/web/Deployment/frontend/Spot');
    expect(frontend?.spotWorkload?.suitable).toBe(true);
    // Two pods in us-east-1a (0.15 of 0.384 on demand) and one in us-east-1b (0.13), 0.05 USD an hour each today.
    const spotHourly = 0.05 * (0.15 / 0.384) * 2 + 0.05 * (0.13 / 0.384);
    expect(frontend?.spotWorkload?.spotHourlyUsd).toBeCloseTo(spotHourly, 12);
    expect(frontend?.saving.monthlySavingsUsd).toBeCloseTo((0.15 - spotHourly) * 730, 9);
    expect(frontend?.saving.priceSources).toEqual(['aws-pricing', 'aws-spot']);
    const db = records.get('c1/api/StatefulSet/db/Spot');
    expect(db?.spotWorkload?.suitable).toBe(false);
    expect(db?.saving.monthlySavingsUsd).toBe(0);
    const failed = db?.spotWorkload?.rules.filter((r) => !r.passed).map((r) => r.rule);
    expect(failed).toEqual(expect.arrayContaining(['CONTROLLER_KIND', 'REPLICAS', 'NO_LOCAL_STORAGE']));
    expect(records.get('c1/batch/Deployment/worker/Spot'), 'a workload already all on spot is no candidate').toBeUndefined();
  });

  it('commits to the minimum hourly base when the peak hours are too few to pay for more', () => {
    // 48 hours at 1.536 USD, 12 of them at 1.92: the peak is above the base a quarter of the time, less than 1 - 0.27.
    const oneYear = records.get('c1/Commitment/aws/us-east-1/m5/1y')?.commitment;
    expect(oneYear?.coveredOnDemandUsdPerHour).toBeCloseTo(1.536, 12);
    expect(oneYear?.commitmentUsdPerHour).toBeCloseTo(1.536 * 0.73, 12);
    expect(oneYear?.minimumHourlyUsd).toBeCloseTo(1.536, 12);
    expect(oneYear?.expectedUtilization).toBeCloseTo(1, 12);
    const average = (36 * 1.536 + 12 * 1.92) / 48;
    expect(records.get('c1/Commitment/aws/us-east-1/m5/1y')?.saving.monthlySavingsUsd).toBeCloseTo(1.536 * 0.27 * 730, 6);
    expect(oneYear?.averageHourlyUsd).toBeCloseTo(average, 12);
    expect(records.get('c1/Commitment/aws/us-east-1/m5/1y')?.confidence).toBeCloseTo(48 / 720, 12);
  });

  it('names the ARM sibling of the frontend\'s m5.2xlarge and prices the move by the ratio of the two prices', () => {
    const arm = records.get('c1/web/Deployment/frontend/Arm');
    const moves = arm?.armWorkload?.moves ?? [];
    expect(moves.map((m) => [m.instanceType, m.armInstanceType, m.instanceHourlyUsd, m.armInstanceHourlyUsd])).toEqual([['m5.2xlarge', 'm6g.2xlarge', 0.384, 0.308]]);
    expect(moves[0]?.workloadHourlyUsd).toBeCloseTo(0.15, 12);
    expect(arm?.saving.monthlySavingsUsd).toBeCloseTo(0.15 * (1 - 0.308 / 0.384) * 730, 9);
    expect(records.get('c1/batch/Deployment/worker/Arm'), 'no c6g in the catalog').toBeUndefined();
  });

  it('retires the keys stored before that the run no longer gives', () => {
    expect(retiredKeys(new Set(['c1/NodePool/general', 'c1/NodePool/gone', 'c1/web/Deployment/old/Spot']), advice)).toEqual(['c1/NodePool/gone', 'c1/web/Deployment/old/Spot']);
  });
});
