import { GetProductsCommand, PricingClient, type Filter } from '@aws-sdk/client-pricing';
import { KcostError } from '../../errors/kcost-error.js';
import { parseAwsProduct } from './aws-pricing-parse.js';
import type { MalformedDocument, PriceFetchResult, PriceScope, PriceSource } from './price-source.js';
import type { PriceUpdate } from '../../codec/records.generated.js';

/** Where and how the AWS SDK clients connect; credentials come from the SDK's default chain. */
export interface AwsClientOptions {
  /** Overrides the service endpoint (a local server in tests, a VPC endpoint in production); empty for AWS's own. */
  readonly endpointUrl: string;
  /** Attempts per call including the first; the SDK backs off between them. */
  readonly maxAttempts: number;
}

/** The Price List API lives in a few regions only; us-east-1 serves every region's prices. */
const PRICING_API_REGION = 'us-east-1';

/** The narrow slice of PricingClient this source uses, so tests can pass the real client or another one. */
export type PricingSend = Pick<PricingClient, 'send'>;

export function createPricingClient(options: AwsClientOptions): PricingClient {
  return new PricingClient({
    region: PRICING_API_REGION,
    maxAttempts: options.maxAttempts,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
  });
}

/**
 * AWS on-demand Linux prices from the Price List Query API (GetProducts on
 * AmazonEC2), one query per region, paged with NextToken until the last page.
 */
export function awsPricingSource(client: PricingSend): PriceSource {
  return {
    name: 'aws-pricing',
    async fetch(scope: PriceScope): Promise<PriceFetchResult> {
      const prices: PriceUpdate[] = [];
      const malformed: MalformedDocument[] = [];
      const wanted = new Set(scope.instanceTypes);
      for (const region of scope.regions) {
        let nextToken: string | undefined;
        let page = 0;
        do {
          const response = await client
            .send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: filters(region, scope.instanceTypes), FormatVersion: 'aws_v1', NextToken: nextToken, MaxResults: 100 }))
            .catch((error: unknown) => {
              throw new KcostError('PRICE_SOURCE_FAILED', `AWS GetProducts for ${region} failed: ${(error as Error).message}`, { retriable: true, cause: error });
            });
          priceListEntries(response.PriceList).forEach((entry, i) => {
            const outcome = parseAwsProduct(entry, scope.nowMillis, `${region} page ${page} entry ${i}`);
            if (outcome.kind === 'malformed') malformed.push(outcome.document);
            // The filters already ask for these; the check keeps a loose endpoint from widening the scope.
            else if (outcome.kind === 'price' && (wanted.size === 0 || wanted.has(outcome.price.sku)) && outcome.price.region === region) prices.push(outcome.price);
          });
          nextToken = response.NextToken || undefined;
          page += 1;
        } while (nextToken);
      }
      return { prices, malformed };
    },
  };
}

function filters(region: string, instanceTypes: readonly string[]): Filter[] {
  const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
  return [
    term('regionCode', region),
    term('operatingSystem', 'Linux'),
    term('tenancy', 'Shared'),
    term('preInstalledSw', 'NA'),
    term('capacitystatus', 'Used'),
    ...(instanceTypes.length > 0 ? [{ Type: 'ANY_OF' as const, Field: 'instanceType', Value: instanceTypes.join(',') }] : []),
  ];
}

/**
 * PriceList is typed loosely by the SDK (each entry is a JSON string on the
 * wire, possibly wrapped in the SDK's boxed LazyJsonString); this turns it back into strings.
 */
function priceListEntries(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry: unknown) => (typeof entry === 'string' ? entry : entry instanceof String ? entry.valueOf() : JSON.stringify(entry)));
}
