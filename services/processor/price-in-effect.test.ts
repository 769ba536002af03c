import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { resolveNodeRates } from './node-rates.js';
import { PriceHistory } from './price-history.js';
import { container, nodeObject, podObject, priceUpdate, usageSample } from './record-builders.js';
import { priceWindow } from './window-pricer.js';

const T0 = Date.UTC(2026, 2, 1, 12);
const MINUTE = 60_000;

describe('PriceHistory', () => {
  it('returns the price in effect at an instant, not the latest one received', () => {
    const prices = new PriceHistory();
    const ref = { provider: 'aws', region: 'us-east-1', zone: null, kind: 'NODE', sku: 'm5.large', capacityType: 'SPOT' } as const;
    // Received out of order, as a spot-history backfill delivers them.
    for (const [from, hourlyUsd] of [[T0 + 30 * MINUTE, 0.05], [T0, 0.03], [T0 + 10 * MINUTE, 0.04]] as const) {
      prices.add(priceUpdate({ ...ref, effectiveFrom: from, hourlyUsd }));
    }
    expect(prices.at(ref, T0 - 1)).toBeNull();
    expect(prices.at(ref, T0)?.hourlyUsd).toBe(0.03);
    expect(prices.at(ref, T0 + 10 * MINUTE - 1)?.hourlyUsd).toBe(0.03);
    expect(prices.at(ref, T0 + 10 * MINUTE)?.hourlyUsd).toBe(0.04);
    expect(prices.at(ref, T0 + 29 * MINUTE)?.hourlyUsd).toBe(0.04);
    expect(prices.at(ref, T0 + 2 * 3_600_000)?.hourlyUsd).toBe(0.05);
    // A correction for the same instant replaces the first figure.
    prices.add(priceUpdate({ ...ref, effectiveFrom: T0 + 10 * MINUTE, hourlyUsd: 0.045 }));
    expect(prices.at(ref, T0 + 15 * MINUTE)?.hourlyUsd).toBe(0.045);
    expect(prices.size).toBe(3);
  });
});

describe('node rates', () => {
  const node = nodeObject({ name: 'n', instanceType: 'p3.2xlarge', cores: 8, memoryGib: 64, gpus: 1 }).node;
  if (!node) throw new Error('builder made no node state');

  it('takes the GPU out of a total price first, then splits CPU and memory by 0.031611 : 0.004237', () => {
    const prices = new PriceHistory();
    prices.add(priceUpdate({ sku: 'p3.2xlarge', effectiveFrom: T0, hourlyUsd: 3.06, gpuHourUsd: 2.0 }));
    const { actual } = resolveNodeRates(node, prices, T0);
    // rest = 3.06 − 2.0 = 1.06; weights 0.031611×8 = 0.252888 and 0.004237×64 = 0.271168
    expect(actual.gpuHourUsd).toBeCloseTo(2.0, 12);
    expect(actual.cpuCoreHourUsd * 8).toBeCloseTo((1.06 * 0.252888) / (0.252888 + 0.271168), 12);
    expect(actual.cpuCoreHourUsd * 8 + actual.memoryGibHourUsd * 64 + actual.gpuHourUsd).toBeCloseTo(3.06, 12);
    expect(actual.cpuCoreHourUsd / actual.memoryGibHourUsd).toBeCloseTo(0.031611 / 0.004237, 9);
    expect(actual).toMatchObject({ source: 'aws-pricing', effectiveFrom: T0 });
  });

  it.each([
    ['ON_DEMAND', 0.031611, 0.004237],
    ['SPOT', 0.006655, 0.000892],
    ['UNKNOWN', 0.031611, 0.004237],
  ] as const)('falls back to the %s defaults with no price in effect, and says so', (capacityType, cpu, memory) => {
    const { actual } = resolveNodeRates({ ...node, capacityType }, new PriceHistory(), T0);
    expect(actual).toEqual({ cpuCoreHourUsd: cpu, memoryGibHourUsd: memory, gpuHourUsd: 0.95, source: 'default', effectiveFrom: null });
  });

  it('prefers a price-book price, then the zone, then the region', () => {
    const prices = new PriceHistory();
    const zonal = { ...node, capacityType: 'SPOT' as const, zone: 'us-east-1b' };
    prices.add(priceUpdate({ sku: 'p3.2xlarge', capacityType: 'SPOT', effectiveFrom: T0, cpuCoreHourUsd: 0.1, source: 'aws-spot' }));
    prices.add(priceUpdate({ sku: 'p3.2xlarge', capacityType: 'SPOT', zone: 'us-east-1b', effectiveFrom: T0, cpuCoreHourUsd: 0.2, source: 'aws-spot' }));
    expect(resolveNodeRates(zonal, prices, T0).actual.cpuCoreHourUsd).toBe(0.2);
    expect(resolveNodeRates({ ...zonal, zone: 'us-east-1c' }, prices, T0).actual.cpuCoreHourUsd).toBe(0.1);
    prices.add(priceUpdate({ provider: 'custom', region: '', sku: 'p3.2xlarge', capacityType: 'SPOT', effectiveFrom: T0, cpuCoreHourUsd: 0.05, source: 'pricebook' }));
    expect(resolveNodeRates(zonal, prices, T0).actual).toMatchObject({ cpuCoreHourUsd: 0.05, source: 'pricebook' });
  });
});

