import type { CapacityType, PriceUpdate } from '../../codec/records.generated.js';
import { KcostError } from '../../errors/kcost-error.js';
import { getJson, type FetchFn } from './azure-retail.js';
import { asText, emptyPriceFields, parseTimeMillis, type MalformedDocument, type PriceFetchResult, type PriceScope, type PriceSource } from './price-source.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Compute Engine's service id in the Cloud Billing Catalog. */
export const COMPUTE_ENGINE_SERVICE = '6F81-5844-456A';

/** One per-resource price read from a SKU, before core and RAM are paired per machine family. */
export interface GcpResourcePrice {
  readonly family: string;
  readonly resource: 'CPU' | 'RAM' | 'GPU';
  readonly capacityType: CapacityType;
  readonly regions: readonly string[];
  readonly usd: number;
  readonly effectiveFrom: number;
  readonly skuId: string;
}

const USAGE_TYPES: Record<string, CapacityType> = { OnDemand: 'ON_DEMAND', Preemptible: 'SPOT' };
const UNITS: Record<string, string> = { CPU: 'h', RAM: 'GiBy.h', GPU: 'h' };

/** Money in the catalog is units + nanos/1e9 in the requested currency; the conversion rate turns it back into USD. */
export function moneyToUsd(money: unknown, conversionRate: unknown): number {
  if (!isObject(money)) throw new Error('no unitPrice');
  const units = Number(money.units ?? 0);
  const nanos = Number(money.nanos ?? 0);
  const rate = conversionRate === undefined ? 1 : Number(conversionRate);
  if (!Number.isFinite(units) || !Number.isFinite(nanos) || !Number.isFinite(rate) || rate <= 0) throw new Error(`unreadable money ${JSON.stringify(money)}`);
  return (units + nanos / 1e9) / rate;
}

/**
 * Reads one Compute Engine SKU: "E2 Instance Core running in Americas" is the
 * per-vCPU price of family e2, "… Ram …" its per-GiB price, and an "Nvidia
 * Tesla A100 GPU" SKU the hourly price of that GPU model (named as GKE's
 * accelerator label names it, nvidia-tesla-a100). Other SKUs (licences,
 * commitments, disks, sole-tenancy) are skipped (null).
 */
export function parseGcpSku(sku: unknown): GcpResourcePrice | null {
  if (!isObject(sku) || !isObject(sku.category)) throw new Error('no category');
  const category = sku.category;
  if (category.resourceFamily !== 'Compute') return null;
  const capacityType = USAGE_TYPES[asText(category.usageType)];
  if (!capacityType) return null;
  const description = asText(sku.description);
  let family: string;
  let resource: GcpResourcePrice['resource'];
  const machine = /^(?:Spot Preemptible |Preemptible )?(\w+?)(?: AMD| Intel| Arm)? (?:Predefined )?Instance (Core|Ram) running in /.exec(description);
  const gpu = /^(?:Spot Preemptible |Preemptible )?(Nvidia [\w ]+?) GPU running in /.exec(description);
  if (category.resourceGroup === 'GPU' && gpu?.[1]) {
    family = gpu[1].toLowerCase().replace(/\s+/g, '-');
    resource = 'GPU';
  } else if (machine?.[1] && machine[2] && !description.includes('Custom') && !description.includes('Sole Tenancy')) {
    family = machine[1].toLowerCase();
    resource = machine[2] === 'Core' ? 'CPU' : 'RAM';
  } else return null;
  const info = Array.isArray(sku.pricingInfo) ? (sku.pricingInfo.at(-1) as unknown) : undefined;
  if (!isObject(info) || !isObject(info.pricingExpression)) throw new Error('no pricingInfo.pricingExpression');
  const expression = info.pricingExpression;
  if (expression.usageUnit !== UNITS[resource]) throw new Error(`usageUnit ${asText(expression.usageUnit)} is not ${UNITS[resource]}`);
  const tiers = Array.isArray(expression.tieredRates) ? expression.tieredRates : [];
  // The last tier is the rate a running fleet pays; earlier tiers are free allowances.
  const tier = tiers.at(-1) as unknown;
  if (!isObject(tier)) throw new Error('no tieredRates');
  const regions = Array.isArray(sku.serviceRegions) ? sku.serviceRegions.filter((r): r is string => typeof r === 'string') : [];
  if (regions.length === 0) throw new Error('no serviceRegions');
  return {
    family,
    resource,
    capacityType,
    regions,
    usd: moneyToUsd(tier.unitPrice, info.currencyConversionRate),
    effectiveFrom: info.effectiveTime === undefined ? 0 : parseTimeMillis(info.effectiveTime, 'effectiveTime'),
    skuId: asText(sku.skuId),
  };
}

