import { describe, expect, it } from 'vitest';
import type { Recommendation } from '../codec/records.generated.js';
import { recommendation } from '../../test/fixtures/storage/recommendations.js';
import { savingsRecord } from './advice-envelope.js';
import { summarizeSavings } from './savings-summary.js';

const envelope = (kind: Recommendation['kind'], key: string) => ({
  kind,
  key,
  cluster: 'c1',
  generatedAt: 0,
  confidence: 1,
  risk: 'MEDIUM' as const,
  reasons: [],
  strategy: { name: 'test', parameters: {} },
});
const monthly = (current: number, saving: number) => ({ currentUsd: current / 730, recommendedUsd: (current - saving) / 730, priceSources: [] });
const workload = { cluster: 'c1', namespace: 'web', workloadKind: 'Deployment', workloadName: 'frontend' };

function spot(saving: number): Recommendation {
  return savingsRecord(envelope('SPOT_WORKLOAD', 'c1/web/Deployment/frontend/Spot'), monthly(100, saving), {
    spotWorkload: { target: workload, replicas: 3, suitable: true, rules: [], instanceTypes: ['m5.xlarge'], onDemandHourlyUsd: 0, spotHourlyUsd: 0, lookbackHours: 168 },
  });
}
function arm(saving: number): Recommendation {
  return savingsRecord(envelope('ARM_WORKLOAD', 'c1/web/Deployment/frontend/Arm'), monthly(100, saving), { armWorkload: { target: workload, moves: [], note: '' } });
}
function commitment(term: '1y' | '3y', current: number, saving: number): Recommendation {
  return savingsRecord(envelope('COMMITMENT', `c1/Commitment/aws/us-east-1/m5/${term}`), monthly(current, saving), {
    commitment: {
      target: { cluster: 'c1', provider: 'aws', region: 'us-east-1', instanceFamily: 'm5', term },
      discount: 0.3,
      discountSource: 'test',
      upfrontFraction: 0,
      lookbackHours: 720,
      commitmentUsdPerHour: 1,
      coveredOnDemandUsdPerHour: 1,
      minimumHourlyUsd: 1,
      averageHourlyUsd: 1,
      expectedUtilization: 1,
      coverage: 1,
      breakEvenMonth: 1,
    },
  });
}
const byKey = (records: Recommendation[]) => new Map(summarizeSavings(records).lines.map((l) => [l.key, l]));

describe('adding savings up, each dollar once', () => {
  it('counts every record whole when none overlaps, and totals them', () => {
    const a = recommendation({ target: { cluster: 'c1', namespace: 'web', workloadName: 'frontend', container: 'app' }, generatedAt: 0, savingUsd: 40 });
    const b = recommendation({ target: { cluster: 'c1', namespace: 'api', workloadName: 'gateway', container: 'envoy' }, generatedAt: 0, savingUsd: -8 });
    const summary = summarizeSavings([a, b]);
    expect(summary.totalMonthlySavingsUsd).toBeCloseTo(32, 9);
    expect(summary.lines.map((l) => [l.key, l.countedMonthlySavingsUsd, l.note])).toEqual([
      [a.key, 40, null],
      [b.key, -8, null],
    ]);
  });

  it('counts the larger of a workload\'s spot and ARM moves, on the cost its right-sizing leaves', () => {
    // The container costs 100 a month today (the fixture's pricing) and right-sizing saves 25 of it: the spot saving of 60 counts on the other 75 %.
    const container = recommendation({ target: { cluster: 'c1', namespace: 'web', workloadName: 'frontend', container: 'app' }, generatedAt: 0, savingUsd: 25 });
    const current = container.saving.currentMonthlyUsd;
    const lines = byKey([container, spot(60), arm(20)]);
    expect(lines.get('c1/web/Deployment/frontend/Arm')?.countedMonthlySavingsUsd).toBe(0);
    expect(lines.get('c1/web/Deployment/frontend/Spot')?.countedMonthlySavingsUsd).toBeCloseTo(60 * (1 - 25 / current), 9);
    expect(lines.get(container.key)?.countedMonthlySavingsUsd).toBe(25);
  });

  it('counts one commitment term per family, scaled to the on-demand spend the other advice leaves', () => {
    const lines = byKey([commitment('1y', 1000, 150), commitment('3y', 1000, 300), spot(200)]);
    expect(lines.get('c1/Commitment/aws/us-east-1/m5/1y')?.countedMonthlySavingsUsd).toBe(0);
    // The spot move takes 200 of the 1,000 a month the commitment was sized on.
    expect(lines.get('c1/Commitment/aws/us-east-1/m5/3y')?.countedMonthlySavingsUsd).toBeCloseTo(300 * 0.8, 9);
  });

  it('leaves out the right-sizing records an idle workload supersedes', () => {
    const container = recommendation({ target: { cluster: 'c1', namespace: 'web', workloadName: 'frontend', container: 'app' }, generatedAt: 0, savingUsd: 25 });
    const idle = savingsRecord(envelope('IDLE_WORKLOAD', 'c1/web/Deployment/frontend'), monthly(100, 100), {
      idleWorkload: { target: workload, replicas: 1, supersedes: [container.key], containers: [] },
    });
    const summary = summarizeSavings([container, idle]);
    expect(summary.totalMonthlySavingsUsd).toBeCloseTo(100, 9);
    expect(summary.lines.find((l) => l.key === container.key)?.note).toBe(`included in ${idle.key}`);
  });
});
