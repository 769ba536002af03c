import type { PriceUpdate } from '../../codec/records.generated.js';
import { awsInstanceShape } from './aws-instance-shape.js';
import { emptyPriceFields, parsePrice, parseTimeMillis, type MalformedDocument } from './price-source.js';

/** What one GetProducts PriceList entry turned into. */
export type AwsProductOutcome =
  | { readonly kind: 'price'; readonly price: PriceUpdate }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'malformed'; readonly document: MalformedDocument };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads one AWS Price List entry (GetProducts returns each as a JSON
 * string) into an on-demand node price, with the instance type's shape. Entries that are not a shared-tenancy
 * Linux compute instance in use (storage, unused capacity reservations,
 * other operating systems) are skipped, not errors: the filter asks for them
 * only approximately.
 */
export function parseAwsProduct(entry: string, observedAt: number, position: string): AwsProductOutcome {
  const malformed = (reason: string, ref = position): AwsProductOutcome => ({ kind: 'malformed', document: { ref, reason } });
  let doc: unknown;
  try {
    doc = JSON.parse(entry);
  } catch (error) {
    return malformed(`not JSON: ${(error as Error).message}`);
  }
  if (!isObject(doc) || !isObject(doc.product) || !isObject(doc.product.attributes)) return malformed('no product.attributes');
  const product = doc.product;
  const attributes = product.attributes as Json;
  const sku = typeof product.sku === 'string' ? product.sku : position;
  if (product.productFamily !== 'Compute Instance') return { kind: 'skipped', reason: `productFamily ${String(product.productFamily)}` };
  const filters: Array<[string, string]> = [
    ['capacitystatus', 'Used'],
    ['tenancy', 'Shared'],
    ['operatingSystem', 'Linux'],
    ['preInstalledSw', 'NA'],
  ];
  for (const [name, wanted] of filters) {
    if (attributes[name] !== wanted) return { kind: 'skipped', reason: `${name} ${String(attributes[name])}` };
  }
  const instanceType = attributes.instanceType;
  const region = attributes.regionCode;
  if (typeof instanceType !== 'string' || instanceType === '') return malformed('no instanceType', sku);
  if (typeof region !== 'string' || region === '') return malformed('no regionCode', sku);
  const onDemand = isObject(doc.terms) ? doc.terms.OnDemand : undefined;
  if (!isObject(onDemand)) return malformed('no terms.OnDemand', sku);
  const [termCode, term] = Object.entries(onDemand)[0] ?? [];
  if (!termCode || !isObject(term) || !isObject(term.priceDimensions)) return malformed('no OnDemand priceDimensions', sku);
  const dimension = Object.values(term.priceDimensions).find((d): d is Json => isObject(d) && d.unit === 'Hrs');
  if (!dimension || !isObject(dimension.pricePerUnit)) return malformed('no hourly price dimension', sku);
  try {
    const hourlyUsd = parsePrice(dimension.pricePerUnit.USD, 'pricePerUnit.USD');
    const effectiveFrom = parseTimeMillis(term.effectiveDate, 'effectiveDate');
    return {
      kind: 'price',
      price: {
        ...emptyPriceFields(),
        provider: 'aws',
        region,
        kind: 'NODE',
        sku: instanceType,
        capacityType: 'ON_DEMAND',
        effectiveFrom,
        hourlyUsd,
        source: 'aws-pricing',
        sourceRef: termCode,
        observedAt,
        ...awsInstanceShape(attributes),
      },
    };
  } catch (error) {
    return malformed((error as Error).message, sku);
  }
}
