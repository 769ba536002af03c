import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterState, type NodeObject } from './cluster-state.js';
import { DEFAULT_PRICES, GIB } from './default-prices.js';
import { kubeObjectProblem, priceUpdateProblem, sizeProblem, usageSampleProblem, USAGE_BOUNDS } from './input-bounds.js';
import { PriceHistory } from './price-history.js';
import { container, nodeObject, podObject, priceUpdate, usageSample } from './record-builders.js';
import { priceWindow } from './window-pricer.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const SKEW = 3_600_000;
const node = nodeObject({ name: 'node-a', cores: 4, memoryGib: 16 }) as NodeObject;
const sample = (o: Partial<Parameters<typeof usageSample>[0]> = {}) => usageSample({ podName: 'web', container: 'app', nodeName: 'node-a', windowStart: NOW - 60_000, cpuCores: 1, memoryGib: 1, ...o });

describe('input bounds', () => {
  // The absurd records found by the chaos harness (issue 13), each with the reason code it must get.
  it.each([
    ['a 1e300 USD/h price', () => priceUpdateProblem(priceUpdate({ sku: 'm5.xlarge', effectiveFrom: NOW, hourlyUsd: 1e300 }), NOW, SKEW), 'OUT_OF_BOUNDS', /hourlyUsd is 1e\+300/],
    ['a -1 USD/h price', () => priceUpdateProblem(priceUpdate({ sku: 'm5.xlarge', effectiveFrom: NOW, hourlyUsd: -1 }), NOW, SKEW), 'OUT_OF_BOUNDS', /hourlyUsd is -1/],
    ['a NaN per-core price', () => priceUpdateProblem(priceUpdate({ sku: 'x', effectiveFrom: NOW, cpuCoreHourUsd: Number.NaN }), NOW, SKEW), 'OUT_OF_BOUNDS', /cpuCoreHourUsd/],
    ['a 3 KB SKU', () => priceUpdateProblem(priceUpdate({ sku: 'x'.repeat(3000), effectiveFrom: NOW, hourlyUsd: 0.1 }), NOW, SKEW), 'OUT_OF_BOUNDS', /sku is 3000 characters/],
    ['a node type of -2 vCPUs', () => priceUpdateProblem(priceUpdate({ sku: 'x', effectiveFrom: NOW, hourlyUsd: 0.1, vcpus: -2 }), NOW, SKEW), 'OUT_OF_BOUNDS', /vcpus is -2/],
    ['a node type of 1e30 bytes', () => priceUpdateProblem(priceUpdate({ sku: 'x', effectiveFrom: NOW, hourlyUsd: 0.1, memoryBytes: 1e30 }), NOW, SKEW), 'OUT_OF_BOUNDS', /memoryBytes is 1e\+30/],
    ['a node type of NaN GPUs', () => priceUpdateProblem(priceUpdate({ sku: 'x', effectiveFrom: NOW, hourlyUsd: 0.1, gpus: Number.NaN }), NOW, SKEW), 'OUT_OF_BOUNDS', /gpus is NaN/],
    ['a 2 KB architecture', () => priceUpdateProblem(priceUpdate({ sku: 'x', effectiveFrom: NOW, hourlyUsd: 0.1, architecture: 'a'.repeat(2000) }), NOW, SKEW), 'OUT_OF_BOUNDS', /architecture is 2000 characters/],
    ['a price observed in 9999', () => priceUpdateProblem(priceUpdate({ sku: 'x', effectiveFrom: NOW, observedAt: Date.UTC(9999, 0, 1), hourlyUsd: 0.1 }), NOW, SKEW), 'TIME_OUT_OF_RANGE', /observedAt is 9999/],
    ['1e15 core-seconds on an unknown node', () => usageSampleProblem({ ...sample({ nodeName: 'gone' }), cpuCoreSeconds: 1e15 }, undefined, NOW, SKEW), 'OUT_OF_BOUNDS', /cpuCoreSeconds is 1000000000000000/],
    ['more than twice the cores its node has', () => usageSampleProblem(sample({ cpuCores: 8.5 }), node, NOW, SKEW), 'OUT_OF_BOUNDS', /node node-a's capacity/],
    ['negative memory', () => usageSampleProblem({ ...sample(), memoryWorkingSetAvgBytes: -1 }, node, NOW, SKEW), 'OUT_OF_BOUNDS', /memoryWorkingSetAvgBytes is -1/],
    ['a window of 0 seconds', () => usageSampleProblem({ ...sample(), windowSeconds: 0 }, node, NOW, SKEW), 'OUT_OF_BOUNDS', /windowSeconds/],
    ['a sample dated 9999', () => usageSampleProblem(sample({ windowStart: Date.UTC(9999, 11, 31) }), node, NOW, SKEW), 'TIME_OUT_OF_RANGE', /windowStart is 9999-12-31/],
    ['a pod observed in 9999', () => kubeObjectProblem({ ...podObject({ name: 'web', nodeName: 'node-a', containers: [container('app', 1, 1)] }), observedAt: Date.UTC(9999, 0, 1) }, NOW, SKEW), 'TIME_OUT_OF_RANGE', /observedAt/],
    ['a node of a billion cores', () => kubeObjectProblem(nodeObject({ name: 'big', cores: 1e9, memoryGib: 16 }), NOW, SKEW), 'OUT_OF_BOUNDS', /cpuCapacityCores/],
    ['a 10 MB record', () => sizeProblem(Buffer.alloc(10 * 1024 * 1024)), 'RECORD_TOO_LARGE', /10485760 bytes/],
  ])('refuses %s', (_what, problem, code, message) => {
    const found = problem();
    expect(found?.code).toBe(code);
    expect(found?.message).toMatch(message);
  });

  it.each([
    ['an ordinary sample on its node', () => usageSampleProblem(sample(), node, NOW, SKEW)],
    ['a sample over its node (a counter read at a misaligned time)', () => usageSampleProblem(sample({ cpuCores: 6 }), node, NOW, SKEW)],
    ['a sample from a collector whose clock is 30 minutes ahead', () => usageSampleProblem(sample({ windowStart: NOW + 1_800_000 }), node, NOW, SKEW)],
    ['a price book change announced for next month', () => priceUpdateProblem(priceUpdate({ sku: 'x', effectiveFrom: NOW + 30 * 86_400_000, observedAt: NOW, hourlyUsd: 98.32 }), NOW, SKEW)],
    ['a free price', () => priceUpdateProblem(priceUpdate({ sku: 'x', effectiveFrom: NOW, hourlyUsd: 0 }), NOW, SKEW)],
    ['a price with its instance shape', () => priceUpdateProblem(priceUpdate({ sku: 'p4d.24xlarge', effectiveFrom: NOW, hourlyUsd: 32.77, vcpus: 96, memoryBytes: 1152 * 1024 ** 3, gpus: 8, architecture: 'amd64' }), NOW, SKEW)],
  ])('takes %s', (_what, problem) => {
    expect(problem()).toBeNull();
  });

  it('lets no accepted sample cost more than its node, or than the largest node at default prices where its node is unknown', () => {
    const state = new ClusterState();
    state.apply(node);
    state.apply(podObject({ name: 'web', nodeName: 'node-a', containers: [container('app', 1, 1)] }));
    const prices = new PriceHistory();
    prices.add(priceUpdate({ sku: 'm5.xlarge', effectiveFrom: 0, hourlyUsd: 0.192 }));
    const huge = fc.oneof(fc.double({ noNaN: false }), fc.double({ min: 0, max: 1e7 }), fc.constant(1e300));
    fc.assert(
      fc.property(fc.boolean(), huge, huge, fc.constantFrom(1, 60, 3600), (onKnownNode, cpu, memory, windowSeconds) => {
        const candidate = { ...usageSample({ podName: onKnownNode ? 'web' : 'stranger', container: 'app', nodeName: onKnownNode ? 'node-a' : 'gone', windowStart: NOW - windowSeconds * 1000, windowSeconds, cpuCores: 0, memoryGib: 0 }), cpuCoreSeconds: cpu, memoryWorkingSetAvgBytes: memory };
        if (usageSampleProblem(candidate, onKnownNode ? node : undefined, NOW, SKEW)) return;
        const { podCosts, nodeCosts } = priceWindow({ windowStart: candidate.windowStart, windowSeconds, samples: [candidate] }, state, prices);
        const cost = podCosts[0];
        expect(cost).toBeDefined();
        const compute = (cost?.cpuCostUsd ?? 0) + (cost?.memoryCostUsd ?? 0) + (cost?.gpuCostUsd ?? 0);
        const hours = windowSeconds / 3600;
        const bound = onKnownNode
          ? (nodeCosts.find((n) => n.nodeName === 'node-a')?.costUsd ?? 0)
          : (USAGE_BOUNDS.maxNodeCores * DEFAULT_PRICES.onDemand.cpuCoreHourUsd + (USAGE_BOUNDS.maxNodeMemoryBytes / GIB) * DEFAULT_PRICES.onDemand.memoryGibHourUsd) * hours;
        expect(Number.isFinite(compute)).toBe(true);
        expect(compute).toBeLessThanOrEqual(bound * (1 + 1e-9));
      }),
      { numRuns: 500 },
    );
  });
});
