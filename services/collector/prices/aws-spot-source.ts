import { DescribeSpotPriceHistoryCommand, EC2Client, type SpotPrice, type _InstanceType } from '@aws-sdk/client-ec2';
import type { PriceUpdate } from '../../codec/records.generated.js';
import { KcostError } from '../../errors/kcost-error.js';
import type { AwsClientOptions } from './aws-pricing-source.js';
import { emptyPriceFields, parsePrice, type MalformedDocument, type PriceFetchResult, type PriceScope, type PriceSource } from './price-source.js';

/** The narrow slice of EC2Client this source uses. */
export type Ec2Send = Pick<EC2Client, 'send'>;

/** EC2 is regional: one client per region, all sharing the endpoint override. */
export function createEc2Client(options: AwsClientOptions, region: string): EC2Client {
  return new EC2Client({ region, maxAttempts: options.maxAttempts, ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}) });
}

const LINUX = 'Linux/UNIX';

/**
 * Turns one spot price history point into a PriceUpdate with its own
 * effectiveFrom, so the processor prices each window with the spot price that
 * was in effect then. Points for other operating systems are dropped (null).
 */
export function spotPointToPrice(point: SpotPrice, region: string, observedAt: number): PriceUpdate | null {
  if (point.ProductDescription !== LINUX) return null;
  if (!point.InstanceType) throw new Error('no instanceType');
  if (!(point.Timestamp instanceof Date) || Number.isNaN(point.Timestamp.getTime())) throw new Error('no timestamp');
  return {
    ...emptyPriceFields(),
    provider: 'aws',
    region,
    // Older responses carry no zone; the price is then region-wide.
    zone: point.AvailabilityZone || null,
    kind: 'NODE',
    sku: point.InstanceType,
    capacityType: 'SPOT',
    effectiveFrom: point.Timestamp.getTime(),
    hourlyUsd: parsePrice(point.SpotPrice, 'spotPrice'),
    source: 'aws-spot',
    sourceRef: `${point.InstanceType}/${point.AvailabilityZone ?? region}/${point.Timestamp.toISOString()}`,
    observedAt,
  };
}

/**
 * AWS spot prices from EC2 DescribeSpotPriceHistory, per region, paged with
 * NextToken. Every history point since `lookbackMillis` ago becomes a price
 * (the API also returns the point in effect at the start of that range).
 */
export function awsSpotSource(clientFor: (region: string) => Ec2Send, lookbackMillis: number): PriceSource {
  return {
    name: 'aws-spot',
    async fetch(scope: PriceScope): Promise<PriceFetchResult> {
      const prices: PriceUpdate[] = [];
      const malformed: MalformedDocument[] = [];
      for (const region of scope.regions) {
        const client = clientFor(region);
        let nextToken: string | undefined;
        do {
          const response = await client
            .send(
              new DescribeSpotPriceHistoryCommand({
                // The SDK types instance types as a closed enum; types newer than the SDK are still valid on the wire.
                ...(scope.instanceTypes.length > 0 ? { InstanceTypes: [...scope.instanceTypes] as _InstanceType[] } : {}),
                ProductDescriptions: [LINUX],
                StartTime: new Date(scope.nowMillis - lookbackMillis),
                NextToken: nextToken,
              }),
            )
            .catch((error: unknown) => {
              throw new KcostError('PRICE_SOURCE_FAILED', `EC2 DescribeSpotPriceHistory in ${region} failed: ${(error as Error).message}`, { retriable: true, cause: error });
            });
          (response.SpotPriceHistory ?? []).forEach((point, i) => {
            try {
              const price = spotPointToPrice(point, region, scope.nowMillis);
              if (price) prices.push(price);
            } catch (error) {
              malformed.push({ ref: `${region} spot point ${i}`, reason: (error as Error).message });
            }
          });
          nextToken = response.NextToken || undefined;
        } while (nextToken);
      }
      return { prices, malformed };
    },
  };
}
