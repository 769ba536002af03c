// The node packer's contract: plain values in, plain values out. Kept apart
// from the packers themselves so that the three of them (kcost's heuristic,
// the one-shape baseline and the exhaustive optimum) share it without import
// cycles; services/savings/node-packer.ts re-exports every name.

export type Architecture = 'amd64' | 'arm64';

/** One pod's requests and placement constraints. */
export interface PodDemand {
  /** namespace/pod */
  readonly id: string;
  /** Requests, summed over the pod's containers. */
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly gpus: number;
  /** When gpus > 0 and the pod needs a model (null: any model). */
  readonly gpuModel: string | null;
  /** Required architecture (null: any the pool offers). */
  readonly architecture: Architecture | null;
  /** Pinned zone, e.g. by a zonal volume (null: any zone). */
  readonly zone: string | null;
}

/** An instance type the pool could run, priced in the capacity type being planned. */
export interface InstanceShape {
  readonly instanceType: string;
  /** Capacity (vCPUs). */
  readonly cpuCores: number;
  /** Capacity. */
  readonly memoryBytes: number;
  readonly gpus: number;
  readonly gpuModel: string | null;
  readonly architecture: Architecture;
  readonly hourlyUsd: number;
  /** Zones it is offered in; empty: every zone. */
  readonly zones: readonly string[];
}

export interface Allocatable {
  cpuCores: number;
  memoryBytes: number;
  gpus: number;
}

export interface PackOptions {
  /** Headroom: nodes at most this fraction allocated, per resource (CPU and memory), DaemonSet overhead included. Default 0.8. */
  readonly maxAllocatedFraction: number;
  /** What the DaemonSets request on every node. */
  readonly daemonSetOverhead: { readonly cpuCores: number; readonly memoryBytes: number };
  /** The zone spread to keep: at least one node in each. */
  readonly zones: readonly string[];
  /** Default: allocatableOf (services/savings/node-allocatable.ts). */
  readonly allocatable?: (shape: InstanceShape) => Allocatable;
}

export interface PackedNode {
  readonly instanceType: string;
  readonly zone: string;
  readonly podIds: readonly string[];
  readonly cpuRequested: number;
  readonly memoryRequested: number;
  readonly gpusRequested: number;
  readonly hourlyUsd: number;
}

/** A pod no instance type can hold, and why, e.g. "no instance type fits 96 cores with 80 % headroom". */
export interface UnplacedPod {
  readonly podId: string;
  readonly reason: string;
}

export interface PackResult {
  readonly nodes: readonly PackedNode[];
  /** Σ nodes' hourlyUsd. */
  readonly hourlyUsd: number;
  readonly unplaced: readonly UnplacedPod[];
}

/** The default headroom: nodes at most 80 % allocated. */
export const DEFAULT_MAX_ALLOCATED_FRACTION = 0.8;
