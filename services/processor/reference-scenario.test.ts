import { describe, expect, it } from 'vitest';
import type { NodeCost, PodCost } from '../codec/records.generated.js';
import { ClusterState } from './cluster-state.js';
import { PriceHistory } from './price-history.js';
import { claimAndVolume, container, nodeObject, podObject, priceUpdate, usageSample } from './record-builders.js';
import { priceWindow } from './window-pricer.js';

// A hand-computed hour on two nodes, priced as 60 one-minute windows with
// constant usage; the sums over the hour must match the arithmetic below to
// the cent (and to 1e-6 USD, as the figures are exact up to rounding).
//
// node-a: m5.8xlarge, on-demand, 32 vCPU, 128 GiB, total price 1.536 $/h.
//   Split by the CPU:RAM-GiB ratio 0.031611 : 0.004237 over allocatable:
//     cpu weight = 0.031611 × 32  = 1.011552
//     mem weight = 0.004237 × 128 = 0.542336      (sum 1.553888)
//     cpu part   = 1.536 × 1.011552 / 1.553888 = 0.999907 $/h  (0.031247 $/core-h)
//     mem part   = 1.536 − 0.999907           = 0.536093 $/h  (0.004188 $/GiB-h)
//   web/app: request 4 cores 16 GiB, usage 6 cores 8 GiB → max: 6 cores, 16 GiB
//     cpu 6/32 × 0.999907 = 0.187483; mem 16/128 × 0.536093 = 0.067012; total 0.254494
//   db/pg: request 8 cores 32 GiB, usage 2 cores 40 GiB → max: 8 cores, 40 GiB
//     cpu 8/32 × 0.999907 = 0.249977; mem 40/128 × 0.536093 = 0.167529
//     plus its 100 GiB gp3 claim at 0.08 $/GiB-month: 100 × 0.08 / 730 = 0.010959 $/h
//     total 0.249977 + 0.167529 + 0.010959 = 0.428465
//   idle: cpu (32−14)/32 × 0.999907 = 0.562448; mem (128−56)/128 × 0.536093 = 0.301552
//     1.536 − 0.254494 − 0.417506 (db without storage) = 0.864000 = 0.562448 + 0.301552
//
// node-b: g4dn-like, spot, 16 vCPU, 64 GiB, 1 GPU, per-resource spot prices
//   0.02 $/core-h, 0.003 $/GiB-h, 0.90 $/GPU-h (on-demand 0.05, 0.006, 2.50).
//   node cost = 16×0.02 + 64×0.003 + 0.9 = 1.412 $/h; on-demand 0.8 + 0.384 + 2.5 = 3.684 $/h
//   train/trainer: request 8 cores 32 GiB 1 GPU, usage 12 cores 30 GiB → 12 cores, 32 GiB, 1 GPU
//   batch/worker:  request 6 cores 24 GiB,       usage 6 cores 36 GiB  → 6 cores, 36 GiB
//   Over-allocated: cpu 18 > 16 → × 16/18; memory 68 > 64 → × 64/68 (both SCALED, node OVERCOMMITTED)
//   trainer: cpu 12×16/18 = 10.6667 cores × 0.02 = 0.213333; mem 32×64/68 = 30.1176 GiB × 0.003 = 0.090353;
//            gpu 0.9 → total 1.203686; on-demand 10.6667×0.05 + 30.1176×0.006 + 2.5 = 3.214039; savings 2.010353
//   worker:  cpu 6×16/18 = 5.3333 × 0.02 = 0.106667; mem 36×64/68 = 33.8824 × 0.003 = 0.101647 → 0.208314;
//            on-demand 5.3333×0.05 + 33.8824×0.006 = 0.469961; savings 0.261647
//   idle on node-b: 1.412 − 1.203686 − 0.208314 = 0 (everything allocated)

const HOUR_START = Date.UTC(2026, 0, 5, 10);
const BEFORE = HOUR_START - 86_400_000;

function scenario() {
  const state = new ClusterState();
  const prices = new PriceHistory();
  state.apply(nodeObject({ name: 'node-a', instanceType: 'm5.8xlarge', cores: 32, memoryGib: 128 }));
  state.apply(nodeObject({ name: 'node-b', instanceType: 'g4dn.4xlarge', capacityType: 'SPOT', cores: 16, memoryGib: 64, gpus: 1 }));
  state.apply(podObject({ name: 'web', nodeName: 'node-a', containers: [container('app', 4, 16)], workload: { kind: 'Deployment', name: 'web' } }));
  state.apply(podObject({ name: 'db', nodeName: 'node-a', containers: [container('pg', 8, 32)], workload: { kind: 'StatefulSet', name: 'db' }, claimNames: ['data'] }));
  state.apply(podObject({ name: 'train', nodeName: 'node-b', containers: [container('trainer', 8, 32, 1)], workload: { kind: 'Job', name: 'train' } }));
  state.apply(podObject({ name: 'batch', nodeName: 'node-b', containers: [container('worker', 6, 24)], workload: { kind: 'Deployment', name: 'batch' } }));
  for (const object of claimAndVolume({ claim: 'data', volume: 'pv-data', sizeGib: 100 })) state.apply(object);
  prices.add(priceUpdate({ sku: 'm5.8xlarge', effectiveFrom: BEFORE, hourlyUsd: 1.536 }));
  prices.add(priceUpdate({ sku: 'g4dn.4xlarge', capacityType: 'SPOT', source: 'aws-spot', effectiveFrom: BEFORE, cpuCoreHourUsd: 0.02, memoryGibHourUsd: 0.003, gpuHourUsd: 0.9 }));
  prices.add(priceUpdate({ sku: 'g4dn.4xlarge', effectiveFrom: BEFORE, cpuCoreHourUsd: 0.05, memoryGibHourUsd: 0.006, gpuHourUsd: 2.5 }));
  prices.add(priceUpdate({ kind: 'STORAGE', sku: 'gp3', capacityType: 'UNKNOWN', effectiveFrom: BEFORE, storageGibMonthUsd: 0.08 }));
  return { state, prices };
}

