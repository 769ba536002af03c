import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriceUpdate, UsageSample } from '../codec/records.generated.js';
import { ClusterState } from './cluster-state.js';
import { PriceHistory } from './price-history.js';
import { claimAndVolume, container, nodeObject, podObject, priceUpdate, usageSample } from './record-builders.js';
import { priceWindow } from './window-pricer.js';

// Random clusters (nodes of random sizes, capacity types and price shapes,
// pods with random requests and usage, some over-allocating their node, some
// without pod or node state) and random windows.

// Kubernetes quantities are whole millicores and bytes; generate them that way (MiB for memory).
const cores = (max: number) => fc.integer({ min: 0, max: max * 1000 }).map((m) => m / 1000);
const gib = (max: number) => fc.integer({ min: 0, max: max * 1024 }).map((mib) => mib / 1024);
const capacityType = fc.constantFrom('ON_DEMAND' as const, 'SPOT' as const, 'RESERVED' as const, 'UNKNOWN' as const);
const priceShape = fc.oneof(
  fc.record({ kind: fc.constant('total' as const), hourlyUsd: fc.double({ min: 0, max: 40, noNaN: true }), gpuHourUsd: fc.option(fc.double({ min: 0, max: 5, noNaN: true })) }),
  fc.record({ kind: fc.constant('per-resource' as const), cpu: fc.double({ min: 0, max: 1, noNaN: true }), memory: fc.option(fc.double({ min: 0, max: 0.1, noNaN: true })) }),
  fc.record({ kind: fc.constant('none' as const) }),
);
const nodeArb = fc.record({
  cores: cores(192),
  memoryGib: gib(1024),
  gpus: fc.constantFrom(0, 0, 1, 4, 8),
  capacityType,
  price: priceShape,
  priceFromOffsetMillis: fc.integer({ min: -7_200_000, max: 7_200_000 }),
});
const containerArb = fc.record({
  node: fc.nat(),
  cpuRequest: cores(64),
  memoryRequestGib: gib(256),
  gpus: fc.constantFrom(0, 0, 0, 1, 2),
  cpuUsage: fc.double({ min: 0, max: 96, noNaN: true, noDefaultInfinity: true }),
  memoryUsageGib: fc.double({ min: 0, max: 300, noNaN: true, noDefaultInfinity: true }),
  gap: fc.boolean(),
  knownPod: fc.double({ min: 0, max: 1, noNaN: true }),
  knownNode: fc.double({ min: 0, max: 1, noNaN: true }),
  claim: fc.constantFrom(null, 'shared', 'own'),
  txBytes: fc.option(fc.nat({ max: 2 ** 31 })),
});
const clusterArb = fc.record({
  nodes: fc.array(nodeArb, { minLength: 1, maxLength: 6 }),
  containers: fc.array(containerArb, { minLength: 0, maxLength: 30 }),
  windowStart: fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }).map((s) => s * 1000 - ((s * 1000) % 60_000)),
  windowSeconds: fc.constantFrom(15, 60, 300),
});

type Cluster = typeof clusterArb extends fc.Arbitrary<infer T> ? T : never;

