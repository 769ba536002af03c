import { describe, expect, it } from 'vitest';
import { nodeCost, podCost } from '../../test/fixtures/storage/records.js';
import { NODE_COST_TABLE, POD_COST_TABLE } from './tables.js';
import { rejectionReason } from './validate.js';

describe('record validation before COPY', () => {
  it('accepts complete records', () => {
    expect(rejectionReason(POD_COST_TABLE, podCost())).toBeUndefined();
    expect(rejectionReason(NODE_COST_TABLE, nodeCost())).toBeUndefined();
  });

  it.each([
    ['a NaN cost', { totalCostUsd: Number.NaN }, /total_cost_usd is not a finite number/],
    ['an infinite usage', { cpuUsageCoresAvg: Number.POSITIVE_INFINITY }, /cpu_usage_cores_avg is not a finite number/],
    ['an empty cluster', { cluster: '' }, /cluster is empty/],
    ['a zero window', { windowSeconds: 0 }, /window_seconds must be positive/],
    ['a timestamp past year 9999', { windowStart: Date.UTC(10000, 0, 1) }, /window_start is not a timestamp/],
    ['a fractional timestamp', { priceEffectiveFrom: 1.5 }, /price_effective_from is not a timestamp/],
  ])('rejects %s', (_what, overrides, reason) => {
    expect(rejectionReason(POD_COST_TABLE, podCost(overrides))).toMatch(reason);
  });

  it('accepts a null where the column is nullable', () => {
    expect(rejectionReason(POD_COST_TABLE, podCost({ priceEffectiveFrom: null }))).toBeUndefined();
  });
});