function priceHour() {
  const { state, prices } = scenario();
  const podCosts: PodCost[] = [];
  const nodeCosts: NodeCost[] = [];
  for (let minute = 0; minute < 60; minute++) {
    const windowStart = HOUR_START + minute * 60_000;
    const samples = [
      usageSample({ podName: 'web', container: 'app', windowStart, cpuCores: 6, memoryGib: 8 }),
      usageSample({ podName: 'db', container: 'pg', windowStart, cpuCores: 2, memoryGib: 40 }),
      usageSample({ podName: 'train', container: 'trainer', windowStart, cpuCores: 12, memoryGib: 30 }),
      usageSample({ podName: 'batch', container: 'worker', windowStart, cpuCores: 6, memoryGib: 36 }),
    ];
    const priced = priceWindow({ windowStart, windowSeconds: 60, samples }, state, prices);
    podCosts.push(...priced.podCosts);
    nodeCosts.push(...priced.nodeCosts);
  }
  const sum = <T>(rows: T[], pick: (r: T) => number) => rows.reduce((s, r) => s + pick(r), 0);
  const pod = (name: string) => podCosts.filter((c) => c.podName === name);
  const node = (name: string) => nodeCosts.filter((c) => c.nodeName === name);
  return { sum, pod, node };
}

const cents = (usd: number) => Math.round(usd * 100);

describe('reference scenario: two nodes, four pods, one hour', () => {
  const { sum, pod, node } = priceHour();

  it.each([
    ['web', 0.187483, 0.067012, 0, 0, 0.254494],
    ['db', 0.249977, 0.167529, 0, 0.010959, 0.428465],
    ['train', 0.213333, 0.090353, 0.9, 0, 1.203686],
    ['batch', 0.106667, 0.101647, 0, 0, 0.208314],
  ])('%s costs what the hand computation says', (name, cpu, memory, gpu, storage, total) => {
    const rows = pod(name);
    expect(rows).toHaveLength(60);
    expect(cents(sum(rows, (r) => r.totalCostUsd))).toBe(cents(total));
    expect(sum(rows, (r) => r.cpuCostUsd)).toBeCloseTo(cpu, 6);
    expect(sum(rows, (r) => r.memoryCostUsd)).toBeCloseTo(memory, 6);
    expect(sum(rows, (r) => r.gpuCostUsd)).toBeCloseTo(gpu, 6);
    expect(sum(rows, (r) => r.storageCostUsd)).toBeCloseTo(storage, 6);
    expect(sum(rows, (r) => r.totalCostUsd)).toBeCloseTo(total, 6);
  });

  it('carries each node\'s providerID on its node costs, for reconciliation with the bill, and null where the node has none', () => {
    const { state, prices } = scenario();
    state.apply(nodeObject({ name: 'node-a', instanceType: 'm5.8xlarge', cores: 32, memoryGib: 128, providerId: 'aws:///us-east-1a/i-0abc' }));
    const samples = [usageSample({ podName: 'web', container: 'app', windowStart: HOUR_START, cpuCores: 6, memoryGib: 8 }), usageSample({ podName: 'train', container: 'trainer', windowStart: HOUR_START, cpuCores: 12, memoryGib: 30 })];
    const priced = priceWindow({ windowStart: HOUR_START, windowSeconds: 60, samples }, state, prices);
    expect(Object.fromEntries(priced.nodeCosts.map((c) => [c.nodeName, c.providerId]))).toEqual({ 'node-a': 'aws:///us-east-1a/i-0abc', 'node-b': null });
  });

  it('charges allocation by max(request, usage) and scales the over-allocated spot node', () => {
    const [web] = pod('web');
    expect(web?.cpuAllocatedCores).toBe(6);
    expect(web?.memoryAllocatedBytes).toBe(16 * 1024 ** 3);
    const [trainer] = pod('train');
    expect(trainer?.cpuAllocatedCores).toBeCloseTo(10.666667, 6);
    expect(trainer?.flags).toEqual(['SCALED']);
    expect(web?.flags).toEqual([]);
  });

  it('reports node cost, idle and spot savings per node', () => {
    const a = node('node-a');
    const b = node('node-b');
    expect(cents(sum(a, (r) => r.costUsd))).toBe(cents(1.536));
    expect(sum(a, (r) => r.idleCostUsd)).toBeCloseTo(0.864, 6);
    expect(sum(a, (r) => r.cpuIdleCostUsd)).toBeCloseTo(0.562448, 6);
    expect(sum(a, (r) => r.spotSavingsUsd)).toBe(0);
    expect(sum(b, (r) => r.costUsd)).toBeCloseTo(1.412, 6);
    expect(sum(b, (r) => r.idleCostUsd)).toBeCloseTo(0, 9);
    expect(sum(b, (r) => r.onDemandCostUsd)).toBeCloseTo(3.684, 6);
    expect(b[0]?.flags).toEqual(['OVERCOMMITTED']);
    expect(cents(sum(pod('train'), (r) => r.spotSavingsUsd))).toBe(cents(2.010353));
    expect(sum(pod('batch'), (r) => r.spotSavingsUsd)).toBeCloseTo(0.261647, 6);
    expect(a[0]?.priceSource).toBe('aws-pricing');
    expect(b[0]?.priceSource).toBe('aws-spot');
    expect(b[0]?.priceEffectiveFrom).toBe(BEFORE);
  });
});
