import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePriceBook } from './price-book.js';

const read = (name: string): string => readFileSync(new URL(`../../../test/fixtures/prices/${name}`, import.meta.url), 'utf8');

describe('parsePriceBook', () => {
  it('reads a YAML book: per-resource and hourly node prices, storage and GPU, with discounts taken off', () => {
    const { prices, malformed } = parsePriceBook(read('pricebook.yaml'), 'book.yaml', 7);
    const rows = prices.map((p) => [p.provider, p.region, p.kind, p.sku, p.capacityType, p.hourlyUsd, p.cpuCoreHourUsd, p.memoryGibHourUsd, p.storageGibMonthUsd, p.gpuHourUsd, p.discount]);
    expect(rows.map((r) => r.map((v) => (typeof v === 'number' ? Number(v.toFixed(6)) : v)))).toEqual([
      ['custom', '', 'NODE', 'onprem-large', 'ON_DEMAND', null, 0.018, 0.0027, null, null, 0.1],
      ['aws', 'us-east-1', 'NODE', 'm5.large', 'ON_DEMAND', 0.072, null, null, null, null, 0.25],
      ['custom', '', 'STORAGE', 'fast-ssd', 'UNKNOWN', null, null, null, 0.108, null, 0.1],
      ['custom', '', 'GPU', 'nvidia-tesla-t4', 'ON_DEMAND', 0.315, null, null, null, 0.315, 0.1],
    ]);
    expect(prices.every((p) => p.effectiveFrom === Date.parse('2024-01-01T00:00:00Z') && p.source === 'pricebook' && p.observedAt === 7)).toBe(true);
    expect(malformed).toEqual([{ ref: 'book.yaml#instanceTypes[2]', reason: 'capacityType SOMETIMES is not one of ON_DEMAND, SPOT, RESERVED, UNKNOWN' }]);
  });

  it('reads a CSV book; a row with only a CPU price is reported, not half-priced', () => {
    const { prices, malformed } = parsePriceBook(read('pricebook.csv'), 'book.csv', 7);
    expect(prices.map((p) => [p.kind, p.sku, p.hourlyUsd, p.cpuCoreHourUsd, p.memoryGibHourUsd, p.storageGibMonthUsd, p.effectiveFrom])).toEqual([
      ['NODE', 'rack-a-standard', 0.5, null, null, null, 0],
      ['NODE', 'rack-b-metal', null, 0.025 * 0.8, 0.004 * 0.8, null, 0],
      ['STORAGE', 'ceph-rbd', null, null, null, 0.05, 0],
    ]);
    expect(malformed).toEqual([{ ref: 'book.csv#line 5', reason: 'no price for a NODE entry' }]);
  });

  it('fails as a whole when the YAML is not a mapping', () => {
    expect(() => parsePriceBook('- just\n- a list\n', 'book.yaml', 1)).toThrow(/not a mapping/);
  });
});
