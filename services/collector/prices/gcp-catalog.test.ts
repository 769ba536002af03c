import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { combineGcpPrices, moneyToUsd, parseGcpPage } from './gcp-catalog.js';

const fixture = (): { skus: Array<Record<string, unknown>>; nextPageToken: string } =>
  JSON.parse(readFileSync(new URL('../../../test/fixtures/prices/gcp-billing-catalog-skus.json', import.meta.url), 'utf8')) as { skus: Array<Record<string, unknown>>; nextPageToken: string };

describe('GCP billing catalog', () => {
  it('adds units and nanos and converts back to USD with the conversion rate', () => {
    expect(moneyToUsd({ units: '2', nanos: 933908000 }, 1)).toBeCloseTo(2.933908, 9);
    expect(moneyToUsd({ units: '327', nanos: 173848364 }, 14999.999925)).toBeCloseTo(0.021811589, 8);
    expect(() => moneyToUsd({ units: 'x' }, 1)).toThrow(/unreadable money/);
  });

  it('pairs core and RAM SKUs into per-resource node prices per family and region, and prices GPUs', () => {
    const page = parseGcpPage(fixture());
    expect(page.malformed).toEqual([]);
    expect(page.nextPageToken).toMatch(/^APKCS1/);
    const prices = combineGcpPrices(page.resources, ['us-central1', 'asia-southeast1'], 9);
    const rows = prices.map((p) => [p.region, p.kind, p.sku, p.cpuCoreHourUsd?.toFixed(6) ?? null, p.memoryGibHourUsd?.toFixed(6) ?? null, p.gpuHourUsd?.toFixed(6) ?? null]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['us-central1', 'GPU', 'nvidia-tesla-a100', null, null, '2.933908'],
        ['us-central1', 'NODE', 'a2', '0.031611', '0.004237', null],
        ['us-central1', 'NODE', 'e2', '0.021812', '0.002924', null],
        ['asia-southeast1', 'NODE', 't2d', '0.033929', '0.004547', null],
      ]),
    );
    expect(prices).toHaveLength(4);
    expect(prices.find((p) => p.sku === 'a2')).toMatchObject({ provider: 'gcp', capacityType: 'ON_DEMAND', source: 'gcp-catalog', sourceRef: '2922-40C5-B19F+2390-DCAF-DA38', effectiveFrom: Date.parse('2023-03-24T10:52:50.681Z'), hourlyUsd: null });
  });

  it('leaves out a family whose RAM price is missing, and reports a SKU without pricing info', () => {
    const doc = fixture();
    doc.skus = doc.skus.filter((s) => s.skuId !== '2390-DCAF-DA38').map((s) => (s.skuId === 'CF4E-A0C7-E3BF' ? { ...s, pricingInfo: [] } : s));
    const page = parseGcpPage(doc);
    expect(page.malformed).toEqual([{ ref: 'CF4E-A0C7-E3BF', reason: 'no pricingInfo.pricingExpression' }]);
    const skus = combineGcpPrices(page.resources, ['us-central1'], 1).map((p) => p.sku);
    expect(skus).toEqual(['nvidia-tesla-a100']);
  });
});
