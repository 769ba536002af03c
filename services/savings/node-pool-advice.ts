import type { NodeGroupLine, Recommendation, ReasonCode } from '../codec/records.generated.js';
import { savingsRecord } from './advice-envelope.js';
import { architectureOf } from './instance-family.js';
import { allocatableOf } from './node-allocatable.js';
import { packNodePool, type InstanceShape, type PackResult, type PodDemand } from './node-packer.js';
import { compare, groupByPool, nodeArchitecture } from './node-pools.js';
import { HOUR_MILLIS, type Architecture, type ClusterSavingsInput, type NodeHour, type PodHour } from './savings-inputs.js';
import { averageSpotPriceOf } from './spot-suitability.js';
import { nodeHourly } from './node-hourly.js';

export interface NodePoolOptions {
  /** Headroom: a proposed node is at most this allocated, per resource (0.8). */
  readonly maxAllocatedFraction: number;
}

export const NODE_POOL_DEFAULTS: NodePoolOptions = { maxAllocatedFraction: 0.8 };

/**
 * NODE_POOL advice for every pool of the cluster: the pool's pods (DaemonSet
 * pods aside: they are the per-node overhead) repacked by the packer onto the
 * instance types of the catalog in the pool's provider, region and capacity
 * type, once with today's requests (the saving) and once with the
 * WORKLOAD_RESOURCES advice applied (reported, never added: those records
 * count that part). A pool with no catalog type still gets a record, packed
 * onto its own instance types priced as today.
 */
export function adviseNodePools(input: ClusterSavingsInput, options: NodePoolOptions = NODE_POOL_DEFAULTS): Recommendation[] {
  const podsByNode = new Map<string, PodHour[]>();
  for (const pod of input.pods) {
    const onNode = podsByNode.get(pod.nodeName) ?? [];
    onNode.push(pod);
    podsByNode.set(pod.nodeName, onNode);
  }
  return poolsOf(input.nodes).map(({ name, poolLabel, nodes }) => advisePool(input, options, name, poolLabel, nodes, podsByNode));
}

/** Pools by label; a pool whose nodes mix capacity types is advised per capacity type (never packed into each other). */
function poolsOf(nodes: readonly NodeHour[]): Array<{ name: string; poolLabel: string | null; nodes: NodeHour[] }> {
  const out: Array<{ name: string; poolLabel: string | null; nodes: NodeHour[] }> = [];
  for (const { pool, nodes: poolNodes } of groupByPool(nodes)) {
    const types = [...new Set(poolNodes.map((n) => n.capacityType))].sort();
    for (const capacityType of types) {
      const name = types.length === 1 || pool.poolLabel === null ? pool.pool : `${pool.pool}-${capacityType.toLowerCase().replace(/_/g, '-')}`;
      out.push({ name, poolLabel: pool.poolLabel, nodes: poolNodes.filter((n) => n.capacityType === capacityType) });
    }
  }
  return out;
}

