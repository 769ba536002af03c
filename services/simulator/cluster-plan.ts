import type { CapacityType } from '../codec/records.generated.js';
import { CPU_INSTANCE_TYPES, GPU_INSTANCE_TYPES, allocatableOf, type InstanceType } from './instance-catalog.js';
import type { Prng } from './prng.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** A node slot of the cluster: its type stays, the machine behind it may be replaced (spot interruption). */
export interface NodePosition {
  readonly index: number;
  readonly type: InstanceType;
  readonly capacityType: Extract<CapacityType, 'ON_DEMAND' | 'SPOT'>;
  readonly zone: string;
  readonly cpuAllocatableCores: number;
  readonly memoryAllocatableBytes: number;
}

export interface ContainerSpec {
  readonly name: string;
  readonly cpuRequestCores: number;
  readonly cpuLimitCores: number | null;
  readonly memoryRequestBytes: number;
  readonly memoryLimitBytes: number | null;
  readonly gpuRequest: number;
}

/** How a workload uses what it requests over the day. */
export interface UsageProfile {
  /** Average CPU use as a fraction of the request. */
  readonly cpuUtilisation: number;
  readonly memoryUtilisation: number;
  /** Relative swing of the diurnal sinusoid (0.4: ±40 % around the mean). */
  readonly diurnalAmplitude: number;
  /** Hour of day (UTC) of the daily peak. */
  readonly peakHour: number;
  /** Relative standard deviation of the per-window noise. */
  readonly noise: number;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';

export interface Workload {
  readonly id: number;
  readonly namespace: string;
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly replicas: number;
  readonly containers: readonly ContainerSpec[];
  readonly usage: UsageProfile;
  readonly gpu: boolean;
  /** CronJobs: a run every periodMillis, offsetMillis after the start, lasting runMillis. */
  readonly cron: { readonly periodMillis: number; readonly offsetMillis: number; readonly runMillis: number } | null;
  /** StatefulSets: size of each replica's volume claim. */
  readonly claimBytes: number | null;
}

/** One replica of a workload, bound to a node position (null: it never fits, the pod stays Pending). */
export interface PodSlot {
  readonly id: number;
  readonly workload: Workload;
  readonly ordinal: number;
  readonly position: number | null;
  /** Set for the extra replicas of a replica-scaling anomaly: they run only during it. */
  readonly onlyDuring: { readonly startMillis: number; readonly endMillis: number } | null;
}

export interface ClusterPlan {
  readonly positions: readonly NodePosition[];
  readonly namespaces: readonly string[];
  readonly workloads: readonly Workload[];
  readonly slots: readonly PodSlot[];
}

const NAMESPACES = ['checkout', 'payments', 'search', 'catalog', 'identity', 'analytics', 'ml', 'notifications', 'web', 'orders', 'inventory', 'reporting', 'gateway', 'media', 'recommendations'];
const SERVICE_NAMES = ['api', 'worker', 'frontend', 'backend', 'indexer', 'scheduler', 'cache', 'consumer', 'renderer', 'router', 'ingest', 'sync', 'auth', 'billing', 'feed', 'exporter', 'resizer', 'matcher'];
const DAEMONSETS = ['node-exporter', 'fluent-bit'];

/** Size options of the plan; the counts are what the user asked for. */
export interface PlanOptions {
  readonly nodes: number;
  readonly pods: number;
  readonly zones: readonly string[];
}

/**
 * Lays out a synthetic cluster: node types and capacity types, namespaces,
 * workloads with requests sized so the pods fill about 60 % of the cluster,
 * and every replica bound to a node with room for its requests (best fit,
 * largest first), so pods never overcommit their node.
 */
export function planCluster(options: PlanOptions, prng: Prng): ClusterPlan {
  const positions = planNodes(options, prng);
  const namespaces = NAMESPACES.slice(0, Math.max(2, Math.min(NAMESPACES.length, Math.ceil(options.pods / 80))));
  const workloads = planWorkloads(options, positions, namespaces, prng);
  const slots = placeSlots(workloads, positions);
  return { positions, namespaces: ['kube-system', ...namespaces], workloads, slots };
}

function planNodes(options: PlanOptions, prng: Prng): NodePosition[] {
  const gpuNodes = options.nodes >= 5 ? Math.max(1, Math.round(options.nodes * 0.08)) : 0;
  return Array.from({ length: options.nodes }, (_, index) => {
    const isGpu = index >= options.nodes - gpuNodes;
    const type = prng.weighted(isGpu ? GPU_INSTANCE_TYPES : CPU_INSTANCE_TYPES);
    const allocatable = allocatableOf(type);
    return {
      index,
      type,
      capacityType: !isGpu && prng.chance(0.4) ? 'SPOT' : 'ON_DEMAND',
      zone: prng.pick(options.zones),
      cpuAllocatableCores: allocatable.cpuCores,
      memoryAllocatableBytes: allocatable.memoryBytes,
    };
  });
}

function usageProfile(prng: Prng, kind: WorkloadKind): UsageProfile {
  return {
    cpuUtilisation: kind === 'CronJob' ? prng.range(0.6, 0.95) : prng.range(0.2, 0.7),
    memoryUtilisation: prng.range(0.4, 0.85),
    diurnalAmplitude: kind === 'DaemonSet' || kind === 'CronJob' ? prng.range(0.05, 0.15) : prng.range(0.2, 0.6),
    peakHour: prng.range(11, 19),
    noise: prng.range(0.03, 0.1),
  };
}

const roundTo = (value: number, step: number): number => Math.max(step, Math.round(value / step) * step);

function container(name: string, cpuCores: number, memoryBytes: number, gpus: number, prng: Prng): ContainerSpec {
  const cpuRequestCores = roundTo(cpuCores, 0.01);
  const memoryRequestBytes = roundTo(memoryBytes, 16 * MiB);
  return {
    name,
    cpuRequestCores: Number(cpuRequestCores.toFixed(2)),
    cpuLimitCores: prng.chance(0.5) ? Number((cpuRequestCores * 2).toFixed(2)) : null,
    memoryRequestBytes,
    memoryLimitBytes: prng.chance(0.7) ? memoryRequestBytes * 2 : null,
    gpuRequest: gpus,
  };
}

function planWorkloads(options: PlanOptions, positions: readonly NodePosition[], namespaces: readonly string[], prng: Prng): Workload[] {
  const workloads: Workload[] = [];
  const add = (w: Omit<Workload, 'id'>): void => void workloads.push({ ...w, id: workloads.length });
  // Per-node agents take a fixed small share; the rest of the pods are the tenants' workloads.
  const daemonSets = Math.min(DAEMONSETS.length, Math.floor((options.pods * 0.2) / Math.max(1, options.nodes)));
  for (const name of DAEMONSETS.slice(0, daemonSets)) {
    add({ namespace: 'kube-system', kind: 'DaemonSet', name, replicas: options.nodes, containers: [container(name, 0.05, 96 * MiB, 0, prng)], usage: usageProfile(prng, 'DaemonSet'), gpu: false, cron: null, claimBytes: null });
  }
  const gpuCount = positions.filter((p) => p.type.gpus > 0).length;
  if (gpuCount > 0) {
    add({ namespace: namespaces.includes('ml') ? 'ml' : (namespaces[0] ?? 'default'), kind: 'Deployment', name: 'model-trainer', replicas: gpuCount, containers: [container('trainer', 1.5, 6 * GiB, 1, prng)], usage: usageProfile(prng, 'Deployment'), gpu: true, cron: null, claimBytes: null });
  }
  const cpuPositions = positions.filter((p) => p.type.gpus === 0);
  const tenantPods = Math.max(0, options.pods - daemonSets * options.nodes - gpuCount);
  const cpuFree = cpuPositions.reduce((sum, p) => sum + p.cpuAllocatableCores, 0) - daemonSets * 0.05 * cpuPositions.length;
  const memFree = cpuPositions.reduce((sum, p) => sum + p.memoryAllocatableBytes, 0) - daemonSets * 96 * MiB * cpuPositions.length;
  // Requests fill ~60 % of what is left, so churn and anomaly replicas still find room.
  const cpuPerPod = (0.6 * cpuFree) / Math.max(1, tenantPods);
  const memPerPod = (0.6 * memFree) / Math.max(1, tenantPods);
  let remaining = tenantPods;
  const used = new Set<string>();
  while (remaining > 0) {
    const kind = prng.weighted<WorkloadKind>([['Deployment', 6], ['StatefulSet', 1.5], ['CronJob', 1.5]]);
    const replicas = Math.min(remaining, kind === 'CronJob' ? 1 : kind === 'StatefulSet' ? prng.int(1, 3) : prng.int(1, 8));
    const namespace = prng.pick(namespaces);
    let name = `${prng.pick(SERVICE_NAMES)}`;
    for (let n = 2; used.has(`${namespace}/${name}`); n++) name = `${name.replace(/-\d+$/, '')}-${n}`;
    used.add(`${namespace}/${name}`);
    const size = prng.range(0.3, 1.7);
    const sidecar = prng.chance(0.25);
    const mainShare = sidecar ? 0.85 : 1;
    const containers = [container(kind === 'CronJob' ? 'job' : 'app', cpuPerPod * size * mainShare, memPerPod * size * mainShare, 0, prng)];
    if (sidecar) containers.push(container('proxy', cpuPerPod * size * 0.15, memPerPod * size * 0.15, 0, prng));
    const cron = kind === 'CronJob' ? { periodMillis: prng.pick([1, 2, 4, 6]) * 3_600_000, offsetMillis: prng.int(0, 59) * 60_000, runMillis: prng.int(5, 40) * 60_000 } : null;
    add({ namespace, kind, name, replicas, containers, usage: usageProfile(prng, kind), gpu: false, cron, claimBytes: kind === 'StatefulSet' ? prng.pick([10, 20, 50, 100, 200]) * GiB : null });
    remaining -= replicas;
  }
  return workloads;
}

/** Free room on a node position while slots are placed. */
export interface Room {
  cpu: number;
  memory: number;
  gpu: number;
}

/** Reserves room for a pod on the position with the least CPU left that still fits it (best fit). */
export function placeOne(workload: Workload, positions: readonly NodePosition[], rooms: Room[]): number | null {
  const cpu = workload.containers.reduce((s, c) => s + c.cpuRequestCores, 0);
  const memory = workload.containers.reduce((s, c) => s + c.memoryRequestBytes, 0);
  const gpu = workload.containers.reduce((s, c) => s + c.gpuRequest, 0);
  let best: number | null = null;
  positions.forEach((p, i) => {
    const room = rooms[i];
    // GPU nodes are tainted for GPU work only, as clusters usually do.
    if (!room || (p.type.gpus > 0) !== workload.gpu) return;
    if (room.cpu + 1e-9 >= cpu && room.memory >= memory && room.gpu >= gpu && (best === null || room.cpu < (rooms[best]?.cpu ?? 0))) best = i;
  });
  if (best !== null) {
    const room = rooms[best] as Room;
    room.cpu -= cpu;
    room.memory -= memory;
    room.gpu -= gpu;
  }
  return best;
}

function placeSlots(workloads: readonly Workload[], positions: readonly NodePosition[]): PodSlot[] {
  const rooms: Room[] = positions.map((p) => ({ cpu: p.cpuAllocatableCores, memory: p.memoryAllocatableBytes, gpu: p.type.gpus }));
  const slots: PodSlot[] = [];
  for (const ds of workloads.filter((w) => w.kind === 'DaemonSet')) {
    positions.forEach((p, i) => {
      const cpu = ds.containers.reduce((s, c) => s + c.cpuRequestCores, 0);
      const memory = ds.containers.reduce((s, c) => s + c.memoryRequestBytes, 0);
      const room = rooms[i] as Room;
      room.cpu -= cpu;
      room.memory -= memory;
      slots.push({ id: slots.length, workload: ds, ordinal: p.index, position: p.index, onlyDuring: null });
    });
  }
  const replicas = workloads
    .filter((w) => w.kind !== 'DaemonSet')
    .flatMap((w) => Array.from({ length: w.replicas }, (_, ordinal) => ({ w, ordinal })))
    .sort((a, b) => b.w.containers.reduce((s, c) => s + c.cpuRequestCores, 0) - a.w.containers.reduce((s, c) => s + c.cpuRequestCores, 0) || a.w.id - b.w.id || a.ordinal - b.ordinal);
  for (const { w, ordinal } of replicas) slots.push({ id: slots.length, workload: w, ordinal, position: placeOne(w, positions, rooms), onlyDuring: null });
  return slots;
}

/**
 * Places extra replicas for a replica-scaling anomaly in the room the plan's
 * regular replicas leave (anomalies never overlap in time, so their extras
 * never compete); null when not all of them fit.
 */
export function placeExtraReplicas(plan: ClusterPlan, workload: Workload, count: number, during: { startMillis: number; endMillis: number }, firstId: number): PodSlot[] | null {
  const rooms = roomLeft(plan.positions, plan.slots);
  const extra: PodSlot[] = [];
  for (let i = 0; i < count; i++) {
    const position = placeOne(workload, plan.positions, rooms);
    if (position === null) return null;
    extra.push({ id: firstId + i, workload, ordinal: workload.replicas + i, position, onlyDuring: during });
  }
  return extra;
}

/** Room each position has left once the given slots' requests are reserved on it, whether or not they run at the same time. */
export function roomLeft(positions: readonly NodePosition[], slots: readonly PodSlot[]): Room[] {
  const rooms: Room[] = positions.map((p) => ({ cpu: p.cpuAllocatableCores, memory: p.memoryAllocatableBytes, gpu: p.type.gpus }));
  for (const slot of slots) {
    if (slot.position === null) continue;
    const room = rooms[slot.position] as Room;
    room.cpu -= slot.workload.containers.reduce((s, c) => s + c.cpuRequestCores, 0);
    room.memory -= slot.workload.containers.reduce((s, c) => s + c.memoryRequestBytes, 0);
    room.gpu -= slot.workload.containers.reduce((s, c) => s + c.gpuRequest, 0);
  }
  return rooms;
}
