import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { PriceHistory } from './price-history.js';
import { claimAndVolume, container, nodeObject, podObject, priceUpdate, usageSample } from './record-builders.js';
import { priceWindow } from './window-pricer.js';

// One hour window. db (two containers) mounts data (100 GiB gp3 at 0.08 $/GiB-month)
// and logs (10 GiB "standard", unpriced → the 0.04 default); reader mounts logs too.
//   data: 100 × 0.08 / 730 = 0.010958904 $/h, db's alone → 0.005479452 per db container
//   logs: 10 × 0.04 / 730  = 0.000547945 $/h, half per pod → 0.000136986 per db container,
//         0.000273973 for reader's one container
const START = Date.UTC(2026, 0, 5, 10);
const GIB = 1024 ** 3;

function priced() {
  const state = new ClusterState();
  const prices = new PriceHistory();
  state.apply(nodeObject({ name: 'node-a', instanceType: 'm5.large', cores: 2, memoryGib: 8 }));
  state.apply(podObject({ name: 'db', nodeName: 'node-a', containers: [container('pg', 0.5, 1), container('backup', 0.1, 0.5)], claimNames: ['data', 'logs', 'missing'] }));
  state.apply(podObject({ name: 'reader', nodeName: 'node-a', containers: [container('tail', 0.1, 0.1)], claimNames: ['logs'] }));
  for (const object of claimAndVolume({ claim: 'data', volume: 'pv-data', sizeGib: 100, providerVolumeId: 'vol-0da7a000000000001' })) state.apply(object);
  for (const object of claimAndVolume({ claim: 'logs', volume: 'pv-logs', sizeGib: 10, storageClass: 'standard' })) state.apply(object);
  prices.add(priceUpdate({ kind: 'STORAGE', sku: 'gp3', capacityType: 'UNKNOWN', effectiveFrom: START - 86_400_000, storageGibMonthUsd: 0.08 }));
  const samples = [
    usageSample({ podName: 'db', container: 'pg', windowStart: START, windowSeconds: 3600, cpuCores: 0.2, memoryGib: 1 }),
    usageSample({ podName: 'db', container: 'backup', windowStart: START, windowSeconds: 3600, cpuCores: 0.1, memoryGib: 0.2 }),
    usageSample({ podName: 'reader', container: 'tail', windowStart: START, windowSeconds: 3600, cpuCores: 0.1, memoryGib: 0.1 }),
  ];
  return priceWindow({ windowStart: START, windowSeconds: 3600, samples }, state, prices).podCosts;
}

describe('per-volume storage cost', () => {
  const costs = priced();
  const of = (container: string) => costs.find((c) => c.container === container);

  it('splits each volume among the pods mounting it, then among the pod containers, per volume, naming the disk the bill bills', () => {
    expect(of('pg')?.volumes).toEqual([
      { persistentVolume: 'pv-data', claim: 'data', storageClass: 'gp3', capacityBytes: 100 * GIB, costUsd: expect.closeTo(0.005479452, 9) as number, providerVolumeId: 'vol-0da7a000000000001' },
      { persistentVolume: 'pv-logs', claim: 'logs', storageClass: 'standard', capacityBytes: 10 * GIB, costUsd: expect.closeTo(0.000136986, 9) as number, providerVolumeId: null },
    ]);
    expect(of('backup')?.volumes).toEqual(of('pg')?.volumes);
    expect(of('tail')?.volumes).toEqual([
      { persistentVolume: 'pv-logs', claim: 'logs', storageClass: 'standard', capacityBytes: 10 * GIB, costUsd: expect.closeTo(0.000273973, 9) as number, providerVolumeId: null },
    ]);
  });

  it('sums to storageCostUsd on every record, and the shares of a volume sum to its whole cost', () => {
    for (const cost of costs) expect(cost.storageCostUsd).toBe(cost.volumes.reduce((s, v) => s + v.costUsd, 0));
    const shareOf = (pv: string) => costs.flatMap((c) => c.volumes).filter((v) => v.persistentVolume === pv).reduce((s, v) => s + v.costUsd, 0);
    expect(shareOf('pv-data')).toBeCloseTo((100 * 0.08) / 730, 12);
    expect(shareOf('pv-logs')).toBeCloseTo((10 * 0.04) / 730, 12);
  });
});
