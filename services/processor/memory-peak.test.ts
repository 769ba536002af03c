import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { PriceHistory } from './price-history.js';
import { container, nodeObject, podObject, usageSample } from './record-builders.js';
import { priceWindow } from './window-pricer.js';

// PodCost v3 carries each window's largest working set, which memory right-sizing reads.
const START = Date.UTC(2026, 0, 5, 10);
const GIB = 1024 ** 3;

describe('PodCost.memoryWorkingSetMaxBytes', () => {
  const state = new ClusterState();
  state.apply(nodeObject({ name: 'node-a', cores: 2, memoryGib: 8 }));
  state.apply(podObject({ name: 'web', nodeName: 'node-a', containers: [container('app', 0.5, 1), container('idle', 0.1, 0.1)] }));
  const peak = { ...usageSample({ podName: 'web', container: 'app', windowStart: START, cpuCores: 0.2, memoryGib: 0.5 }), memoryWorkingSetMaxBytes: 0.75 * GIB };
  const gap = usageSample({ podName: 'web', container: 'idle', windowStart: START, cpuCores: 0, memoryGib: 0, gap: true });
  const costs = priceWindow({ windowStart: START, windowSeconds: 60, samples: [peak, gap] }, state, new PriceHistory()).podCosts;

  it('is the sample peak, apart from the average the cost is charged on', () => {
    const app = costs.find((c) => c.container === 'app');
    expect(app?.memoryWorkingSetMaxBytes).toBe(0.75 * GIB);
    expect(app?.memoryUsageBytesAvg).toBe(0.5 * GIB);
  });

  it('is null for a gap window, which measured nothing', () => {
    expect(costs.find((c) => c.container === 'idle')?.memoryWorkingSetMaxBytes).toBeNull();
  });
});
