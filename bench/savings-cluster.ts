// Simulated clusters for the savings bench: nodes of mixed AWS instance
// types running pods, with the waste a real fleet accumulates built in —
// nodes left half empty after scale-downs (fragmentation) and workloads on
// shapes far larger than they need (oversized nodes). Seeded: the same seed
// gives the same cluster.
import { SAMPLE_AWS_SHAPES, sampleShape, US_EAST_1_ZONES } from '../services/savings/aws-catalog.js';
import { allocatableOf } from '../services/savings/node-allocatable.js';
import type { InstanceShape, PackOptions, PodDemand } from '../services/savings/node-packer.js';
import { Prng } from '../services/simulator/prng.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export const BENCH_OPTIONS: PackOptions = { maxAllocatedFraction: 0.8, daemonSetOverhead: { cpuCores: 0.2, memoryBytes: 400 * MiB }, zones: [...US_EAST_1_ZONES] };

export interface SimulatedCluster {
  readonly nodes: ReadonlyArray<{ readonly shape: InstanceShape; readonly zone: string; readonly podIds: readonly string[] }>;
  readonly pods: readonly PodDemand[];
  /** Σ today's node prices. */
  readonly todayHourlyUsd: number;
  /** How many of today's nodes were built oversized or half empty. */
  readonly oversizedNodes: number;
  readonly fragmentedNodes: number;
}

/** Today's fleet mix, weighted as an EKS cluster grown by hand and by Cluster Autoscaler might be. */
const FLEET: ReadonlyArray<readonly [string, number]> = [
  ['m5.xlarge', 3],
  ['m5.2xlarge', 4],
  ['m5.4xlarge', 3],
  ['c5.2xlarge', 2],
  ['c5.4xlarge', 1],
  ['r5.2xlarge', 1],
  ['r5.4xlarge', 1],
  ['m6g.2xlarge', 1],
  ['m6g.4xlarge', 1],
];
const GPU_FLEET = ['g4dn.xlarge', 'g4dn.2xlarge', 'g5.xlarge'];

/** `nodeCount` nodes (2 % GPU), each filled with pods to a level that says which waste it carries. */
export function simulateCluster(seed: number, nodeCount: number): SimulatedCluster {
  const rng = new Prng(seed);
  const nodes: Array<{ shape: InstanceShape; zone: string; podIds: string[] }> = [];
  const pods: PodDemand[] = [];
  let oversizedNodes = 0;
  let fragmentedNodes = 0;
  for (let n = 0; n < nodeCount; n++) {
    const gpu = n % 50 === 49;
    const shape = gpu ? sampleShape(rng.pick(GPU_FLEET)) : sampleShape(rng.weighted(FLEET));
    const zone = shape.zones.length > 0 ? rng.pick(shape.zones) : (US_EAST_1_ZONES[n % US_EAST_1_ZONES.length] as string);
    const kind = rng.weighted([['packed', 5], ['fragmented', 3], ['oversized', 2]] as const);
    if (kind === 'fragmented') fragmentedNodes++;
    if (kind === 'oversized') oversizedNodes++;
    // How much of the node's room (allocatable × 80 % − DaemonSets) today's pods request.
    const target = kind === 'packed' ? rng.range(0.7, 0.95) : kind === 'fragmented' ? rng.range(0.25, 0.55) : rng.range(0.05, 0.15);
    const a = allocatableOf(shape);
    const room = { cpu: a.cpuCores * BENCH_OPTIONS.maxAllocatedFraction - BENCH_OPTIONS.daemonSetOverhead.cpuCores, mem: a.memoryBytes * BENCH_OPTIONS.maxAllocatedFraction - BENCH_OPTIONS.daemonSetOverhead.memoryBytes };
    // Memory-heavy pods on r5, CPU-heavy on c5: the mix the fleet was sized for.
    const gibPerCore = shape.instanceType.startsWith('r') ? rng.range(5, 9) : shape.instanceType.startsWith('c') ? rng.range(0.8, 2) : rng.range(2, 5);
    const node = { shape, zone, podIds: [] as string[] };
    let cpu = 0;
    let mem = 0;
    let i = 0;
    while (true) {
      // Mostly small pods (about 20 a node, as in a microservice fleet), some of 0.5-2 cores.
      const cores = +(rng.chance(0.08) ? rng.range(0.5, 2) : rng.range(0.02, 0.2)).toFixed(3);
      const memory = Math.round(cores * gibPerCore * rng.range(0.7, 1.3) * GiB);
      if (cpu + cores > room.cpu * target || mem + memory > room.mem * target) break;
      const first = gpu && i === 0;
      const pod: PodDemand = {
        id: `ns${n % 17}/pod-${n}-${i++}`,
        cpuCores: cores,
        memoryBytes: memory,
        gpus: first ? 1 : 0,
        gpuModel: first && rng.chance(0.5) ? shape.gpuModel : null,
        // Pods seen on Graviton nodes run arm64 images; a third of the rest are known to be x86-only.
        architecture: shape.architecture === 'arm64' ? 'arm64' : rng.chance(0.33) ? 'amd64' : null,
        // A zonal volume pins about one pod in ten.
        zone: rng.chance(0.1) ? zone : null,
      };
      // On a GPU node only the GPU pod runs (the taint), so the rest of its room is what that pod leaves.
      if (gpu && !first) break;
      pods.push(pod);
      node.podIds.push(pod.id);
      cpu += cores;
      mem += memory;
    }
    nodes.push(node);
  }
  return { nodes, pods, todayHourlyUsd: nodes.reduce((s, n) => s + n.shape.hourlyUsd, 0), oversizedNodes, fragmentedNodes };
}

/** The large and xlarge sizes of every family: the shapes a sub-problem of a few pods is packed onto. */
export const SMALL_SHAPES: readonly InstanceShape[] = SAMPLE_AWS_SHAPES.filter((s) => /\.(large|xlarge)$/.test(s.instanceType) && s.gpus === 0);
