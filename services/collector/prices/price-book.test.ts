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

  it('carries the optional instance shape of a NODE entry, from YAML and from CSV columns; unknown without them', () => {
    const yaml = [
      'instanceTypes:',
      '  - { name: rack-arm, hourlyUsd: 0.4, vcpus: 64, memoryGib: 256, gpus: 0, architecture: arm64 }',
      '  - { name: rack-gpu, hourlyUsd: 2, vcpus: 32, memoryGib: 0.5, gpus: 4, architecture: amd64 }',
      '  - { name: rack-unknown, hourlyUsd: 1 }',
      '  - { name: rack-sparc, hourlyUsd: 1, architecture: sparc64 }',
      'storageClasses:',
      '  - { name: ceph, gibMonthUsd: 0.05, vcpus: 2 }',
    ].join('\n');
    const { prices, malformed } = parsePriceBook(yaml, 'book.yaml', 1);
    expect(prices.map((p) => [p.sku, p.vcpus, p.memoryBytes, p.gpus, p.architecture])).toEqual([
      ['rack-arm', 64, 256 * 1024 ** 3, 0, 'arm64'],
      ['rack-gpu', 32, 512 * 1024 ** 2, 4, 'amd64'],
      ['rack-unknown', null, null, null, null],
    ]);
    expect(malformed).toEqual([
      { ref: 'book.yaml#instanceTypes[3]', reason: 'architecture sparc64 is not one of amd64, arm64' },
      { ref: 'book.yaml#storageClasses[0]', reason: 'vcpus, memoryGib, gpus and architecture describe an instance type: not for a STORAGE entry' },
    ]);
    const csv = 'kind,sku,hourlyUsd,vcpus,memoryGib,gpus,architecture\nNODE,m6g.large,0.077,2,8,0,arm64\nNODE,rack-x,0.3,,,,\nNODE,rack-y,0.3,four,,,\n';
    const fromCsv = parsePriceBook(csv, 'book.csv', 1);
    expect(fromCsv.prices.map((p) => [p.sku, p.vcpus, p.memoryBytes, p.gpus, p.architecture])).toEqual([
      ['m6g.large', 2, 8 * 1024 ** 3, 0, 'arm64'],
      ['rack-x', null, null, null, null],
    ]);
    expect(fromCsv.malformed).toEqual([{ ref: 'book.csv#line 4', reason: 'vcpus is not a non-negative number: "four"' }]);
  });

  it('fails as a whole when the YAML is not a mapping', () => {
    expect(() => parsePriceBook('- just\n- a list\n', 'book.yaml', 1)).toThrow(/not a mapping/);
  });
});