function advisePool(
  input: ClusterSavingsInput,
  options: NodePoolOptions,
  pool: string,
  poolLabel: string | null,
  nodes: readonly NodeHour[],
  podsByNode: ReadonlyMap<string, readonly PodHour[]>,
): Recommendation {
  const first = nodes[0]!;
  const { provider, region, capacityType } = first;
  const zones = [...new Set(nodes.map((n) => n.zone).filter((z) => z !== ''))].sort();
  const overhead = { cpuCores: 0, memoryBytes: 0 };
  const today: PodDemand[] = [];
  const rightSized: PodDemand[] = [];
  let rightSizedContainers = 0;
  for (const node of nodes) {
    const daemonSet = { cpuCores: 0, memoryBytes: 0 };
    for (const pod of podsByNode.get(node.name) ?? []) {
      if (pod.workloadKind === 'DaemonSet') {
        for (const c of pod.containers) {
          daemonSet.cpuCores += c.cpuCores;
          daemonSet.memoryBytes += c.memoryBytes;
        }
        continue;
      }
      const architecture = nodeArchitecture(node) ?? architectureOf(node.provider, node.instanceType);
      const zone = pod.persistentVolumes.length > 0 && node.zone !== '' ? node.zone : null;
      today.push(demandOf(pod, pod.containers, architecture, zone));
      const advised = pod.containers.map((c) => {
        const advice = input.advisedRequests.get(`${input.cluster}/${pod.namespace}/${pod.workloadKind}/${pod.workloadName}/${c.name}`);
        if (!advice) return c;
        rightSizedContainers += 1;
        return { ...c, cpuCores: advice.cpuCores ?? c.cpuCores, memoryBytes: advice.memoryBytes ?? c.memoryBytes };
      });
      rightSized.push(demandOf(pod, advised, architecture, zone));
    }
    // Every proposed node carries the heaviest DaemonSet load seen on a node of the pool.
    overhead.cpuCores = Math.max(overhead.cpuCores, daemonSet.cpuCores);
    overhead.memoryBytes = Math.max(overhead.memoryBytes, daemonSet.memoryBytes);
  }

  const { shapes, allocatable } = shapesFor(input, nodes, provider, region, capacityType);
  const packOptions = { maxAllocatedFraction: options.maxAllocatedFraction, daemonSetOverhead: overhead, zones, allocatable };
  const proposed = packNodePool(today, shapes, packOptions);
  const afterRightSizing = packNodePool(rightSized, shapes, packOptions);

  const hourlyOf = (n: NodeHour) => nodeHourly(n).costUsd;
  const currentHourly = sum(nodes.map(hourlyOf));
  const proposedHourly = proposed.hourlyUsd + unplacedHourly(proposed, today, nodes, podsByNode, hourlyOf);
  const rightSizedHourly = afterRightSizing.hourlyUsd + unplacedHourly(afterRightSizing, rightSized, nodes, podsByNode, hourlyOf);

  const requested = { cpu: sum(today.map((p) => p.cpuCores)), memory: sum(today.map((p) => p.memoryBytes)) };
  const allocatableToday = { cpu: sum(nodes.map((n) => n.cpuCores)), memory: sum(nodes.map((n) => n.memoryBytes)) };
  const usedToday = Math.max(
    (requested.cpu + overhead.cpuCores * nodes.length) / Math.max(allocatableToday.cpu, 1e-9),
    (requested.memory + overhead.memoryBytes * nodes.length) / Math.max(allocatableToday.memory, 1e-9),
  );
  const currentLines = linesOf(nodes.map((n) => ({ instanceType: n.instanceType, zone: n.zone, hourlyUsd: hourlyOf(n), architecture: nodeArchitecture(n) ?? architectureOf(n.provider, n.instanceType) })));
  const proposedLines = linesOf(proposed.nodes.map((n) => ({ ...n, architecture: shapes.find((s) => s.instanceType === n.instanceType)?.architecture ?? null })));
  const saving = currentHourly - proposedHourly;
  const proposedCount = proposed.nodes.length + proposed.unplaced.length;
  const sameTypes = sameSet(currentLines.map((l) => l.instanceType), proposedLines.map((l) => l.instanceType));

  const reasons: ReasonCode[] = [];
  const findings: string[] = [];
  findings.push(
    `${nodes.length} node(s) are ${pct(usedToday)} allocated by requests and DaemonSets; the proposal keeps every node at most ${pct(options.maxAllocatedFraction)} allocated per resource.`,
  );
  if (saving > 0 && proposedCount < nodes.length) {
    reasons.push('FRAGMENTED');
    findings.push(`The same pods fit on ${proposedCount} node(s) instead of ${nodes.length}.`);
  }
  if (saving > 0 && !sameTypes) {
    reasons.push('OVERSIZED_SHAPES');
    findings.push(`Other instance types hold them for less: ${proposedLines.map((l) => `${l.count} x ${l.instanceType}`).join(', ')}.`);
  }
  if (saving <= 0) findings.push('No cheaper packing found: keep the pool as it is.');
  if (shapes.every((s) => nodes.some((n) => n.instanceType === s.instanceType))) {
    findings.push(`The price catalog has no other ${capacityType} instance type with a known shape in ${region || 'the region'}; only today's types were tried.`);
  }
  if (proposed.unplaced.length > 0) findings.push(`${proposed.unplaced.length} pod(s) fit no instance type tried and stay on a node of their current type.`);
  if (rightSizedContainers > 0) {
    findings.push(
      `With the right-sizing advice of ${rightSizedContainers} container(s) applied, ${afterRightSizing.nodes.length} node(s) costing ${usd(rightSizedHourly)}/h would do; that further saving is the WORKLOAD_RESOURCES records', not this one's.`,
    );
  }

  const pricedFraction = Math.min(1, sum(nodes.map((n) => n.pricedSeconds)) / (nodes.length * 3600));
  return savingsRecord(
    {
      kind: 'NODE_POOL',
      key: `${input.cluster}/NodePool/${pool}`,
      cluster: input.cluster,
      generatedAt: input.hourStart + HOUR_MILLIS,
      confidence: pricedFraction,
      risk: proposed.unplaced.length > 0 ? 'HIGH' : 'MEDIUM',
      reasons,
      strategy: { name: 'kcost-node-packer', parameters: { maxAllocatedFraction: options.maxAllocatedFraction, instanceTypesTried: shapes.length, hoursPerMonth: 730 } },
    },
    { currentUsd: currentHourly, recommendedUsd: Math.min(currentHourly, proposedHourly), priceSources: [...nodes.flatMap((n) => n.priceSources), ...shapeSources(input, proposed, provider, region, capacityType)] },
    {
      nodePool: {
        target: { cluster: input.cluster, pool, poolLabel },
        provider,
        region,
        capacityType,
        zones,
        podCount: today.length,
        requestedCpuCores: requested.cpu,
        requestedMemoryBytes: requested.memory,
        allocatableCpuCores: allocatableToday.cpu,
        allocatableMemoryBytes: allocatableToday.memory,
        daemonSetCpuCores: overhead.cpuCores,
        daemonSetMemoryBytes: overhead.memoryBytes,
        maxAllocatedFraction: options.maxAllocatedFraction,
        current: currentLines,
        currentHourlyUsd: currentHourly,
        proposed: saving > 0 ? proposedLines : currentLines,
        proposedHourlyUsd: Math.min(currentHourly, proposedHourly),
        rightSized: linesOf(afterRightSizing.nodes.map((n) => ({ ...n, architecture: shapes.find((s) => s.instanceType === n.instanceType)?.architecture ?? null }))),
        rightSizedHourlyUsd: rightSizedHourly,
        rightSizedContainers,
        unplacedPods: proposed.unplaced.map((u) => `${u.podId}: ${u.reason}`),
        findings,
      },
    },
  );
}