/**
 * Pairs core and RAM prices into one NODE price per family, region and
 * capacity type (sku = the family, e.g. e2: the processor multiplies by the
 * node's vCPUs and GiB), and turns GPU SKUs into GPU prices. A family with
 * only one of the two prices is left out: half a price would under-charge.
 */
export function combineGcpPrices(resources: readonly GcpResourcePrice[], regions: readonly string[], observedAt: number): PriceUpdate[] {
  const wanted = new Set(regions);
  const nodes = new Map<string, { cpu?: GcpResourcePrice; ram?: GcpResourcePrice; region: string }>();
  const out: PriceUpdate[] = [];
  for (const r of resources) {
    for (const region of r.regions.filter((x) => wanted.size === 0 || wanted.has(x))) {
      if (r.resource === 'GPU') {
        out.push({ ...emptyPriceFields(), provider: 'gcp', region, kind: 'GPU', sku: r.family, capacityType: r.capacityType, effectiveFrom: r.effectiveFrom, hourlyUsd: r.usd, gpuHourUsd: r.usd, source: 'gcp-catalog', sourceRef: r.skuId, observedAt });
        continue;
      }
      const key = `${region}/${r.family}/${r.capacityType}`;
      const entry = nodes.get(key) ?? { region };
      if (r.resource === 'CPU') entry.cpu = r;
      else entry.ram = r;
      nodes.set(key, entry);
    }
  }
  for (const { cpu, ram, region } of nodes.values()) {
    if (!cpu || !ram) continue;
    out.push({
      ...emptyPriceFields(),
      provider: 'gcp',
      region,
      kind: 'NODE',
      sku: cpu.family,
      capacityType: cpu.capacityType,
      effectiveFrom: Math.max(cpu.effectiveFrom, ram.effectiveFrom),
      cpuCoreHourUsd: cpu.usd,
      memoryGibHourUsd: ram.usd,
      source: 'gcp-catalog',
      sourceRef: `${cpu.skuId}+${ram.skuId}`,
      observedAt,
    });
  }
  return out;
}

/** Reads one services.skus.list page into resource prices, the skipped SKUs and the next page token. */
export function parseGcpPage(body: unknown): { resources: GcpResourcePrice[]; malformed: MalformedDocument[]; nextPageToken: string | null } {
  if (!isObject(body) || !Array.isArray(body.skus)) throw new KcostError('PRICE_DOCUMENT_INVALID', 'GCP SKU page has no skus array');
  const resources: GcpResourcePrice[] = [];
  const malformed: MalformedDocument[] = [];
  body.skus.forEach((sku: unknown, i) => {
    try {
      const resource = parseGcpSku(sku);
      if (resource) resources.push(resource);
    } catch (error) {
      malformed.push({ ref: isObject(sku) && typeof sku.skuId === 'string' ? sku.skuId : `sku ${i}`, reason: (error as Error).message });
    }
  });
  const next = body.nextPageToken;
  return { resources, malformed, nextPageToken: typeof next === 'string' && next !== '' ? next : null };
}

/** Compute Engine prices from the Cloud Billing Catalog API (an API key is enough), all pages, in USD. */
export function gcpCatalogSource(options: { baseUrl: string; apiKey: string; fetch?: FetchFn; timeoutMillis?: number }): PriceSource {
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init));
  return {
    name: 'gcp-catalog',
    async fetch(scope: PriceScope): Promise<PriceFetchResult> {
      const resources: GcpResourcePrice[] = [];
      const malformed: MalformedDocument[] = [];
      let pageToken: string | null = '';
      while (pageToken !== null) {
        const url = new URL(`/v1/services/${COMPUTE_ENGINE_SERVICE}/skus`, options.baseUrl);
        url.searchParams.set('currencyCode', 'USD');
        url.searchParams.set('pageSize', '5000');
        if (options.apiKey) url.searchParams.set('key', options.apiKey);
        if (pageToken) url.searchParams.set('pageToken', pageToken);
        const page = parseGcpPage(await getJson(doFetch, url.toString(), options.timeoutMillis ?? 30_000, 'GCP billing catalog'));
        resources.push(...page.resources);
        malformed.push(...page.malformed);
        pageToken = page.nextPageToken;
      }
      const families = new Set(scope.instanceTypes.map((t) => t.split('-')[0]));
      const prices = combineGcpPrices(resources, scope.regions, scope.nowMillis).filter((p) => p.kind === 'GPU' || families.size === 0 || families.has(p.sku));
      return { prices, malformed };
    },
  };
}
