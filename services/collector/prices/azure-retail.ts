import type { CapacityType, PriceUpdate } from '../../codec/records.generated.js';
import { KcostError } from '../../errors/kcost-error.js';
import { asText, emptyPriceFields, parsePrice, parseTimeMillis, type MalformedDocument, type PriceFetchResult, type PriceScope, type PriceSource } from './price-source.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const HOURS_PER_TERM: Record<string, number> = { '1 Year': 8760, '3 Years': 26_280, '5 Years': 43_800 };

/** One Azure Retail Prices page read into node prices, with the link to the next page (null on the last). */
export interface AzurePage extends PriceFetchResult {
  readonly nextPageLink: string | null;
}

/**
 * Reads one page of the Azure Retail Prices API. Linux VM meters only:
 * Consumption is on-demand, a Consumption meter named "… Spot" is spot, and a
 * Reservation price (the whole term, paid up front) is spread over the
 * term's hours. Dev/test, Windows and low-priority meters are skipped.
 */
export function parseAzurePage(body: unknown, observedAt: number): AzurePage {
  if (!isObject(body) || !Array.isArray(body.Items)) throw new KcostError('PRICE_DOCUMENT_INVALID', 'Azure retail prices page has no Items array');
  const prices: PriceUpdate[] = [];
  const malformed: MalformedDocument[] = [];
  body.Items.forEach((item: unknown, i) => {
    const ref = isObject(item) && typeof item.meterId === 'string' ? item.meterId : `item ${i}`;
    try {
      const price = azureItemToPrice(item, observedAt);
      if (price) prices.push(price);
    } catch (error) {
      malformed.push({ ref, reason: (error as Error).message });
    }
  });
  const next = body.NextPageLink;
  return { prices, malformed, nextPageLink: typeof next === 'string' && next !== '' ? next : null };
}

function azureItemToPrice(item: unknown, observedAt: number): PriceUpdate | null {
  if (!isObject(item)) throw new Error('item is not an object');
  if (item.serviceName !== 'Virtual Machines') return null;
  const productName = asText(item.productName);
  const meterName = asText(item.meterName);
  if (productName.includes('Windows') || meterName.includes('Low Priority')) return null;
  if (item.currencyCode !== 'USD') throw new Error(`currency ${asText(item.currencyCode)} is not USD`);
  if (item.unitOfMeasure !== '1 Hour') throw new Error(`unit ${asText(item.unitOfMeasure)} is not 1 Hour`);
  let capacityType: CapacityType;
  let divisor = 1;
  if (item.type === 'Consumption') capacityType = meterName.endsWith(' Spot') ? 'SPOT' : 'ON_DEMAND';
  else if (item.type === 'Reservation') {
    capacityType = 'RESERVED';
    divisor = HOURS_PER_TERM[asText(item.reservationTerm)] ?? Number.NaN;
    if (!Number.isFinite(divisor)) throw new Error(`unknown reservationTerm ${asText(item.reservationTerm)}`);
  } else return null;
  const sku = item.armSkuName;
  const region = item.armRegionName;
  if (typeof sku !== 'string' || sku === '') throw new Error('no armSkuName');
  if (typeof region !== 'string' || region === '') throw new Error('no armRegionName');
  return {
    ...emptyPriceFields(),
    provider: 'azure',
    region,
    kind: 'NODE',
    sku,
    capacityType,
    effectiveFrom: parseTimeMillis(item.effectiveStartDate, 'effectiveStartDate'),
    hourlyUsd: parsePrice(item.retailPrice, 'retailPrice') / divisor,
    source: 'azure-retail',
    sourceRef: typeof item.meterId === 'string' ? item.meterId : null,
    observedAt,
  };
}

/** The OData filter of one region's query: VM meters of the wanted sizes. */
export function azureFilter(region: string, instanceTypes: readonly string[]): string {
  const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  const parts = [`serviceName eq 'Virtual Machines'`, `armRegionName eq ${quote(region)}`, `currencyCode eq 'USD'`];
  if (instanceTypes.length > 0) parts.push(`(${instanceTypes.map((t) => `armSkuName eq ${quote(t)}`).join(' or ')})`);
  return parts.join(' and ');
}

/** A fetch-compatible function, so tests and proxies can pass their own. */
export type FetchFn = (url: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;

/**
 * Azure VM prices from the Retail Prices REST API (no credentials), one
 * filtered query per region, following NextPageLink to the end.
 */
export function azureRetailSource(options: { baseUrl: string; fetch?: FetchFn; timeoutMillis?: number }): PriceSource {
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init));
  return {
    name: 'azure-retail',
    async fetch(scope: PriceScope): Promise<PriceFetchResult> {
      const prices: PriceUpdate[] = [];
      const malformed: MalformedDocument[] = [];
      for (const region of scope.regions) {
        const first = new URL('/api/retail/prices', options.baseUrl);
        first.searchParams.set('$filter', azureFilter(region, scope.instanceTypes));
        let url: string | null = first.toString();
        while (url) {
          const body = await getJson(doFetch, url, options.timeoutMillis ?? 30_000, 'Azure retail prices');
          const page = parseAzurePage(body, scope.nowMillis);
          prices.push(...page.prices.filter((p) => p.region === region));
          malformed.push(...page.malformed);
          url = page.nextPageLink;
        }
      }
      return { prices, malformed };
    },
  };
}

/** GETs a JSON document; any transport error, non-2xx status or non-JSON body fails the whole fetch. */
export async function getJson(doFetch: FetchFn, url: string, timeoutMillis: number, what: string): Promise<unknown> {
  let response: Response;
  try {
    response = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMillis) });
  } catch (error) {
    throw new KcostError('PRICE_SOURCE_FAILED', `${what}: GET ${url} failed: ${(error as Error).message}`, { retriable: true, cause: error });
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw new KcostError('PRICE_SOURCE_FAILED', `${what}: GET ${url} answered ${response.status}: ${text.slice(0, 200)}`, { retriable: response.status >= 500 || response.status === 429 });
  }
  try {
    return await response.json();
  } catch (error) {
    throw new KcostError('PRICE_DOCUMENT_INVALID', `${what}: GET ${url} did not return JSON`, { cause: error });
  }
}
