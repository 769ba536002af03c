import { describe, expect, it } from 'vitest';
import type { PriceUpdate } from '../../codec/records.generated.js';
import { priceSeriesKey } from '../../kafka/topics.js';
import { selectChanges } from './price-changes.js';
import { emptyPriceFields } from './price-source.js';

const price = (over: Partial<PriceUpdate>): PriceUpdate => ({
  ...emptyPriceFields(),
  provider: 'aws', region: 'us-east-1', kind: 'NODE', sku: 'm5.large', capacityType: 'ON_DEMAND',
  effectiveFrom: 1000, hourlyUsd: 0.096, source: 'aws-pricing', observedAt: 5000,
  ...over,
});

describe('selectChanges', () => {
  it('publishes everything the first time, and nothing when a refresh brings the same prices', () => {
    const first = selectChanges([price({}), price({ sku: 'm5.xlarge', hourlyUsd: 0.192 })], new Map());
    expect(first.changes).toHaveLength(2);
    const again = selectChanges([price({ observedAt: 9000, sourceRef: 'other' }), price({ sku: 'm5.xlarge', hourlyUsd: 0.192 })], first.next);
    expect(again.changes).toEqual([]);
  });

  it('publishes a new price with its own effective time', () => {
    const { next } = selectChanges([price({})], new Map());
    const { changes } = selectChanges([price({ effectiveFrom: 2000, hourlyUsd: 0.1 })], next);
    expect(changes).toEqual([price({ effectiveFrom: 2000, hourlyUsd: 0.1 })]);
  });

  it('makes a changed price with no new effective time take effect when observed, not in the past', () => {
    const { next } = selectChanges([price({})], new Map());
    const { changes } = selectChanges([price({ hourlyUsd: 0.08, observedAt: 7000 })], next);
    expect(changes.map((p) => [p.hourlyUsd, p.effectiveFrom])).toEqual([[0.08, 7000]]);
  });

  it('publishes every new spot history point of a key in time order, and skips points already published', () => {
    const spot = (t: number, usd: number): PriceUpdate => price({ capacityType: 'SPOT', zone: 'us-east-1a', effectiveFrom: t, hourlyUsd: usd, source: 'aws-spot' });
    const first = selectChanges([spot(3000, 0.04), spot(1000, 0.035)], new Map());
    expect(first.changes.map((p) => p.effectiveFrom)).toEqual([1000, 3000]);
    const second = selectChanges([spot(1000, 0.035), spot(3000, 0.04), spot(4000, 0.05)], first.next);
    expect(second.changes.map((p) => p.effectiveFrom)).toEqual([4000]);
    expect(second.next.get(priceSeriesKey(spot(0, 0)))?.hourlyUsd).toBe(0.05);
  });
});