describe('a spot price that changes mid-hour', () => {
  it('prices each window with the price in effect at its start', () => {
    const state = new ClusterState();
    state.apply(nodeObject({ name: 'spot-1', instanceType: 'm5.xlarge', capacityType: 'SPOT', cores: 4, memoryGib: 16 }));
    state.apply(podObject({ name: 'api', nodeName: 'spot-1', containers: [container('app', 4, 16)] }));
    const prices = new PriceHistory();
    const spot = { sku: 'm5.xlarge', capacityType: 'SPOT', source: 'aws-spot' } as const;
    // The spot price moves at 12:20:30, inside the 12:20 window; the 12:20 window keeps the old price.
    prices.add(priceUpdate({ ...spot, effectiveFrom: T0 - 3_600_000, hourlyUsd: 0.06 }));
    prices.add(priceUpdate({ ...spot, effectiveFrom: T0 + 20 * MINUTE + 30_000, hourlyUsd: 0.12 }));
    prices.add(priceUpdate({ sku: 'm5.xlarge', effectiveFrom: 0, hourlyUsd: 0.192 }));
    const hour = Array.from({ length: 60 }, (_, m) => {
      const windowStart = T0 + m * MINUTE;
      const samples = [usageSample({ podName: 'api', container: 'app', windowStart, cpuCores: 1, memoryGib: 4 })];
      return priceWindow({ windowStart, windowSeconds: 60, samples }, state, prices);
    });
    const nodeCost = (m: number) => hour[m]?.nodeCosts[0];
    expect(nodeCost(20)?.costUsd).toBeCloseTo(0.06 / 60, 12);
    expect(nodeCost(20)?.priceEffectiveFrom).toBe(T0 - 3_600_000);
    expect(nodeCost(21)?.costUsd).toBeCloseTo(0.12 / 60, 12);
    expect(nodeCost(21)?.priceEffectiveFrom).toBe(T0 + 20 * MINUTE + 30_000);
    // 21 windows at the old price, 39 at the new one: the pod requests the whole node.
    const total = hour.reduce((s, w) => s + (w.podCosts[0]?.totalCostUsd ?? 0), 0);
    expect(total).toBeCloseTo((21 * 0.06 + 39 * 0.12) / 60, 12);
    const savings = hour.reduce((s, w) => s + (w.podCosts[0]?.spotSavingsUsd ?? 0), 0);
    expect(savings).toBeCloseTo(0.192 - (21 * 0.06 + 39 * 0.12) / 60, 12);
  });
});