function demandOf(pod: PodHour, containers: PodHour['containers'], architecture: Architecture | null, zone: string | null): PodDemand {
  return {
    id: `${pod.namespace}/${pod.name}`,
    cpuCores: sum(containers.map((c) => c.cpuCores)),
    memoryBytes: sum(containers.map((c) => c.memoryBytes)),
    gpus: sum(containers.map((c) => c.gpus)),
    gpuModel: null,
    architecture,
    zone,
  };
}

/**
 * The instance types to pack onto: every catalog type of the provider,
 * region and capacity type whose shape the price source gave, and today's
 * types (priced as they were priced this hour when the catalog lacks them).
 * A type seen on a node is sized by what its nodes have allocatable, the
 * rest by the managed services' published reservations (node-allocatable.ts).
 */
function shapesFor(input: ClusterSavingsInput, nodes: readonly NodeHour[], provider: string, region: string, capacityType: string) {
  const seen = new Map<string, { cpuCores: number; memoryBytes: number; gpus: number; hourlyUsd: number; architecture: Architecture }>();
  for (const n of nodes) {
    const hourly = nodeHourly(n).costUsd;
    const previous = seen.get(n.instanceType);
    seen.set(n.instanceType, {
      cpuCores: Math.max(previous?.cpuCores ?? 0, n.cpuCores),
      memoryBytes: Math.max(previous?.memoryBytes ?? 0, n.memoryBytes),
      gpus: Math.max(previous?.gpus ?? 0, n.gpus),
      hourlyUsd: Math.max(previous?.hourlyUsd ?? 0, hourly),
      architecture: nodeArchitecture(n) ?? architectureOf(n.provider, n.instanceType) ?? 'amd64',
    });
  }
  const shapes = new Map<string, InstanceShape>();
  for (const entry of input.catalog) {
    if (entry.provider !== provider || entry.region !== region || entry.vcpus === null || entry.memoryBytes === null) continue;
    const price = capacityType === 'SPOT' ? spotAverage(input, entry.instanceType) : entry.capacityType === capacityType ? entry.hourlyUsd : null;
    if (price === null) continue;
    shapes.set(entry.instanceType, {
      instanceType: entry.instanceType,
      cpuCores: entry.vcpus,
      memoryBytes: entry.memoryBytes,
      gpus: entry.gpus ?? 0,
      gpuModel: null,
      architecture: entry.architecture ?? architectureOf(provider, entry.instanceType) ?? 'amd64',
      hourlyUsd: price,
      zones: [],
    });
  }
  for (const [instanceType, s] of seen) {
    if (shapes.has(instanceType)) continue;
    shapes.set(instanceType, { instanceType, cpuCores: s.cpuCores, memoryBytes: s.memoryBytes, gpus: s.gpus, gpuModel: null, architecture: s.architecture, hourlyUsd: s.hourlyUsd, zones: [] });
  }
  const allocatable = (shape: InstanceShape) => {
    const s = seen.get(shape.instanceType);
    return s ? { cpuCores: s.cpuCores, memoryBytes: s.memoryBytes, gpus: s.gpus } : allocatableOf(shape);
  };
  return { shapes: [...shapes.values()].sort((a, b) => compare(a.instanceType, b.instanceType)), allocatable };
}

