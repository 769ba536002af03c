// kcost's node packer: vector bin packing (CPU, memory, GPUs) onto instance
// types of different sizes and prices. Several greedy plans are built —
// first-fit-decreasing, each new node opened on the shape that would host
// the remaining demand of its kind most cheaply (or on one of the shapes
// cheapest for the whole pool), on small pools also from other pod orders
// and from a node seeded in each spread zone — and each is improved: the
// least-loaded nodes emptied into the others, every node moved to the
// cheapest shape that still holds it, pairs merged onto one cheaper shape.
// On small pools the cheapest plans then go through a local search
// (local-search.ts). The cheapest plan wins. Pure and deterministic: ties go
// to the instance type name. docs/savings.md explains it and its figures.
import { Prng } from '../simulator/prng.js';
import { firstFitPlan } from './first-fit.js';
import { relocate, repackPairs } from './local-search.js';
import { addPod, admits, cheapestSlot, combine, compareText, downsize, fill, holds, lastInSpreadZone, newNode, podNeeds, prepare, removePod, serves, type Model, type Slot, type WorkNode } from './pack-model.js';
import type { InstanceShape, PackOptions, PackResult, PodDemand } from './pack-types.js';
import { costOf, finish, toResult } from './zone-spread.js';

export type { Allocatable, Architecture, InstanceShape, PackedNode, PackOptions, PackResult, PodDemand, UnplacedPod } from './pack-types.js';
export { DEFAULT_MAX_ALLOCATED_FRACTION } from './pack-types.js';

/** Up to this many pods, more greedy plans are tried and improved one pod move at a time. */
const SMALL_POOL_PODS = 200;
/** Up to this many pods, pairs of nodes are also split afresh (2^n splits a pair: too slow for more). */
const PAIR_REPACK_POOL_PODS = 60;
/** How many of the cheapest greedy plans the local search improves. */
const LOCAL_SEARCH_PLANS = 3;

interface Demand {
  cpu: number;
  mem: number;
  gpus: number;
}

/** Chooses the shape of a new node for this pod, given what is left to place of its kind. */
type Opener = (pod: PodDemand, remaining: Demand) => Slot;

function kindOf(pod: PodDemand): string {
  return `${pod.gpus > 0 ? `gpu:${pod.gpuModel ?? '*'}` : 'cpu'}|${pod.architecture ?? '*'}|${pod.zone ?? '*'}`;
}

/** What hosting `demand` on nodes of this shape alone would cost: whole nodes for the tail are priced by the later, smaller openings. */
function hostingCost(slot: Slot, demand: Demand): number {
  return slot.price * Math.max(1, demand.cpu / slot.cpu, demand.mem / slot.mem, slot.gpus > 0 ? demand.gpus / slot.gpus : 0);
}

function adaptiveOpener(model: Model): Opener {
  return (pod, remaining) => {
    const needs = podNeeds(pod);
    let best: Slot | undefined;
    let bestCost = Infinity;
    for (const slot of model.slots) {
      if (!holds(slot, pod.cpuCores, pod.memoryBytes, pod.gpus) || !serves(model, slot, needs)) continue;
      const cost = hostingCost(slot, remaining);
      if (cost < bestCost - 1e-12) {
        best = slot;
        bestCost = cost;
      }
    }
    // prepare() kept only pods some slot holds.
    return best as Slot;
  };
}

function fixedOpener(model: Model, preferred: Slot): Opener {
  const fallback = adaptiveOpener(model);
  return (pod, remaining) => (holds(preferred, pod.cpuCores, pod.memoryBytes, pod.gpus) && serves(model, preferred, podNeeds(pod)) ? preferred : fallback(pod, remaining));
}

/** Where a pod goes among the nodes that can take it: the first opened (first-fit) or the least loaded (spreads pods over the zone seeds). */
type Placement = 'first-fit' | 'least-loaded';

