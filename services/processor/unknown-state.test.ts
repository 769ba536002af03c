import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { PriceHistory } from './price-history.js';
import { container, nodeObject, podObject, usageSample } from './record-builders.js';
import { priceWindow } from './window-pricer.js';

const T0 = Date.UTC(2026, 2, 1, 12);

describe('samples without state', () => {
  const state = new ClusterState();
  state.apply(nodeObject({ name: 'node-1', cores: 4, memoryGib: 16 }));
  state.apply(podObject({ name: 'orphan-node', nodeName: 'node-gone', containers: [container('c', 1, 1)] }));

  it('prices a sample for an unknown pod on its usage, on the node it reported, flagged UNKNOWN_POD', () => {
    const samples = [usageSample({ podName: 'ghost', container: 'c', nodeName: 'node-1', windowStart: T0, cpuCores: 2, memoryGib: 4 })];
    const { podCosts, nodeCosts } = priceWindow({ windowStart: T0, windowSeconds: 60, samples }, state, new PriceHistory());
    expect(podCosts[0]?.flags).toEqual(['UNKNOWN_POD']);
    expect(podCosts[0]?.nodeName).toBe('node-1');
    expect(podCosts[0]?.cpuAllocatedCores).toBe(2);
    // Half the node's CPU at the default on-demand price, for one minute.
    expect(podCosts[0]?.cpuCostUsd).toBeCloseTo((2 * 0.031611) / 60, 12);
    expect(nodeCosts[0]?.cpuIdleCostUsd).toBeCloseTo((2 * 0.031611) / 60, 12);
    expect(nodeCosts[0]?.flags).toEqual(['DEFAULT_PRICE']);
  });

  it('prices a sample whose node is unknown at default prices, flagged UNKNOWN_NODE', () => {
    const samples = [usageSample({ podName: 'orphan-node', container: 'c', windowStart: T0, cpuCores: 0.5, memoryGib: 2 })];
    const { podCosts } = priceWindow({ windowStart: T0, windowSeconds: 60, samples }, state, new PriceHistory());
    expect(podCosts[0]).toMatchObject({ flags: ['UNKNOWN_NODE'], nodeName: '', priceSource: 'default', priceEffectiveFrom: null });
    expect(podCosts[0]?.memoryCostUsd).toBeCloseTo((2 * 0.004237) / 60, 12);
  });
});
