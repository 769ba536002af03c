import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { armCandidate } from './arm-candidates.js';

// us-east-1 Linux on-demand list prices, USD per hour.
const catalog = new Map([
  ['m5.xlarge', 0.192],
  ['m6g.xlarge', 0.154],
  ['m7g.xlarge', 0.1632],
  ['m8g.xlarge', 0.17952],
  ['c6g.xlarge', 0.136],
]);

describe('armCandidate', () => {
  it('advises the newest cheaper Graviton sibling, priced for the workload’s share of nodes', () => {
    // 2.5 node-equivalents of m5.xlarge: 0.48 USD/h today. m8g.xlarge is the
    // newest and cheaper: 0.4488 USD/h, (0.192 − 0.17952) × 2.5 × 730 =
    // 22.776 USD a month. m7g would save 52.56 and m6g 69.35: listed too.
    const advice = armCandidate({ provider: 'aws', instanceType: 'm5.xlarge', onDemandHourlyUsd: 0.192, catalog, workloadShareOfNodes: 2.5 });
    expect(advice?.armInstanceType).toBe('m8g.xlarge');
    expect(advice?.currentHourlyUsd).toBeCloseTo(0.48, 6);
    expect(advice?.armHourlyUsd).toBeCloseTo(0.4488, 6);
    expect(advice?.monthlySavingsUsd).toBeCloseTo(22.78, 2);
    expect([advice?.currentNodeHourlyUsd, advice?.armNodeHourlyUsd]).toEqual([0.192, 0.17952]);
    expect(advice?.options.map((o) => [o.instanceType, Math.round(o.monthlySavingsUsd * 100) / 100])).toEqual([
      ['m8g.xlarge', 22.78],
      ['m7g.xlarge', 52.56],
      ['m6g.xlarge', 69.35],
    ]);
  });

  it('skips a newer sibling that costs more than today’s type', () => {
    // At 0.17 USD/h (a discounted m5), m8g is dearer; m7g saves 0.0068 × 730 = 4.964 a node.
    const advice = armCandidate({ provider: 'aws', instanceType: 'm5.xlarge', onDemandHourlyUsd: 0.17, catalog, workloadShareOfNodes: 1 });
    expect(advice?.armInstanceType).toBe('m7g.xlarge');
    expect(advice?.monthlySavingsUsd).toBeCloseTo(4.96, 2);
  });

  it.each([
    { name: 'the workload is on ARM already', instanceType: 'm6g.xlarge', price: 0.154 },
    { name: 'the type is unknown', instanceType: 'weird', price: 0.2 },
    { name: 'no sibling of that size is in the catalog', instanceType: 'm5.2xlarge', price: 0.384 },
    { name: 'every sibling costs more', instanceType: 'm5.xlarge', price: 0.15 },
  ])('has nothing to advise when $name', ({ instanceType, price }) => {
    expect(armCandidate({ provider: 'aws', instanceType, onDemandHourlyUsd: price, catalog, workloadShareOfNodes: 1 })).toBeNull();
  });

  it('works from GCP and Azure catalogs too', () => {
    const gcp = new Map([['t2a-standard-4', 0.154], ['c4a-standard-4', 0.1797]]);
    expect(armCandidate({ provider: 'gcp', instanceType: 'n2-standard-4', onDemandHourlyUsd: 0.1942, catalog: gcp, workloadShareOfNodes: 1 })?.armInstanceType).toBe('c4a-standard-4');
    const azure = new Map([['Standard_D4ps_v5', 0.154], ['Standard_D4ps_v6', 0.171]]);
    expect(armCandidate({ provider: 'azure', instanceType: 'Standard_D4s_v5', onDemandHourlyUsd: 0.192, catalog: azure, workloadShareOfNodes: 1 })?.armInstanceType).toBe('Standard_D4ps_v6');
  });

  it('rejects a negative share or price with a one-line error', () => {
    expect(() => armCandidate({ provider: 'aws', instanceType: 'm5.xlarge', onDemandHourlyUsd: 0.192, catalog, workloadShareOfNodes: -1 })).toThrow('ARM candidate: workload share of nodes -1 is not a finite number ≥ 0');
    expect(() => armCandidate({ provider: 'aws', instanceType: 'm5.xlarge', onDemandHourlyUsd: Number.NaN, catalog, workloadShareOfNodes: 1 })).toThrow('ARM candidate: m5.xlarge has on-demand price NaN, not a finite amount ≥ 0');
  });

  it('whatever the prices, advice is the first cheaper option and saves what its prices say', () => {
    const price = fc.integer({ min: 1, max: 1000 }).map((c) => c / 1000);
    fc.assert(
      fc.property(price, price, price, price, fc.integer({ min: 0, max: 400 }).map((s) => s / 100), (current, m6g, m7g, m8g, share) => {
        const prices = new Map([['m6g.xlarge', m6g], ['m7g.xlarge', m7g], ['m8g.xlarge', m8g]]);
        const advice = armCandidate({ provider: 'aws', instanceType: 'm5.xlarge', onDemandHourlyUsd: current, catalog: prices, workloadShareOfNodes: share });
        const firstCheaper = ['m8g.xlarge', 'm7g.xlarge', 'm6g.xlarge'].find((t) => (prices.get(t) ?? Infinity) < current);
        expect(advice?.armInstanceType).toBe(firstCheaper);
        if (advice) expect(advice.monthlySavingsUsd).toBeCloseTo((advice.currentHourlyUsd - advice.armHourlyUsd) * 730, 9);
      }),
      { numRuns: 300 },
    );
  });
});
