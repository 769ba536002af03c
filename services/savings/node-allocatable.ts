// What the kubelet leaves for pods on a node: capacity minus the kube and
// system reservations and the hard eviction threshold that the managed
// services configure. Figures from:
//  - GKE, "Plan GKE Standard node sizes", section "Memory and CPU
//    reservations" (cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes):
//    memory 255 MiB on machines under 1 GiB, else 25 % of the first 4 GiB,
//    20 % of the next 4 GiB, 10 % of the next 8 GiB, 6 % of the next 112 GiB
//    and 2 % above 128 GiB, plus a 100 MiB eviction threshold; CPU 6 % of the
//    first core, 1 % of the next, 0.5 % of the next 2 and 0.25 % above 4.
//  - EKS, awslabs/amazon-eks-ami (bootstrap, the kubelet config of the AL2023
//    nodeadm): the same CPU tiers; memory 11 MiB × max pods + 255 MiB, and
//    evictionHard memory.available 100Mi.
// allocatableOf uses GKE's memory tiers because they need nothing but the
// capacity; EKS's rule needs the ENI-derived max pods, which a shape does not
// carry: pass eksAllocatableOf through PackOptions.allocatable for it.
import type { Allocatable, InstanceShape } from './pack-types.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const EVICTION_THRESHOLD_BYTES = 100 * MiB;

/** [upper bound of the tier, fraction reserved within it], in order. */
const CPU_TIERS: ReadonlyArray<readonly [number, number]> = [
  [1, 0.06],
  [2, 0.01],
  [4, 0.005],
  [Infinity, 0.0025],
];
const GKE_MEMORY_TIERS: ReadonlyArray<readonly [number, number]> = [
  [4 * GiB, 0.25],
  [8 * GiB, 0.2],
  [16 * GiB, 0.1],
  [128 * GiB, 0.06],
  [Infinity, 0.02],
];

function tiered(amount: number, tiers: ReadonlyArray<readonly [number, number]>): number {
  let reserved = 0;
  let from = 0;
  for (const [to, fraction] of tiers) {
    if (amount <= from) break;
    reserved += (Math.min(amount, to) - from) * fraction;
    from = to;
  }
  return reserved;
}

/** CPU cores the kubelet reserves on a node of this many vCPUs (GKE and EKS alike). */
export function reservedCpuCores(cpuCores: number): number {
  return tiered(cpuCores, CPU_TIERS);
}

/** Memory GKE reserves for the kubelet and system, eviction threshold excluded. */
export function gkeReservedMemoryBytes(memoryBytes: number): number {
  return memoryBytes < GiB ? 255 * MiB : tiered(memoryBytes, GKE_MEMORY_TIERS);
}

function allocatable(shape: InstanceShape, reservedMemoryBytes: number): Allocatable {
  // Millicores and whole bytes, as the kubelet reports them: the result is the same on every run and machine.
  return {
    cpuCores: Math.max(0, Math.floor((shape.cpuCores - reservedCpuCores(shape.cpuCores)) * 1000 + 1e-9) / 1000),
    memoryBytes: Math.max(0, Math.floor(shape.memoryBytes - reservedMemoryBytes - EVICTION_THRESHOLD_BYTES)),
    gpus: shape.gpus,
  };
}

/** Capacity minus GKE's documented reservations and the 100 MiB eviction threshold. */
export function allocatableOf(shape: InstanceShape): Allocatable {
  return allocatable(shape, gkeReservedMemoryBytes(shape.memoryBytes));
}

/** Capacity minus EKS's reservations (11 MiB × maxPods + 255 MiB) and the 100 MiB eviction threshold. */
export function eksAllocatableOf(shape: InstanceShape, maxPods: number): Allocatable {
  return allocatable(shape, (11 * maxPods + 255) * MiB);
}
