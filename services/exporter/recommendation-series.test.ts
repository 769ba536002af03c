import { describe, expect, it } from 'vitest';
import { recommendation } from '../../test/fixtures/storage/recommendations.js';
import { adviseCluster } from '../savings/cluster-savings.js';
import { SMALL_CLUSTER_OPTIONS, smallCluster } from '../../test/fixtures/savings/small-cluster.js';
import { RecommendationSeries } from './recommendation-series.js';

const GIB = 1_073_741_824;
const MIB = 1_048_576;
const T = Date.UTC(2026, 11, 6, 12, 0);

const text = (series: RecommendationSeries) => Buffer.concat(series.families.flatMap((f) => f.chunks())).toString('utf8');
const lines = (series: RecommendationSeries) => text(series).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
const TARGET = 'cluster="prod-eu",namespace="shop",workload_kind="Deployment",workload="checkout",container="app"';

describe('RecommendationSeries', () => {
  it('serves the saving and, per advised resource, the recommended and current requests and limits with kube-state-metrics units', () => {
    const series = new RecommendationSeries();
    const record = recommendation({ generatedAt: T, savingUsd: 41.25, risk: 'MEDIUM' });
    expect(series.apply(record.key, record)).toBe('applied');
    expect(lines(series).sort()).toEqual(
      [
        `kube_cost_recommendation_monthly_savings_usd{${TARGET},kind="WORKLOAD_RESOURCES",risk="MEDIUM"} 41.25`,
        `kube_cost_recommendation_container_resource_requests{${TARGET},resource="cpu",unit="core"} 0.45`,
        `kube_cost_recommendation_container_resource_requests{${TARGET},resource="memory",unit="byte"} ${700 * MIB}`,
        // No CPU limit is advised (nor set today): no series rather than a 0 that reads as "limit 0".
        `kube_cost_recommendation_container_resource_limits{${TARGET},resource="memory",unit="byte"} ${840 * MIB}`,
        `kube_cost_recommendation_current_container_resource_requests{${TARGET},resource="cpu",unit="core"} 1`,
        `kube_cost_recommendation_current_container_resource_requests{${TARGET},resource="memory",unit="byte"} ${GIB}`,
        `kube_cost_recommendation_current_container_resource_limits{${TARGET},resource="memory",unit="byte"} ${GIB}`,
      ].sort(),
    );
    expect(text(series)).toContain('# TYPE kube_cost_recommendation_container_resource_requests gauge');
  });

  it('shows only resources whose advice is CHANGE or KEEP', () => {
    const series = new RecommendationSeries();
    const record = recommendation({ cpu: { action: 'NONE', recommendedRequest: null, recommendedLimit: null, reasons: ['INSUFFICIENT_HISTORY'] }, memory: { action: 'KEEP', recommendedRequest: GIB, recommendedLimit: GIB } });
    series.apply(record.key, record);
    const resourceLines = lines(series).filter((l) => l.includes('resource='));
    expect(resourceLines).toHaveLength(4);
    expect(resourceLines.every((l) => l.includes('resource="memory"'))).toBe(true);
    expect(lines(series).filter((l) => l.startsWith('kube_cost_recommendation_monthly_savings_usd'))).toHaveLength(1);
  });

  it('keeps the newest version per key, moves the risk label with it and lets an older one change nothing', () => {
    const series = new RecommendationSeries();
    const first = recommendation({ generatedAt: T, savingUsd: 40, risk: 'LOW' });
    expect(series.apply(first.key, first)).toBe('applied');
    expect(series.apply(first.key, recommendation({ generatedAt: T + 3_600_000, savingUsd: 55, risk: 'HIGH', cpu: { action: 'NONE', recommendedRequest: null } }))).toBe('applied');
    expect(series.apply(first.key, recommendation({ generatedAt: T - 1, savingUsd: 99 }))).toBe('duplicate');
    const savings = lines(series).filter((l) => l.startsWith('kube_cost_recommendation_monthly_savings_usd'));
    expect(savings).toEqual([`kube_cost_recommendation_monthly_savings_usd{${TARGET},kind="WORKLOAD_RESOURCES",risk="HIGH"} 55`]);
    // The CPU advice went to NONE: its series went with it.
    expect(lines(series).some((l) => l.includes('resource="cpu"'))).toBe(false);
  });

  it('removes every series of a key on its tombstone, and a later version brings them back', () => {
    const series = new RecommendationSeries();
    const a = recommendation({ generatedAt: T });
    const b = recommendation({ generatedAt: T, target: { workloadName: 'cart' } });
    series.apply(a.key, a);
    series.apply(b.key, b);
    expect(series.size).toBe(2);
    expect(series.retire(a.key)).toBe('applied');
    expect(series.retire(a.key)).toBe('ignored');
    expect(series.size).toBe(1);
    expect(lines(series)).toHaveLength(7);
    expect(lines(series).every((l) => l.includes('workload="cart"'))).toBe(true);
    // After a tombstone the key starts afresh: even an older version is the latest there is.
    expect(series.apply(a.key, recommendation({ generatedAt: T - 5 }))).toBe('applied');
    expect(lines(series)).toHaveLength(14);
  });

  it('skips kinds it does not know, and refuses a record without its detail or under another Kafka key', () => {
    const series = new RecommendationSeries();
    const record = recommendation();
    expect(series.apply(record.key, { ...record, kind: 'UNKNOWN', workloadResources: null })).toBe('ignored');
    expect(series.apply(record.key, { ...record, workloadResources: null })).toBe('invalid');
    expect(series.apply('prod-eu/shop/Deployment/other/app', record)).toBe('invalid');
    expect(series.apply(record.key, { ...record, saving: { ...record.saving, monthlySavingsUsd: Number.NaN } })).toBe('invalid');
    expect(series.size).toBe(0);
    expect(text(series)).toBe('');
  });

  it('escapes label values from the record', () => {
    const series = new RecommendationSeries();
    const record = recommendation({ target: { cluster: 'eu "west"\\1', container: 'a\nb' } });
    series.apply(record.key, record);
    expect(text(series)).toContain('cluster="eu \\"west\\"\\\\1"');
    expect(text(series)).toContain('container="a\\nb"');
  });

  it('serves one advice series per record of the other kinds, by kind and target, and retires it on a tombstone', () => {
    const series = new RecommendationSeries();
    const advice = adviseCluster(smallCluster(), SMALL_CLUSTER_OPTIONS);
    for (const record of advice) expect(series.apply(record.key, record), record.key).toBe('applied');
    const advised = lines(series).filter((l) => l.startsWith('kube_cost_advice_monthly_savings_usd{'));
    expect(advised).toHaveLength(advice.length);
    const pool = advice.find((r) => r.key === 'c1/NodePool/general')!;
    expect(advised).toContain(`kube_cost_advice_monthly_savings_usd{cluster="c1",kind="NODE_POOL",target="NodePool/general",namespace="",risk="MEDIUM"} ${pool.saving.monthlySavingsUsd}`);
    const spot = advice.find((r) => r.key === 'c1/web/Deployment/frontend/Spot')!;
    expect(advised).toContain(`kube_cost_advice_monthly_savings_usd{cluster="c1",kind="SPOT_WORKLOAD",target="web/Deployment/frontend/Spot",namespace="web",risk="MEDIUM"} ${spot.saving.monthlySavingsUsd}`);
    expect(lines(series).filter((l) => l.startsWith('kube_cost_recommendation_'))).toEqual([]);
    expect(series.retire(pool.key)).toBe('applied');
    expect(lines(series).filter((l) => l.includes('NodePool/general'))).toEqual([]);
  });
});
