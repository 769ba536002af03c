import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { azureFilter, parseAzurePage } from './azure-retail.js';

const fixture = (): Record<string, unknown> => JSON.parse(readFileSync(new URL('../../../test/fixtures/prices/azure-retail-prices.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('parseAzurePage', () => {
  it('reads consumption and reservation meters, skips dev/test Windows ones, and returns the next link', () => {
    const page = parseAzurePage(fixture(), 5);
    expect(page.malformed).toEqual([]);
    expect(page.nextPageLink).toMatch(/\$skip=100$/);
    expect(page.prices.map((p) => [p.region, p.sku, p.capacityType, p.hourlyUsd, p.sourceRef])).toEqual([
      ['southcentralus', 'Standard_E64_v4', 'RESERVED', 25007 / 8760, '0016083a-928f-56fd-8eeb-39287dcf676d'],
      ['eastus', 'Standard_D2s_v3', 'ON_DEMAND', 0.096, '00000000-0000-0000-0000-000000000001'],
    ]);
    expect(page.prices[1]).toMatchObject({ provider: 'azure', kind: 'NODE', source: 'azure-retail', effectiveFrom: Date.parse('2020-08-01T00:00:00Z'), observedAt: 5 });
  });

  it('reads a Linux consumption meter named "… Spot" as a spot price', () => {
    const doc = fixture();
    const items = doc.Items as Array<Record<string, unknown>>;
    doc.Items = [{ ...items[0], type: 'Consumption', productName: 'Virtual Machines FS Series', retailPrice: 0.0321 }];
    expect(parseAzurePage(doc, 1).prices).toEqual([expect.objectContaining({ sku: 'Standard_F16s', capacityType: 'SPOT', hourlyUsd: 0.0321, region: 'westeurope' })]);
  });

  it('skips and reports an item without a price, keeping the rest of the page', () => {
    const doc = fixture();
    const items = doc.Items as Array<Record<string, unknown>>;
    doc.Items = [{ ...items[2], meterId: 'broken', retailPrice: 'n/a' }, items[2]];
    const page = parseAzurePage(doc, 1);
    expect(page.prices).toHaveLength(1);
    expect(page.malformed).toEqual([{ ref: 'broken', reason: 'retailPrice is not a price: "n/a"' }]);
  });

  it('rejects a page without Items as a whole', () => {
    expect(() => parseAzurePage({ error: 'throttled' }, 1)).toThrow(/no Items array/);
  });

  it('filters on VM meters of the region and the wanted sizes', () => {
    expect(azureFilter('eastus', ['Standard_D2s_v3', "O'Brien"])).toBe(
      "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and currencyCode eq 'USD' and (armSkuName eq 'Standard_D2s_v3' or armSkuName eq 'O''Brien')",
    );
  });
});
