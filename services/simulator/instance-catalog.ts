/** An AWS instance type as the simulator sells it: size, approximate us-east-1 Linux on-demand price, GPUs. */
export interface InstanceType {
  readonly name: string;
  readonly vcpu: number;
  readonly memoryGib: number;
  readonly onDemandHourlyUsd: number;
  readonly gpus: number;
  /** The GPU model as the nvidia.com/gpu.product label names it. */
  readonly gpuModel: string | null;
  /** Approximate share of the hourly price that is the GPU's, for the GPU price split. */
  readonly gpuHourlyUsd: number | null;
  /** CPU architecture as the kubernetes.io/arch label names it. */
  readonly architecture: 'amd64' | 'arm64';
}

const cpu = (name: string, vcpu: number, memoryGib: number, onDemandHourlyUsd: number): InstanceType => ({ name, vcpu, memoryGib, onDemandHourlyUsd, gpus: 0, gpuModel: null, gpuHourlyUsd: null, architecture: 'amd64' });
const gpu = (name: string, vcpu: number, memoryGib: number, onDemandHourlyUsd: number, model: string, gpuHourlyUsd: number): InstanceType => ({ name, vcpu, memoryGib, onDemandHourlyUsd, gpus: 1, gpuModel: model, gpuHourlyUsd, architecture: 'amd64' });

/** General-purpose, compute- and memory-optimised types, weighted by how often a fleet runs them. */
export const CPU_INSTANCE_TYPES: ReadonlyArray<readonly [InstanceType, number]> = [
  [cpu('m5.large', 2, 8, 0.096), 2],
  [cpu('m5.xlarge', 4, 16, 0.192), 4],
  [cpu('m5.2xlarge', 8, 32, 0.384), 4],
  [cpu('m5.4xlarge', 16, 64, 0.768), 2],
  [cpu('m6i.xlarge', 4, 16, 0.192), 2],
  [cpu('m6i.2xlarge', 8, 32, 0.384), 2],
  [cpu('c5.xlarge', 4, 8, 0.17), 2],
  [cpu('c5.2xlarge', 8, 16, 0.34), 2],
  [cpu('r5.xlarge', 4, 32, 0.252), 1],
  [cpu('r5.2xlarge', 8, 64, 0.504), 1],
  [cpu('t3.large', 2, 8, 0.0832), 1],
];

/** GPU types: one GPU each, so a GPU pod takes a whole node's accelerator. */
export const GPU_INSTANCE_TYPES: ReadonlyArray<readonly [InstanceType, number]> = [
  [gpu('g4dn.xlarge', 4, 16, 0.526, 'Tesla-T4', 0.35), 3],
  [gpu('g5.xlarge', 4, 16, 1.006, 'NVIDIA-A10G', 0.75), 2],
  [gpu('p3.2xlarge', 8, 61, 3.06, 'Tesla-V100-SXM2-16GB', 2.48), 1],
];

const arm = (name: string, vcpu: number, memoryGib: number, onDemandHourlyUsd: number): InstanceType => ({ ...cpu(name, vcpu, memoryGib, onDemandHourlyUsd), architecture: 'arm64' });

/**
 * Graviton2 siblings of the x86 types above, at the sizes the cluster uses:
 * in the price catalog only (the simulator never runs a node on them), so
 * ARM advice has something to compare with. us-east-1 Linux on-demand list
 * prices, from https://aws.amazon.com/ec2/pricing/on-demand/ (as also
 * tabled at https://instances.vantage.sh): about 20 % below the x86 type
 * of the same size (m6g.large $0.077 against m5.large $0.096).
 */
export const ARM_CATALOG_TYPES: readonly InstanceType[] = [
  arm('m6g.large', 2, 8, 0.077),
  arm('m6g.xlarge', 4, 16, 0.154),
  arm('m6g.2xlarge', 8, 32, 0.308),
  arm('m6g.4xlarge', 16, 64, 0.616),
  arm('c6g.xlarge', 4, 8, 0.136),
  arm('c6g.2xlarge', 8, 16, 0.272),
  arm('r6g.xlarge', 4, 32, 0.2016),
  arm('r6g.2xlarge', 8, 64, 0.4032),
  arm('t4g.large', 2, 8, 0.0672),
];

/** Every instance type the simulated price collector knows: the node types, then the catalog-only ARM siblings. */
export const PRICE_CATALOG: readonly InstanceType[] = [...CPU_INSTANCE_TYPES.map(([t]) => t), ...GPU_INSTANCE_TYPES.map(([t]) => t), ...ARM_CATALOG_TYPES];

/** What the kubelet reserves: allocatable is capacity minus system and kube reservations, as on EKS. */
export function allocatableOf(type: InstanceType): { cpuCores: number; memoryBytes: number } {
  const GiB = 1024 ** 3;
  const cpuReserved = 0.06 + 0.01 * type.vcpu + (type.vcpu > 4 ? 0.005 * (type.vcpu - 4) : 0);
  const memoryReserved = 0.1 * GiB + 0.06 * type.memoryGib * GiB;
  return { cpuCores: round(type.vcpu - cpuReserved, 3), memoryBytes: Math.floor(type.memoryGib * GiB - memoryReserved) };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
