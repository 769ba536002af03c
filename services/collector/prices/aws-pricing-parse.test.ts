import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAwsProduct } from './aws-pricing-parse.js';

const page = (name: string): string[] => (JSON.parse(readFileSync(new URL(`../../../test/fixtures/prices/${name}`, import.meta.url), 'utf8')) as { PriceList: string[] }).PriceList;

describe('parseAwsProduct', () => {
  const [m5, unused, storage] = page('aws-pricing-getproducts-ec2.json');
  const [m5xl, g4dn, badPrice, truncated] = page('aws-pricing-getproducts-ec2-page2.json');

  it('reads the on-demand hourly price of a Linux shared instance in use', () => {
    const outcome = parseAwsProduct(m5 ?? '', 1000, 'p0');
    expect(outcome).toEqual({
      kind: 'price',
      price: expect.objectContaining({
        provider: 'aws', region: 'us-east-1', kind: 'NODE', sku: 'm5.large', capacityType: 'ON_DEMAND',
        hourlyUsd: 0.096, effectiveFrom: Date.parse('2024-04-01T00:00:00Z'), source: 'aws-pricing', sourceRef: '6C86BEPQVG73ZGGR.JRTCKXETXF', observedAt: 1000, zone: null,
        vcpus: 2, memoryBytes: 8 * 1024 ** 3, gpus: 0, architecture: 'amd64',
      }) as unknown,
    });
    expect(parseAwsProduct(m5xl ?? '', 1, 'p').kind === 'price' && parseAwsProduct(g4dn ?? '', 1, 'p').kind === 'price').toBe(true);
  });

  it('carries the instance shape: GPUs where the product has them, arm64 for Graviton', () => {
    const shape = (entry: string): unknown => {
      const outcome = parseAwsProduct(entry, 1, 'p');
      return outcome.kind === 'price' ? [outcome.price.sku, outcome.price.vcpus, outcome.price.memoryBytes, outcome.price.gpus, outcome.price.architecture] : outcome;
    };
    // Page 2 is reconstructed without physicalProcessor: the architecture is not guessed.
    expect(shape(g4dn ?? '')).toEqual(['g4dn.xlarge', 4, 16 * 1024 ** 3, 1, null]);
    // m6g.large as the Price List has it: the m5.large document with Graviton2 attributes (its price is not what this checks).
    const graviton = JSON.parse(m5 ?? '') as { product: { attributes: Record<string, string> } };
    Object.assign(graviton.product.attributes, { instanceType: 'm6g.large', instanceFamily: 'General purpose', physicalProcessor: 'AWS Graviton2 Processor', processorFeatures: '' });
    expect(shape(JSON.stringify(graviton))).toEqual(['m6g.large', 2, 8 * 1024 ** 3, 0, 'arm64']);
  });

  it.each([
    ['an unused capacity reservation', unused, 'capacitystatus UnusedCapacityReservation'],
    ['a storage product', storage, 'productFamily Storage'],
  ])('skips %s', (_what, entry, reason) => {
    expect(parseAwsProduct(entry ?? '', 1, 'p')).toEqual({ kind: 'skipped', reason });
  });

  it.each([
    ['a price that is not a number', badPrice, 'BADENTRY00000001', /pricePerUnit.USD is not a price/],
    ['a truncated JSON string', truncated, 'page 2 entry 3', /not JSON/],
  ])('reports %s as malformed', (_what, entry, ref, reason) => {
    const outcome = parseAwsProduct(entry ?? '', 1, 'page 2 entry 3');
    expect(outcome.kind).toBe('malformed');
    if (outcome.kind === 'malformed') {
      expect(outcome.document.ref).toBe(ref);
      expect(outcome.document.reason).toMatch(reason);
    }
  });
});
