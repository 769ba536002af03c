// kcost's packer against the optimum on small cases. The figures the bounds
// are held to were measured on these seeds (docs/savings.md): the bounds
// leave little slack on purpose, so that a change that makes the packer
// worse fails here.
import { describe, expect, it } from 'vitest';
import { sampleShape } from './aws-catalog.js';
import { exhaustivePack } from './exhaustive-pack.js';
import { firstFitPack } from './first-fit.js';
import { packNodePool, type PodDemand } from './node-packer.js';
import { planViolations } from './plan-check.js';
import { randomCase } from './random-cases.js';

const GiB = 2 ** 30;
const SEEDS = 400;

function pod(id: string, cpuCores: number, memoryGib: number): PodDemand {
  return { id, cpuCores, memoryBytes: memoryGib * GiB, gpus: 0, gpuModel: null, architecture: null, zone: null };
}

describe('exhaustivePack', () => {
  it('finds the optimum of a case small enough to check by hand', () => {
    // Room at 80 % with 0.1 core and no memory of DaemonSets: m5.large 1.444 cores, m5.xlarge 3.036 cores.
    // Three 1-core pods: one m5.xlarge (3 ≤ 3.036): 0.192. Three 1.1-core pods: no longer, so 0.288 (m5.xlarge + m5.large, or three m5.large).
    // Four 0.7-core pods: two m5.large hold two each (1.4 ≤ 1.444): 0.192, the same as one m5.xlarge.
    const shapes = ['m5.large', 'm5.xlarge'].map(sampleShape);
    const options = { maxAllocatedFraction: 0.8, daemonSetOverhead: { cpuCores: 0.1, memoryBytes: 0 }, zones: [] };
    expect(exhaustivePack([pod('a', 1, 1), pod('b', 1, 1), pod('c', 1, 1)], shapes, options).hourlyUsd).toBeCloseTo(0.192, 9);
    expect(exhaustivePack([pod('a', 1.1, 1), pod('b', 1.1, 1), pod('c', 1.1, 1)], shapes, options).hourlyUsd).toBeCloseTo(0.288, 9);
    expect(exhaustivePack([pod('a', 0.7, 1), pod('b', 0.7, 1), pod('c', 0.7, 1), pod('d', 0.7, 1)], shapes, options).hourlyUsd).toBeCloseTo(0.192, 9);
    // A third zone to keep costs the cheapest shape there, empty.
    expect(exhaustivePack([pod('a', 0.7, 1), pod('b', 0.7, 1)], shapes, { ...options, zones: ['z1', 'z2', 'z3'] }).hourlyUsd).toBeCloseTo(0.288, 9);
  });

  it('refuses cases too large to search', () => {
    const pods = Array.from({ length: 13 }, (_, i) => pod(`p${i}`, 0.1, 0.1));
    expect(() => exhaustivePack(pods, [sampleShape('m5.large')], { maxAllocatedFraction: 0.8, daemonSetOverhead: { cpuCores: 0, memoryBytes: 0 }, zones: [] })).toThrow('exhaustivePack searches at most 12 pods, got 13');
  });
});

describe(`packNodePool against the optimum on ${SEEDS} seeded cases (≤ 10 pods, ≤ 4 shapes)`, () => {
  const ratios: number[] = [];
  const baseline: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { pods, shapes, options } = randomCase(seed, 10, 4);
    const optimum = exhaustivePack(pods, shapes, options);
    const packed = packNodePool(pods, shapes, options);
    const firstFit = firstFitPack(pods, shapes, options);
    for (const result of [optimum, packed, firstFit]) expect(planViolations(pods, shapes, options, result)).toEqual([]);
    // The optimum is a lower bound: a plan cheaper than it means the search is wrong.
    expect(packed.hourlyUsd).toBeGreaterThanOrEqual(optimum.hourlyUsd - 1e-9);
    expect(firstFit.hourlyUsd).toBeGreaterThanOrEqual(optimum.hourlyUsd - 1e-9);
    if (optimum.hourlyUsd > 0) {
      ratios.push(packed.hourlyUsd / optimum.hourlyUsd);
      baseline.push(firstFit.hourlyUsd / optimum.hourlyUsd);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('costs at most 10 % more than the optimum on any case, 1 % more on average, and is optimal on 95 % of them', () => {
    const worst = Math.max(...ratios);
    const optimal = ratios.filter((r) => r <= 1 + 1e-9).length / ratios.length;
    console.log(`packNodePool / optimum over ${ratios.length} cases: worst ${worst.toFixed(4)}, mean ${mean(ratios).toFixed(4)}, optimal on ${(optimal * 100).toFixed(1)} %; first-fit / optimum: worst ${Math.max(...baseline).toFixed(4)}, mean ${mean(baseline).toFixed(4)}`);
    expect(worst).toBeLessThanOrEqual(1.1);
    expect(mean(ratios)).toBeLessThanOrEqual(1.01);
    expect(optimal).toBeGreaterThanOrEqual(0.95);
  });

  it('beats the one-shape first-fit baseline on average', () => {
    expect(mean(baseline)).toBeGreaterThan(mean(ratios) + 0.05);
  });
});