function firstFitDecreasing(model: Model, order: readonly PodDemand[], openShape: Opener, seeds: readonly WorkNode[], placement: Placement): WorkNode[] {
  const remaining = new Map<string, Demand>();
  for (const pod of order) {
    const d = remaining.get(kindOf(pod)) ?? { cpu: 0, mem: 0, gpus: 0 };
    d.cpu += pod.cpuCores;
    d.mem += pod.memoryBytes;
    d.gpus += pod.gpus;
    remaining.set(kindOf(pod), d);
  }
  const nodes: WorkNode[] = seeds.map((n) => ({ ...n, pods: [] }));
  // Nodes left with less room than the smallest pod still to come are dropped from the scan: at 10k pods the scan is the cost.
  const minCpu = suffixMinima(order.map((p) => p.cpuCores));
  const minMem = suffixMinima(order.map((p) => p.memoryBytes));
  let open = [...nodes];
  order.forEach((pod, i) => {
    if (i % 128 === 0) open = open.filter((n) => n.slot.cpu - n.cpu >= (minCpu[i] ?? 0) && n.slot.mem - n.mem >= (minMem[i] ?? 0));
    const left = remaining.get(kindOf(pod)) as Demand;
    let target: { node: WorkNode; needs: WorkNode['needs']; fill: number } | undefined;
    for (const node of open) {
      const needs = admits(model, node, pod);
      if (!needs) continue;
      if (placement === 'first-fit') {
        target = { node, needs, fill: 0 };
        break;
      }
      const load = fill(node);
      if (!target || load < target.fill) target = { node, needs, fill: load };
    }
    if (target) addPod(target.node, pod, target.needs);
    else {
      const node = newNode(openShape(pod, left), podNeeds(pod));
      addPod(node, pod, podNeeds(pod));
      nodes.push(node);
      open.push(node);
    }
    left.cpu -= pod.cpuCores;
    left.mem -= pod.memoryBytes;
    left.gpus -= pod.gpus;
  });
  return nodes;
}

function suffixMinima(values: readonly number[]): number[] {
  const out = new Array<number>(values.length);
  let min = Infinity;
  for (let i = values.length - 1; i >= 0; i--) {
    min = Math.min(min, values[i] as number);
    out[i] = min;
  }
  return out;
}

/** Empties the least-loaded nodes into the room the others have left, tightest fit first; a node is emptied whole or not at all. */
function evacuate(model: Model, nodes: WorkNode[]): WorkNode[] {
  const alive = new Set(nodes);
  const byFill = [...nodes].sort((a, b) => fill(a) - fill(b));
  for (const node of byFill) {
    if (lastInSpreadZone(model, node, alive)) continue;
    const moves: Array<{ pod: PodDemand; to: WorkNode; needsBefore: WorkNode['needs'] }> = [];
    const pods = [...node.pods].sort((a, b) => b.cpuCores / node.slot.cpu + b.memoryBytes / node.slot.mem - (a.cpuCores / node.slot.cpu + a.memoryBytes / node.slot.mem));
    alive.delete(node);
    let ok = true;
    for (const pod of pods) {
      let target: WorkNode | undefined;
      let targetFill = -1;
      for (const other of alive) {
        const needs = admits(model, other, pod);
        if (!needs) continue;
        const after = Math.max((other.cpu + pod.cpuCores) / other.slot.cpu, (other.mem + pod.memoryBytes) / other.slot.mem);
        if (after > targetFill) {
          target = other;
          targetFill = after;
        }
      }
      if (!target) {
        ok = false;
        break;
      }
      moves.push({ pod, to: target, needsBefore: target.needs });
      addPod(target, pod, admits(model, target, pod) ?? target.needs);
    }
    if (ok) continue;
    for (const move of moves.reverse()) {
      removePod(move.to, move.pod);
      move.to.needs = move.needsBefore;
    }
    alive.add(node);
  }
  return nodes.filter((n) => alive.has(n));
}

/** Merges pairs among the least-loaded nodes onto one shape cheaper than the two, best saving first. */
function mergePairs(model: Model, nodes: WorkNode[], candidates: number): WorkNode[] {
  let current = nodes;
  for (let round = 0; round < candidates; round++) {
    const pool = [...current].sort((a, b) => fill(a) - fill(b)).slice(0, candidates);
    let best: { a: WorkNode; b: WorkNode; slot: Slot; saving: number } | undefined;
    for (let i = 0; i < pool.length; i++) {
      for (let j = i + 1; j < pool.length; j++) {
        const a = pool[i] as WorkNode;
        const b = pool[j] as WorkNode;
        const needs = combine(a.needs, b.needs);
        if (!needs) continue;
        const slot = cheapestSlot(model, needs, a.cpu + b.cpu, a.mem + b.mem, a.gpus + b.gpus);
        const saving = slot ? a.slot.price + b.slot.price - slot.price : 0;
        if (slot && saving > 1e-9 && (!best || saving > best.saving + 1e-12)) best = { a, b, slot, saving };
      }
    }
    if (!best) break;
    const { a, b, slot } = best;
    const merged = newNode(slot, combine(a.needs, b.needs) ?? a.needs);
    merged.pods = [...a.pods, ...b.pods];
    merged.cpu = a.cpu + b.cpu;
    merged.mem = a.mem + b.mem;
    merged.gpus = a.gpus + b.gpus;
    current = [...current.filter((n) => n !== a && n !== b), merged];
  }
  return current;
}