function spotAverage(input: ClusterSavingsInput, instanceType: string): number | null {
  const end = input.hourStart + HOUR_MILLIS;
  return averageSpotPriceOf(input.spotPrices, instanceType, null, end - input.spotLookbackHours * HOUR_MILLIS, end)?.usd ?? null;
}

function shapeSources(input: ClusterSavingsInput, result: PackResult, provider: string, region: string, capacityType: string): string[] {
  const types = new Set(result.nodes.map((n) => n.instanceType));
  if (capacityType === 'SPOT') return [...new Set(input.spotPrices.filter((p) => types.has(p.instanceType)).map((p) => p.source))];
  return input.catalog.filter((e) => types.has(e.instanceType) && e.provider === provider && e.region === region && e.capacityType === capacityType).map((e) => e.source);
}

/** Pods the packer could not place stay on a node of the type they run on today: one such node per pod, an upper bound. */
function unplacedHourly(result: PackResult, pods: readonly PodDemand[], nodes: readonly NodeHour[], podsByNode: ReadonlyMap<string, readonly PodHour[]>, hourlyOf: (n: NodeHour) => number): number {
  let total = 0;
  for (const { podId } of result.unplaced) {
    const node = nodes.find((n) => (podsByNode.get(n.name) ?? []).some((p) => `${p.namespace}/${p.name}` === podId));
    if (node && pods.some((p) => p.id === podId)) total += hourlyOf(node);
  }
  return total;
}

function linesOf(nodes: ReadonlyArray<{ instanceType: string; zone: string; hourlyUsd: number; architecture: Architecture | null }>): NodeGroupLine[] {
  const lines = new Map<string, NodeGroupLine>();
  for (const n of nodes) {
    const key = `${n.instanceType}\u0000${n.zone}`;
    const line = lines.get(key);
    lines.set(key, line ? { ...line, count: line.count + 1, hourlyUsd: (line.hourlyUsd * line.count + n.hourlyUsd) / (line.count + 1) } : { instanceType: n.instanceType, zone: n.zone, count: 1, hourlyUsd: n.hourlyUsd, architecture: n.architecture });
  }
  return [...lines.values()].sort((a, b) => compare(a.instanceType, b.instanceType) || compare(a.zone, b.zone));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const pct = (fraction: number) => `${Math.round(fraction * 100)} %`;
const usd = (value: number) => `${value.toFixed(2)} USD`;
