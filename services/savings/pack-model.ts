// What the three packers share: the room each shape leaves for pods, the
// rules that say which pods a node may hold, why a pod fits nowhere, and the
// last steps every plan goes through (a zone for every node, the zone spread
// kept, the result built). Mutable work nodes live only inside one call.
import { KcostError } from '../errors/kcost-error.js';
import { allocatableOf } from './node-allocatable.js';
import type { Architecture, InstanceShape, PackOptions, PodDemand, UnplacedPod } from './pack-types.js';

/** A shape with the room it leaves for pods: allocatable × headroom − DaemonSet overhead (GPUs: all of them). */
export interface Slot {
  readonly shape: InstanceShape;
  readonly cpu: number;
  readonly mem: number;
  readonly gpus: number;
  readonly price: number;
}

/** What a node's pods require of it; a pinned or assigned zone is part of it. */
export interface Needs {
  readonly gpu: boolean;
  readonly gpuModel: string | null;
  readonly arch: Architecture | null;
  readonly zone: string | null;
}

export interface WorkNode {
  slot: Slot;
  needs: Needs;
  pods: PodDemand[];
  cpu: number;
  mem: number;
  gpus: number;
}

export interface Model {
  /** Usable shapes, cheapest first, ties by instance type. */
  readonly slots: readonly Slot[];
  readonly spreadZones: readonly string[];
  /** Pods some shape can hold, in input order. */
  readonly placeable: readonly PodDemand[];
  readonly unplaced: readonly UnplacedPod[];
  readonly options: PackOptions;
}

const CPU_EPSILON = 1e-9;
const MEMORY_EPSILON = 1e-3;
const GiB = 2 ** 30;

function invalid(message: string): KcostError {
  return new KcostError('INVALID_PACK_INPUT', message);
}

function validate(pods: readonly PodDemand[], shapes: readonly InstanceShape[], options: PackOptions): void {
  const f = options.maxAllocatedFraction;
  if (!(f > 0 && f <= 1)) throw invalid(`maxAllocatedFraction must be in (0, 1], got ${f}`);
  if (!(options.daemonSetOverhead.cpuCores >= 0) || !(options.daemonSetOverhead.memoryBytes >= 0)) throw invalid(`daemonSetOverhead must not be negative, got ${JSON.stringify(options.daemonSetOverhead)}`);
  const seen = new Set<string>();
  for (const pod of pods) {
    if (seen.has(pod.id)) throw invalid(`pod ${pod.id} appears twice`);
    seen.add(pod.id);
    if (!(pod.cpuCores >= 0 && pod.memoryBytes >= 0 && pod.gpus >= 0)) throw invalid(`pod ${pod.id} has a negative or non-numeric request`);
  }
  const types = new Set<string>();
  for (const shape of shapes) {
    if (types.has(shape.instanceType)) throw invalid(`instance type ${shape.instanceType} appears twice`);
    types.add(shape.instanceType);
    if (!(shape.hourlyUsd >= 0)) throw invalid(`instance type ${shape.instanceType} has price ${shape.hourlyUsd}`);
  }
}

export function offeredIn(shape: InstanceShape, zone: string): boolean {
  return shape.zones.length === 0 || shape.zones.includes(zone);
}

export function podNeeds(pod: PodDemand): Needs {
  return { gpu: pod.gpus > 0, gpuModel: pod.gpus > 0 ? pod.gpuModel : null, arch: pod.architecture, zone: pod.zone };
}

/** The needs of two sets of pods on one node, or null when no node can serve both. */
export function combine(a: Needs, b: Needs): Needs | null {
  if (a.gpu !== b.gpu) return null;
  if (a.gpuModel !== null && b.gpuModel !== null && a.gpuModel !== b.gpuModel) return null;
  if (a.arch !== null && b.arch !== null && a.arch !== b.arch) return null;
  if (a.zone !== null && b.zone !== null && a.zone !== b.zone) return null;
  if (a.gpuModel === b.gpuModel && a.arch === b.arch && a.zone === b.zone) return a;
  return { gpu: a.gpu, gpuModel: a.gpuModel ?? b.gpuModel, arch: a.arch ?? b.arch, zone: a.zone ?? b.zone };
}