/** For each spread zone a node there to start from, on the shape the pool would open most. */
function zoneSeeds(model: Model, preferred: Slot | undefined): WorkNode[] {
  const seeds: WorkNode[] = [];
  for (const zone of model.spreadZones) {
    const needs = { gpu: false, gpuModel: null, arch: null, zone };
    const slot = preferred && serves(model, preferred, needs) ? preferred : cheapestSlot(model, needs, 0, 0, 0);
    if (slot) seeds.push(newNode(slot, needs));
  }
  return seeds;
}

function shuffled<T>(items: readonly T[], rng: Prng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function orderings(model: Model): Array<readonly PodDemand[]> {
  const reference = model.slots.reduce((r, s) => ({ cpu: Math.max(r.cpu, s.cpu), mem: Math.max(r.mem, s.mem) }), { cpu: 0, mem: 0 });
  const by = (key: (p: PodDemand) => number) => [...model.placeable].sort((a, b) => b.gpus - a.gpus || key(b) - key(a) || compareText(a.id, b.id));
  const dominant = by((p) => Math.max(p.cpuCores / reference.cpu, p.memoryBytes / reference.mem));
  if (model.placeable.length > SMALL_POOL_PODS) return [dominant];
  // On small pools, greedy order matters more than time: a few seeded shuffles join the sorted orders.
  const rng = new Prng(0x5eed);
  const shuffles = Array.from({ length: Math.min(16, Math.floor(SMALL_POOL_PODS / Math.max(1, model.placeable.length))) }, () => shuffled(dominant, rng));
  return [dominant, by((p) => p.cpuCores / reference.cpu + p.memoryBytes / reference.mem), by((p) => p.cpuCores), by((p) => p.memoryBytes), ...shuffles];
}

/** The shapes that would host the whole CPU pool most cheaply: each is tried as the one new nodes open on. */
function preferredSlots(model: Model, count: number): Slot[] {
  const total: Demand = { cpu: 0, mem: 0, gpus: 0 };
  for (const pod of model.placeable) {
    if (pod.gpus > 0) continue;
    total.cpu += pod.cpuCores;
    total.mem += pod.memoryBytes;
  }
  return model.slots
    .filter((s) => s.gpus === 0)
    .map((slot) => ({ slot, cost: hostingCost(slot, total) }))
    .sort((a, b) => a.cost - b.cost || compareText(a.slot.shape.instanceType, b.slot.shape.instanceType))
    .slice(0, count)
    .map((x) => x.slot);
}

/** Packs the pods onto the cheapest node mix found; every pod is on exactly one node or in `unplaced` with the reason. */
export function packNodePool(pods: readonly PodDemand[], shapes: readonly InstanceShape[], options: PackOptions): PackResult {
  const model = prepare(pods, shapes, options);
  const small = model.placeable.length <= SMALL_POOL_PODS;
  const preferred = preferredSlots(model, small ? 4 : 2);
  const openers = [adaptiveOpener(model), ...preferred.map((s) => fixedOpener(model, s))];
  // Starting with a node in each spread zone lets the packing fill it, instead of adding one at the end.
  const seedings: Array<{ seeds: WorkNode[]; placement: Placement }> = [{ seeds: [], placement: 'first-fit' }];
  if (small && model.spreadZones.length > 1) {
    const seeds = zoneSeeds(model, preferred[0]);
    seedings.push({ seeds, placement: 'first-fit' }, { seeds, placement: 'least-loaded' });
  }
  const plans: WorkNode[][] = [];
  for (const order of orderings(model)) {
    for (const open of openers) {
      for (const { seeds, placement } of seedings) {
        let nodes = firstFitDecreasing(model, order, open, seeds, placement);
        nodes = evacuate(model, nodes);
        downsize(model, nodes);
        nodes = mergePairs(model, nodes, small ? 64 : 32);
        plans.push(finish(model, nodes, { downsize: true }));
      }
    }
  }
  // The baseline is a candidate too: on small pools kcost's plan never costs more than a one-shape node group's.
  if (small) plans.push(firstFitPlan(model));
  // The sort is stable, so equal costs keep the order the plans were made in: the result is deterministic.
  plans.sort((a, b) => costOf(a) - costOf(b));
  const improved = small ? plans.slice(0, LOCAL_SEARCH_PLANS).map((nodes) => (model.placeable.length <= PAIR_REPACK_POOL_PODS ? repackPairs(model, relocate(model, nodes, 4), 50) : relocate(model, nodes, 4))) : plans.slice(0, 1);
  let best: WorkNode[] | undefined;
  for (const nodes of improved) if (!best || costOf(nodes) < costOf(best) - 1e-9) best = nodes;
  return toResult(model, best ?? []);
}
