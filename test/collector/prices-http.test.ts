import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureRetailSource } from '../../services/collector/prices/azure-retail.js';
import { gcpCatalogSource } from '../../services/collector/prices/gcp-catalog.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/prices/${name}`, import.meta.url), 'utf8');

/**
 * The Azure Retail Prices and GCP Cloud Billing Catalog endpoints, replayed
 * from the fixtures over real HTTP, two pages each, recording the queries.
 */
describe('Azure and GCP price sources over HTTP', () => {
  const queries: URL[] = [];
  let server: Server;
  let base = '';
  let failGcp = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', base);
      queries.push(url);
      const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/api/retail/prices') {
        const page = JSON.parse(fixture('azure-retail-prices.json')) as Record<string, unknown>;
        if (url.searchParams.get('$skip') === '100') {
          json(200, { ...page, Items: [{ ...(page.Items as unknown[])[2] as object, armSkuName: 'Standard_D4s_v3', retailPrice: 0.192, meterId: 'page-2-meter' }], NextPageLink: null, Count: 1 });
        } else {
          json(200, { ...page, NextPageLink: `${base}/api/retail/prices?$filter=${encodeURIComponent(url.searchParams.get('$filter') ?? '')}&$skip=100` });
        }
      } else if (url.pathname === '/v1/services/6F81-5844-456A/skus') {
        if (failGcp) json(403, { error: { code: 403, message: 'API key not valid' } });
        else if (url.searchParams.get('pageToken')) json(200, { skus: [], nextPageToken: '' });
        else res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('gcp-billing-catalog-skus.json'));
      } else json(404, {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('Azure: queries VM meters of the region with a $filter and follows NextPageLink', async () => {
    const result = await azureRetailSource({ baseUrl: base }).fetch({ regions: ['eastus'], instanceTypes: ['Standard_D2s_v3', 'Standard_D4s_v3'], nowMillis: 1 });
    expect(result.prices.map((p) => [p.sku, p.capacityType, p.hourlyUsd])).toEqual([
      ['Standard_D2s_v3', 'ON_DEMAND', 0.096],
      ['Standard_D4s_v3', 'ON_DEMAND', 0.192],
    ]);
    const azure = queries.filter((q) => q.pathname === '/api/retail/prices');
    expect(azure).toHaveLength(2);
    expect(azure[0]?.searchParams.get('$filter')).toBe("serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and currencyCode eq 'USD' and (armSkuName eq 'Standard_D2s_v3' or armSkuName eq 'Standard_D4s_v3')");
  });

  it('GCP: pages through the SKUs with the API key and prices the wanted families in USD', async () => {
    const result = await gcpCatalogSource({ baseUrl: base, apiKey: 'test-key' }).fetch({ regions: ['us-central1'], instanceTypes: ['e2-standard-4'], nowMillis: 1 });
    expect(result.prices.map((p) => [p.kind, p.sku, p.cpuCoreHourUsd?.toFixed(6), p.memoryGibHourUsd?.toFixed(6), p.gpuHourUsd?.toFixed(6)])).toEqual([
      ['GPU', 'nvidia-tesla-a100', undefined, undefined, '2.933908'],
      ['NODE', 'e2', '0.021812', '0.002924', undefined],
    ]);
    const gcp = queries.filter((q) => q.pathname.startsWith('/v1/services/'));
    expect(gcp.map((q) => [q.searchParams.get('key'), q.searchParams.get('currencyCode'), q.searchParams.get('pageToken')])).toEqual([
      ['test-key', 'USD', null],
      ['test-key', 'USD', expect.stringMatching(/^APKCS1/) as unknown],
    ]);
  });

  it('GCP: an HTTP error fails the fetch as a whole, naming the status', async () => {
    failGcp = true;
    await expect(gcpCatalogSource({ baseUrl: base, apiKey: 'bad' }).fetch({ regions: ['us-central1'], instanceTypes: [], nowMillis: 1 })).rejects.toThrow(/answered 403: .*API key not valid/);
  });
});