/**
 * Whether a node of this shape may serve these needs. GPU nodes carry the
 * nvidia.com/gpu taint (GKE adds it, EKS and Karpenter GPU pools set it), so
 * only GPU pods go on them. A node not yet in a zone must be offered in one
 * of the spread zones, when there are any.
 */
export function serves(model: Model, slot: Slot, needs: Needs): boolean {
  const shape = slot.shape;
  if (needs.gpu !== shape.gpus > 0) return false;
  if (needs.gpuModel !== null && shape.gpuModel !== needs.gpuModel) return false;
  if (needs.arch !== null && shape.architecture !== needs.arch) return false;
  if (needs.zone !== null) return offeredIn(shape, needs.zone);
  return model.spreadZones.length === 0 || model.spreadZones.some((z) => offeredIn(shape, z));
}

export function holds(slot: Slot, cpu: number, mem: number, gpus: number): boolean {
  return cpu <= slot.cpu + CPU_EPSILON && mem <= slot.mem + MEMORY_EPSILON && gpus <= slot.gpus;
}

/** The cheapest shape (ties by name) that serves the needs and holds the load, or undefined. */
export function cheapestSlot(model: Model, needs: Needs, cpu: number, mem: number, gpus: number): Slot | undefined {
  return model.slots.find((slot) => holds(slot, cpu, mem, gpus) && serves(model, slot, needs));
}

function describe(pod: PodDemand): string {
  const parts = [`${+pod.cpuCores.toFixed(3)} cores`, `${+(pod.memoryBytes / GiB).toFixed(2)} GiB`];
  if (pod.gpus > 0) parts.push(`${pod.gpus} GPU${pod.gpus > 1 ? 's' : ''}`);
  return parts.join(', ');
}

/** Why no shape holds this pod: the first constraint that leaves no candidate. */
function unplacedReason(model: Model, pod: PodDemand): string {
  let candidates = model.slots.filter((s) => (pod.gpus > 0) === s.shape.gpus > 0);
  if (candidates.length === 0) return pod.gpus > 0 ? 'no instance type has a GPU' : 'every instance type has GPUs, which only GPU pods may use';
  if (pod.gpus > 0 && pod.gpuModel !== null) {
    candidates = candidates.filter((s) => s.shape.gpuModel === pod.gpuModel);
    if (candidates.length === 0) return `no instance type has GPU model ${pod.gpuModel}`;
  }
  if (pod.architecture !== null) {
    candidates = candidates.filter((s) => s.shape.architecture === pod.architecture);
    if (candidates.length === 0) return `no ${pod.architecture} instance type${pod.gpus > 0 ? ' with that GPU' : ''}`;
  }
  const zone = pod.zone;
  if (zone !== null) {
    candidates = candidates.filter((s) => offeredIn(s.shape, zone));
    if (candidates.length === 0) return `no suitable instance type is offered in zone ${zone}`;
  } else if (model.spreadZones.length > 0) {
    candidates = candidates.filter((s) => model.spreadZones.some((z) => offeredIn(s.shape, z)));
    if (candidates.length === 0) return `no suitable instance type is offered in the zones ${model.spreadZones.join(', ')}`;
  }
  const headroom = Math.round(model.options.maxAllocatedFraction * 100);
  return `no instance type fits ${describe(pod)} with ${headroom} % headroom and the DaemonSet overhead`;
}

