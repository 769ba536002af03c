// Seeded random packing problems, for the property tests and the comparison
// with the exhaustive optimum: a few shapes of the sample catalog (prices
// sometimes skewed, so that bigger is not always proportionally dearer), a
// few pods with GPU, architecture and zone constraints mixed in.
import { Prng } from '../simulator/prng.js';
import { SAMPLE_AWS_SHAPES, sampleShape, US_EAST_1_ZONES } from './aws-catalog.js';
import type { InstanceShape, PackOptions, PodDemand } from './pack-types.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export interface PackCase {
  readonly pods: PodDemand[];
  readonly shapes: InstanceShape[];
  readonly options: PackOptions;
}

const SMALL_CPU_TYPES = ['m5.large', 'm5.xlarge', 'm5.2xlarge', 'c5.large', 'c5.xlarge', 'c5.2xlarge', 'r5.large', 'r5.xlarge', 'm6g.large', 'm6g.xlarge', 'c6g.xlarge', 'r6g.large'];
const SMALL_GPU_TYPES = ['g4dn.xlarge', 'g5.xlarge'];

/** A case of at most `maxPods` pods and `maxShapes` shapes (at least one of them without GPUs). */
export function randomCase(seed: number, maxPods: number, maxShapes: number): PackCase {
  const rng = new Prng(seed);
  const zones = US_EAST_1_ZONES.slice(0, rng.int(1, 3));
  const shapeCount = rng.int(2, maxShapes);
  const names = new Set<string>([rng.pick(SMALL_CPU_TYPES)]);
  const withGpu = rng.chance(0.3);
  while (names.size < shapeCount) names.add(withGpu && rng.chance(0.3) ? rng.pick(SMALL_GPU_TYPES) : rng.pick(SMALL_CPU_TYPES));
  const skew = rng.chance(0.5);
  const shapes = [...names].sort().map((name) => {
    const s = sampleShape(name);
    return skew ? { ...s, hourlyUsd: +(s.hourlyUsd * rng.range(0.75, 1.25)).toFixed(4) } : s;
  });
  const gpuModels = [...new Set(shapes.filter((s) => s.gpus > 0).map((s) => s.gpuModel))];
  const pods: PodDemand[] = [];
  const count = rng.int(3, maxPods);
  for (let i = 0; i < count; i++) {
    const gpu = gpuModels.length > 0 && rng.chance(0.2);
    pods.push({
      id: `ns/pod-${i}`,
      cpuCores: +rng.range(0.1, gpu ? 2 : 3).toFixed(3),
      memoryBytes: Math.round(rng.range(0.1, rng.chance(0.3) ? 10 : 4) * GiB),
      gpus: gpu ? 1 : 0,
      gpuModel: gpu && rng.chance(0.5) ? (rng.pick(gpuModels) ?? null) : null,
      architecture: rng.chance(0.2) ? rng.pick(['amd64', 'arm64'] as const) : null,
      zone: rng.chance(0.2) ? rng.pick(zones) : null,
    });
  }
  return {
    pods,
    shapes,
    options: {
      maxAllocatedFraction: rng.pick([0.7, 0.8, 0.8, 0.9, 1]),
      daemonSetOverhead: { cpuCores: +rng.range(0.05, 0.3).toFixed(3), memoryBytes: Math.round(rng.range(100, 500)) * MiB },
      zones,
    },
  };
}

/** A larger case on a whole catalog (by default the sample), for the properties at scale. */
export function randomPool(seed: number, podCount: number, shapes: readonly InstanceShape[] = SAMPLE_AWS_SHAPES): PackCase {
  const rng = new Prng(seed);
  const zones = US_EAST_1_ZONES.slice(0, rng.int(1, 3));
  const pods: PodDemand[] = Array.from({ length: podCount }, (_, i) => {
    const gpu = rng.chance(0.05);
    return {
      id: `ns${i % 7}/pod-${i}`,
      cpuCores: +rng.range(0.05, rng.chance(0.1) ? 12 : 2).toFixed(3),
      memoryBytes: Math.round(rng.range(0.05, rng.chance(0.1) ? 48 : 6) * GiB),
      gpus: gpu ? rng.int(1, 2) : 0,
      gpuModel: gpu && rng.chance(0.5) ? rng.pick(['Tesla-T4', 'NVIDIA-A10G']) : null,
      architecture: rng.chance(0.15) ? rng.pick(['amd64', 'arm64'] as const) : null,
      zone: rng.chance(0.1) ? rng.pick(zones) : null,
    };
  });
  return { pods, shapes: [...shapes], options: { maxAllocatedFraction: 0.8, daemonSetOverhead: { cpuCores: 0.2, memoryBytes: 300 * MiB }, zones } };
}
