import { describe, expect, it } from 'vitest';
import { allocatableOf, eksAllocatableOf, gkeReservedMemoryBytes, reservedCpuCores } from './node-allocatable.js';
import type { InstanceShape } from './pack-types.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

function shape(cpuCores: number, memoryGib: number, gpus = 0): InstanceShape {
  return { instanceType: `t.${cpuCores}x${memoryGib}`, cpuCores, memoryBytes: memoryGib * GiB, gpus, gpuModel: gpus > 0 ? 'Tesla-T4' : null, architecture: 'amd64', hourlyUsd: 1, zones: [] };
}

describe('kubelet CPU reservation (GKE and EKS)', () => {
  it.each([
    // 6 % of the first core, 1 % of the second, 0.5 % of cores 3-4, 0.25 % above.
    [1, 0.06],
    [2, 0.07],
    [4, 0.08],
    [8, 0.09],
    [32, 0.15],
    [96, 0.31],
  ])('%d vCPUs reserve %d cores', (cpus, reserved) => {
    expect(reservedCpuCores(cpus)).toBeCloseTo(reserved, 12);
  });
});

describe('GKE memory reservation', () => {
  it.each([
    [0.5, 255 / 1024],
    [4, 1],
    [8, 1.8],
    [16, 2.6],
    [64, 2.6 + 0.06 * 48],
    [256, 2.6 + 0.06 * 112 + 0.02 * 128],
  ])('%d GiB reserve %d GiB', (memoryGib, reservedGib) => {
    expect(gkeReservedMemoryBytes(memoryGib * GiB) / GiB).toBeCloseTo(reservedGib, 9);
  });
});

describe('allocatableOf', () => {
  it('subtracts the reservations and the 100 MiB eviction threshold, in millicores and whole bytes', () => {
    expect(allocatableOf(shape(4, 16))).toEqual({ cpuCores: 3.92, memoryBytes: Math.floor(16 * GiB - 2.6 * GiB - 100 * MiB), gpus: 0 });
    expect(allocatableOf(shape(4, 16, 1)).gpus).toBe(1);
  });

  it('EKS: 11 MiB per pod the node may run plus 255 MiB, and the eviction threshold', () => {
    // m5.large: 29 pods from its ENIs.
    expect(eksAllocatableOf(shape(2, 8), 29)).toEqual({ cpuCores: 1.93, memoryBytes: 8 * GiB - (11 * 29 + 255) * MiB - 100 * MiB, gpus: 0 });
  });

  it('never goes below zero', () => {
    expect(allocatableOf(shape(0, 0.25))).toEqual({ cpuCores: 0, memoryBytes: 0, gpus: 0 });
  });
});