function build(cluster: Cluster): { state: ClusterState; prices: PriceHistory; samples: UsageSample[] } {
  const state = new ClusterState();
  const prices = new PriceHistory();
  cluster.nodes.forEach((n, i) => {
    const name = `node-${i}`;
    state.apply(nodeObject({ name, instanceType: `type-${i}`, capacityType: n.capacityType, cores: n.cores, memoryGib: n.memoryGib, gpus: n.gpus }));
    const priced = n.capacityType === 'UNKNOWN' ? 'ON_DEMAND' : n.capacityType;
    const base = { sku: `type-${i}`, capacityType: priced, effectiveFrom: cluster.windowStart + n.priceFromOffsetMillis } as const;
    let update: PriceUpdate | null = null;
    if (n.price.kind === 'total') update = priceUpdate({ ...base, hourlyUsd: n.price.hourlyUsd, gpuHourUsd: n.price.gpuHourUsd });
    if (n.price.kind === 'per-resource') update = priceUpdate({ ...base, cpuCoreHourUsd: n.price.cpu, memoryGibHourUsd: n.price.memory });
    if (update) prices.add(update);
  });
  for (const object of claimAndVolume({ claim: 'shared', volume: 'pv-shared', sizeGib: 500 })) state.apply(object);
  prices.add(priceUpdate({ kind: 'NETWORK', sku: 'internet', capacityType: 'UNKNOWN', effectiveFrom: 0, networkGibUsd: 0.09 }));
  const samples = cluster.containers.map((c, i) => {
    const nodeName = c.knownNode < 0.9 ? `node-${c.node % cluster.nodes.length}` : `gone-${i}`;
    if (c.knownPod < 0.9) {
      const claimNames = c.claim === null ? [] : [c.claim === 'own' ? `own-${i}` : 'shared'];
      if (c.claim === 'own') for (const object of claimAndVolume({ claim: `own-${i}`, volume: `pv-${i}`, sizeGib: 20 })) state.apply(object);
      state.apply(podObject({ name: `pod-${i}`, nodeName, containers: [container('c', c.cpuRequest, c.memoryRequestGib, c.gpus)], claimNames, workload: { kind: 'Deployment', name: `w${i % 3}` } }));
    }
    return usageSample({
      podName: `pod-${i}`,
      container: 'c',
      nodeName: c.knownPod < 0.9 ? null : nodeName,
      windowStart: cluster.windowStart,
      windowSeconds: cluster.windowSeconds,
      cpuCores: c.cpuUsage,
      memoryGib: c.memoryUsageGib,
      networkTxBytes: c.txBytes,
      gap: c.gap,
    });
  });
  return { state, prices, samples };
}

const COSTS = ['cpuCostUsd', 'memoryCostUsd', 'gpuCostUsd', 'storageCostUsd', 'networkCostUsd', 'totalCostUsd', 'onDemandCostUsd'] as const;
const NODE_COSTS = ['cpuCostUsd', 'memoryCostUsd', 'gpuCostUsd', 'costUsd', 'cpuIdleCostUsd', 'memoryIdleCostUsd', 'gpuIdleCostUsd', 'idleCostUsd', 'onDemandCostUsd'] as const;

function relativeGap(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

describe('conservation over random clusters and windows', () => {
  it('Σ container costs + idle = node cost per resource (1e-9 relative), idle ≥ 0, no NaN or negative cost', () => {
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        const { state, prices, samples } = build(cluster);
        const { podCosts, nodeCosts } = priceWindow({ windowStart: cluster.windowStart, windowSeconds: cluster.windowSeconds, samples }, state, prices);
        expect(podCosts).toHaveLength(samples.length);
        for (const cost of podCosts) {
          for (const field of COSTS) {
            expect(Number.isFinite(cost[field]), `${field} of ${cost.podName}`).toBe(true);
            expect(cost[field]).toBeGreaterThanOrEqual(0);
          }
          expect(relativeGap(cost.totalCostUsd, cost.cpuCostUsd + cost.memoryCostUsd + cost.gpuCostUsd + cost.storageCostUsd + cost.networkCostUsd)).toBeLessThan(1e-9);
        }
        for (const node of nodeCosts) {
          for (const field of NODE_COSTS) {
            expect(Number.isFinite(node[field]), field).toBe(true);
            expect(node[field]).toBeGreaterThanOrEqual(0);
          }
          const onNode = podCosts.filter((c) => c.nodeName === node.nodeName);
          for (const [resource, idle] of [
            ['cpu', node.cpuIdleCostUsd],
            ['memory', node.memoryIdleCostUsd],
            ['gpu', node.gpuIdleCostUsd],
          ] as const) {
            const allocated = onNode.reduce((s, c) => s + c[`${resource}CostUsd`], 0);
            expect(relativeGap(allocated + idle, node[`${resource}CostUsd`])).toBeLessThan(1e-9);
          }
          const resources = onNode.reduce((s, c) => s + c.cpuCostUsd + c.memoryCostUsd + c.gpuCostUsd, 0);
          expect(relativeGap(resources + node.idleCostUsd, node.costUsd)).toBeLessThan(1e-9);
          // Allocated resources never exceed what the node has.
          expect(onNode.reduce((s, c) => s + c.cpuAllocatedCores, 0)).toBeLessThanOrEqual(node.cpuCores * (1 + 1e-12));
          expect(onNode.reduce((s, c) => s + c.memoryAllocatedBytes, 0)).toBeLessThanOrEqual(node.memoryBytes * (1 + 1e-12));
        }
        // Every node of a cluster that reported in the window gets a NodeCost, idle ones included.
        expect(nodeCosts).toHaveLength(samples.length > 0 ? cluster.nodes.length : 0);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
