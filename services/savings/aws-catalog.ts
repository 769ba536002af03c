// A sample of AWS instance types with us-east-1 Linux on-demand prices
// (USD/h, as listed on the EC2 on-demand pricing page in 2024), for the
// tests and the savings bench. The packer itself takes whatever catalog the
// price collector knows; nothing here is used at run time.
import type { Architecture, InstanceShape } from './pack-types.js';

const GiB = 2 ** 30;

function shape(instanceType: string, cpuCores: number, memoryGib: number, hourlyUsd: number, architecture: Architecture, gpu?: { count: number; model: string; zones?: string[] }): InstanceShape {
  return { instanceType, cpuCores, memoryBytes: memoryGib * GiB, gpus: gpu?.count ?? 0, gpuModel: gpu?.model ?? null, architecture, hourlyUsd, zones: gpu?.zones ?? [] };
}

const SIZES: ReadonlyArray<readonly [string, number]> = [
  ['large', 2],
  ['xlarge', 4],
  ['2xlarge', 8],
  ['4xlarge', 16],
  ['8xlarge', 32],
];

/** A family whose price and memory scale with vCPUs, as in EC2: [family, GiB per vCPU, USD per vCPU-hour, architecture]. */
function family(name: string, gibPerCpu: number, usdPerCpuHour: number, architecture: Architecture): InstanceShape[] {
  return SIZES.map(([size, cpus]) => shape(`${name}.${size}`, cpus, cpus * gibPerCpu, +(cpus * usdPerCpuHour).toFixed(4), architecture));
}

export const US_EAST_1_ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;

/** m5, c5, r5 (x86) and m6g, c6g, r6g (Graviton), large to 8xlarge, plus T4 and A10G GPU types. */
export const SAMPLE_AWS_SHAPES: readonly InstanceShape[] = [
  ...family('m5', 4, 0.048, 'amd64'),
  ...family('c5', 2, 0.0425, 'amd64').filter((s) => s.instanceType !== 'c5.8xlarge'),
  shape('c5.9xlarge', 36, 72, 1.53, 'amd64'),
  ...family('r5', 8, 0.063, 'amd64'),
  ...family('m6g', 4, 0.0385, 'arm64'),
  ...family('c6g', 2, 0.034, 'arm64'),
  ...family('r6g', 8, 0.0504, 'arm64'),
  shape('g4dn.xlarge', 4, 16, 0.526, 'amd64', { count: 1, model: 'Tesla-T4' }),
  shape('g4dn.2xlarge', 8, 32, 0.752, 'amd64', { count: 1, model: 'Tesla-T4' }),
  shape('g4dn.12xlarge', 48, 192, 3.912, 'amd64', { count: 4, model: 'Tesla-T4' }),
  shape('g5.xlarge', 4, 16, 1.006, 'amd64', { count: 1, model: 'NVIDIA-A10G', zones: ['us-east-1a', 'us-east-1b'] }),
  shape('g5.2xlarge', 8, 32, 1.212, 'amd64', { count: 1, model: 'NVIDIA-A10G', zones: ['us-east-1a', 'us-east-1b'] }),
];

export function sampleShape(instanceType: string): InstanceShape {
  const found = SAMPLE_AWS_SHAPES.find((s) => s.instanceType === instanceType);
  if (!found) throw new Error(`no sample instance type ${instanceType}`);
  return found;
}

/**
 * The sample plus fifteen more families (AMD, newer Intel and Graviton
 * generations), priced per vCPU-hour as their on-demand list prices run:
 * 110 shapes, the size of a region's catalog for a pool, to time the packer on.
 */
export const WIDE_SAMPLE_AWS_SHAPES: readonly InstanceShape[] = [
  ...SAMPLE_AWS_SHAPES,
  ...family('m5a', 4, 0.043, 'amd64'),
  ...family('m6i', 4, 0.048, 'amd64'),
  ...family('m6a', 4, 0.0432, 'amd64'),
  ...family('m7i', 4, 0.0504, 'amd64'),
  ...family('m7g', 4, 0.0408, 'arm64'),
  ...family('c5a', 2, 0.0385, 'amd64'),
  ...family('c6i', 2, 0.0425, 'amd64'),
  ...family('c6a', 2, 0.0383, 'amd64'),
  ...family('c7i', 2, 0.0446, 'amd64'),
  ...family('c7g', 2, 0.0363, 'arm64'),
  ...family('r5a', 8, 0.0565, 'amd64'),
  ...family('r6i', 8, 0.063, 'amd64'),
  ...family('r6a', 8, 0.0567, 'amd64'),
  ...family('r7i', 8, 0.0662, 'amd64'),
  ...family('r7g', 8, 0.0536, 'arm64'),
];
