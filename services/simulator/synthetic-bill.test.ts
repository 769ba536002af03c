import { describe, expect, it } from 'vitest';
import { syntheticBill, type BilledMachine } from './synthetic-bill.js';
import { cur2Rows, focusRows } from './synthetic-bill-files.js';

const DAY = 86_400_000;
const MONTH = Date.UTC(2026, 10, 1);
const machines: BilledMachine[] = [
  { providerId: 'aws:///us-east-1a/i-01', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.192, upFrom: MONTH, upTo: null },
  { providerId: 'aws:///us-east-1a/i-02', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.192, upFrom: MONTH, upTo: null },
  { providerId: 'aws:///us-east-1b/i-03', instanceType: 'c5.xlarge', zone: 'us-east-1b', capacityType: 'SPOT', onDemandHourlyUsd: 0.17, upFrom: MONTH + 3.5 * DAY, upTo: MONTH + 9 * DAY },
];
const options = { seed: 3, cluster: 'sim', monthStart: MONTH, machines };

describe('syntheticBill', () => {
  it('is a pure function of its options', () => {
    expect(syntheticBill(options)).toEqual(syntheticBill(options));
    expect(syntheticBill({ ...options, seed: 4 }).finalDelivery).not.toEqual(syntheticBill(options).finalDelivery);
  });

  it('bills what the month holds: half the on-demand nodes committed, spot below list for the hours it ran, a credit, restated egress and a correction', () => {
    const bill = syntheticBill(options);
    const nodes = bill.finalDelivery.filter((c) => c.kind === 'node');
    expect(nodes.filter((c) => c.pricingCategory === 'Committed').map((c) => c.resourceId)).toEqual(Array.from({ length: 30 }, () => 'i-01'));
    const spot = nodes.filter((c) => c.resourceId === 'i-03');
    expect(spot.reduce((s, c) => s + (c.consumedQuantity ?? 0), 0)).toBeCloseTo(5.5 * 24, 6);
    for (const c of spot) expect(c.effectiveCost).toBeLessThan(c.listCost * 0.5);
    expect(bill.finalDelivery.filter((c) => c.kind === 'credit').map((c) => c.effectiveCost)).toEqual([-50]);
    expect(bill.finalDelivery.filter((c) => c.kind === 'load-balancer')).toHaveLength(60);
    const egress = (charges: typeof bill.firstDelivery, day: number) => charges.find((c) => c.kind === 'egress' && c.chargePeriodStart === MONTH + day * DAY)?.effectiveCost ?? 0;
    expect(egress(bill.finalDelivery, 0) / egress(bill.firstDelivery, 0)).toBeCloseTo(1.04, 4);
    expect(bill.firstDelivery.some((c) => c.chargePeriodStart >= MONTH + 19 * DAY)).toBe(false);
    expect(bill.finalDelivery.filter((c) => c.chargeClass === 'Correction')).toHaveLength(1);
  });

  it('renders the same EffectiveCost and BilledCost as FOCUS and as CUR 2.0 line items', () => {
    const bill = syntheticBill(options);
    const sum = (rows: ReadonlyArray<Record<string, string | number | null>>, column: string) => Math.round(rows.reduce((s, r) => s + Number(r[column] ?? 0), 0) * 1e4);
    const focus = focusRows(bill, bill.finalDelivery);
    const cur = cur2Rows(bill, bill.finalDelivery);
    expect(sum(cur, 'line_item_unblended_cost')).toBe(sum(focus, 'BilledCost'));
    expect(cur.filter((r) => r.line_item_line_item_type === 'SavingsPlanNegation')).toHaveLength(30);
  });
});
