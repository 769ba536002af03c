import { describe, expect, it } from 'vitest';
import { spotPointToPrice } from './aws-spot-source.js';

describe('spotPointToPrice', () => {
  const at = new Date('2024-05-08T19:02:11.000Z');

  it('makes each Linux history point a zonal spot price effective at its own timestamp', () => {
    expect(spotPointToPrice({ InstanceType: 'm5.large', ProductDescription: 'Linux/UNIX', SpotPrice: '0.037600', Timestamp: at, AvailabilityZone: 'us-east-1a' }, 'us-east-1', 9)).toMatchObject({
      provider: 'aws', region: 'us-east-1', zone: 'us-east-1a', kind: 'NODE', sku: 'm5.large', capacityType: 'SPOT', effectiveFrom: at.getTime(), hourlyUsd: 0.0376, source: 'aws-spot', observedAt: 9,
    });
  });

  it('prices a point without a zone (older responses) region-wide, and drops other operating systems', () => {
    expect(spotPointToPrice({ InstanceType: 'm1.large', ProductDescription: 'Linux/UNIX', SpotPrice: '0.119000', Timestamp: at }, 'us-east-1', 9)?.zone).toBeNull();
    expect(spotPointToPrice({ InstanceType: 'm5.large', ProductDescription: 'Windows', SpotPrice: '0.1256', Timestamp: at }, 'us-east-1', 9)).toBeNull();
  });

  it('rejects a point whose price is not a number', () => {
    expect(() => spotPointToPrice({ InstanceType: 'm5.large', ProductDescription: 'Linux/UNIX', SpotPrice: 'N/A', Timestamp: at }, 'us-east-1', 9)).toThrow(/spotPrice is not a price/);
  });
});
