import { describe, expect, it } from 'vitest';
import { parseBytes, parseCores } from '../collector/kube/quantity.js';
import { cpuQuantity, memoryQuantity } from './quantity-format.js';

describe('quantities for patches', () => {
  it.each([
    [0.45, '450m'],
    [1.5, '1500m'],
    [2, '2'],
    [0.025, '25m'],
    [0.0001, '1m'],
    [0.4501, '451m'],
  ])('cpu %s cores → %s', (cores, quantity) => {
    expect(cpuQuantity(cores)).toBe(quantity);
  });

  it.each([
    [700 * 1_048_576, '700Mi'],
    [1_073_741_824, '1Gi'],
    [1536 * 1_048_576, '1536Mi'],
    [4096 * 1_048_576, '4Gi'],
    [1000, '1000'],
    [2048, '2Ki'],
  ])('memory %s bytes → %s', (bytes, quantity) => {
    expect(memoryQuantity(bytes)).toBe(quantity);
  });

  it('reads back through the Kubernetes quantity parser as the same value for whole millicores and bytes', () => {
    for (let milli = 1; milli <= 64_000; milli += 7) expect(parseCores(cpuQuantity(milli / 1000))).toBe(milli / 1000);
    for (let mib = 1; mib <= 70_000; mib += 13) expect(parseBytes(memoryQuantity(mib * 1_048_576 + (mib % 3 === 0 ? 512 : 0)))).toBe(mib * 1_048_576 + (mib % 3 === 0 ? 512 : 0));
  });
});