/** Validates the input, computes every shape's room and sets aside the pods no shape can hold. */
export function prepare(pods: readonly PodDemand[], shapes: readonly InstanceShape[], options: PackOptions): Model {
  validate(pods, shapes, options);
  const allocatable = options.allocatable ?? allocatableOf;
  const f = options.maxAllocatedFraction;
  const slots = shapes
    .map((shape): Slot => {
      const a = allocatable(shape);
      return { shape, cpu: a.cpuCores * f - options.daemonSetOverhead.cpuCores, mem: a.memoryBytes * f - options.daemonSetOverhead.memoryBytes, gpus: a.gpus, price: shape.hourlyUsd };
    })
    .filter((s) => s.cpu > 0 && s.mem > 0)
    .sort((a, b) => a.price - b.price || compareText(a.shape.instanceType, b.shape.instanceType));
  const partial: Model = { slots, spreadZones: [...new Set(options.zones)], placeable: [], unplaced: [], options };
  const placeable: PodDemand[] = [];
  const unplaced: UnplacedPod[] = [];
  for (const pod of pods) {
    if (cheapestSlot(partial, podNeeds(pod), pod.cpuCores, pod.memoryBytes, pod.gpus)) placeable.push(pod);
    else unplaced.push({ podId: pod.id, reason: unplacedReason(partial, pod) });
  }
  // Placeable pods in id order: every later step breaks its ties in this order, so the plan depends on which pods there are, never on the order they came in.
  return { ...partial, placeable: placeable.sort((a, b) => compareText(a.id, b.id)), unplaced };
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function newNode(slot: Slot, needs: Needs): WorkNode {
  return { slot, needs, pods: [], cpu: 0, mem: 0, gpus: 0 };
}

export function addPod(node: WorkNode, pod: PodDemand, needs: Needs): void {
  node.pods.push(pod);
  node.needs = needs;
  node.cpu += pod.cpuCores;
  node.mem += pod.memoryBytes;
  node.gpus += pod.gpus;
}

/** The node's needs with this pod added, when its shape may take the pod; null otherwise. */
export function admits(model: Model, node: WorkNode, pod: PodDemand): Needs | null {
  if (!holds(node.slot, node.cpu + pod.cpuCores, node.mem + pod.memoryBytes, node.gpus + pod.gpus)) return null;
  const needs = combine(node.needs, podNeeds(pod));
  if (needs === null || (needs !== node.needs && !serves(model, node.slot, needs))) return null;
  return needs;
}

/** Moves every node to the cheapest shape that still serves and holds its pods. */
export function downsize(model: Model, nodes: readonly WorkNode[]): void {
  for (const node of nodes) {
    const slot = cheapestSlot(model, node.needs, node.cpu, node.mem, node.gpus);
    if (slot && slot.price < node.slot.price) node.slot = slot;
  }
}

export function needsOfPods(pods: readonly PodDemand[], zone: string | null): Needs | null {
  let needs: Needs | null = { gpu: pods[0] !== undefined && pods[0].gpus > 0, gpuModel: null, arch: null, zone };
  for (const pod of pods) {
    needs = needs === null ? null : combine(needs, podNeeds(pod));
  }
  return needs;
}

/** The node that keeps a zone of the spread when no pod goes there: the cheapest shape offered there, without GPUs if there is one. */
export function emptyNode(model: Model, zone: string): WorkNode | undefined {
  for (const gpu of [false, true]) {
    const needs: Needs = { gpu, gpuModel: null, arch: null, zone };
    const slot = cheapestSlot(model, needs, 0, 0, 0);
    if (slot) return newNode(slot, needs);
  }
  return undefined;
}

/** The node's fullest resource, as a fraction of its room. */
export function fill(node: WorkNode): number {
  return Math.max(node.cpu / node.slot.cpu, node.mem / node.slot.mem, node.slot.gpus > 0 ? node.gpus / node.slot.gpus : 0);
}

export function removePod(node: WorkNode, pod: PodDemand): void {
  node.pods.splice(node.pods.indexOf(pod), 1);
  node.cpu -= pod.cpuCores;
  node.mem -= pod.memoryBytes;
  node.gpus -= pod.gpus;
}

/** Whether this node is the only one left in a zone of the spread, which must keep one. */
export function lastInSpreadZone(model: Model, node: WorkNode, alive: Iterable<WorkNode>): boolean {
  const zone = node.needs.zone;
  if (zone === null || !model.spreadZones.includes(zone)) return false;
  for (const other of alive) if (other !== node && other.needs.zone === zone) return false;
  return true;
}
