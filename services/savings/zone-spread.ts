// The last steps of every plan: each node gets a zone, every zone of the
// spread keeps at least one node, and the work nodes become a PackResult.
// Nodes whose pods are not pinned float until here, so the packing above is
// never split by zone for nothing.
import { addPod, cheapestSlot, compareText, downsize, emptyNode, newNode, offeredIn, podNeeds, type Model, type Needs, type WorkNode } from './pack-model.js';
import type { PackResult, PodDemand } from './pack-types.js';

function zoneOf(node: WorkNode): string | null {
  return node.needs.zone;
}

function setZone(node: WorkNode, zone: string): void {
  node.needs = { ...node.needs, zone };
}

function countByZone(nodes: readonly WorkNode[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const zone = zoneOf(node);
    if (zone !== null) counts.set(zone, (counts.get(zone) ?? 0) + 1);
  }
  return counts;
}

/** Floating nodes first cover the spread zones no node is in yet, then go where the fewest nodes are. */
function assignZones(model: Model, nodes: readonly WorkNode[]): void {
  const floating = nodes
    .filter((n) => zoneOf(n) === null)
    .sort((a, b) => b.slot.price - a.slot.price || compareText(a.slot.shape.instanceType, b.slot.shape.instanceType) || compareText(a.pods[0]?.id ?? '', b.pods[0]?.id ?? ''));
  if (model.spreadZones.length === 0) {
    for (const node of floating) setZone(node, node.slot.shape.zones[0] ?? '');
    return;
  }
  const counts = countByZone(nodes);
  const uncovered = model.spreadZones.filter((z) => !counts.has(z));
  const candidates = (zone: string) => floating.filter((n) => zoneOf(n) === null && offeredIn(n.slot.shape, zone));
  // The zone with the fewest candidates picks first, so that a node offered in one zone only is not spent elsewhere.
  uncovered.sort((a, b) => candidates(a).length - candidates(b).length || model.spreadZones.indexOf(a) - model.spreadZones.indexOf(b));
  for (const zone of uncovered) {
    const node = candidates(zone).at(-1);
    if (!node) continue;
    setZone(node, zone);
    counts.set(zone, 1);
  }
  for (const node of floating) {
    if (zoneOf(node) !== null) continue;
    let best: string | undefined;
    for (const zone of model.spreadZones) {
      if (offeredIn(node.slot.shape, zone) && (best === undefined || (counts.get(zone) ?? 0) < (counts.get(best) ?? 0))) best = zone;
    }
    // serves() only lets a floating node take a shape offered in some spread zone.
    const zone = best ?? model.spreadZones[0] ?? '';
    setZone(node, zone);
    counts.set(zone, (counts.get(zone) ?? 0) + 1);
  }
}

function dominant(model: Model, pod: PodDemand): number {
  const largest = model.slots.at(-1);
  return largest ? Math.max(pod.cpuCores / largest.cpu, pod.memoryBytes / largest.mem) : 0;
}

/**
 * A spread zone left without a node gets one, at the least cost found:
 * a node of unpinned pods moved from a zone that has others (free), else the
 * cheaper of one unpinned pod moved off a node that keeps others onto the
 * cheapest shape offered there (net of what the old node saves by
 * shrinking) and an empty node of the cheapest shape offered there.
 */
function coverZones(model: Model, nodes: WorkNode[]): void {
  for (const zone of model.spreadZones) {
    const counts = countByZone(nodes);
    if (counts.has(zone)) continue;
    const movable = nodes
      .filter((n) => (counts.get(zoneOf(n) ?? '') ?? 0) > 1 && n.pods.every((p) => p.zone === null) && offeredIn(n.slot.shape, zone))
      .sort((a, b) => a.slot.price - b.slot.price || compareText(a.slot.shape.instanceType, b.slot.shape.instanceType));
    const whole = movable[0];
    if (whole) {
      setZone(whole, zone);
      continue;
    }
    // A pod moved costs its new node less what its old node saves by shrinking; an empty node costs itself.
    const empty = emptyNode(model, zone);
    let bestMove: { pod: PodDemand; from: WorkNode; needs: Needs; cost: number; size: number } | undefined;
    for (const from of nodes) {
      if (from.pods.length < 2) continue;
      for (const pod of from.pods) {
        if (pod.zone !== null) continue;
        const needs: Needs = { ...podNeeds(pod), zone };
        const slot = cheapestSlot(model, needs, pod.cpuCores, pod.memoryBytes, pod.gpus);
        if (!slot) continue;
        const shrunk = cheapestSlot(model, from.needs, from.cpu - pod.cpuCores, from.mem - pod.memoryBytes, from.gpus - pod.gpus);
        const cost = slot.price - (shrunk ? Math.max(0, from.slot.price - shrunk.price) : 0);
        const size = dominant(model, pod);
        if (!bestMove || cost < bestMove.cost - 1e-12 || (Math.abs(cost - bestMove.cost) <= 1e-12 && (size < bestMove.size || (size === bestMove.size && pod.id < bestMove.pod.id)))) {
          bestMove = { pod, from, needs, cost, size };
        }
      }
    }
    // At equal cost a pod moves: a zone with a pod beats an empty node.
    if (bestMove && (!empty || bestMove.cost <= empty.slot.price + 1e-12)) {
      const { pod, from, needs } = bestMove;
      from.pods = from.pods.filter((p) => p !== pod);
      from.cpu -= pod.cpuCores;
      from.mem -= pod.memoryBytes;
      from.gpus -= pod.gpus;
      const slot = cheapestSlot(model, needs, pod.cpuCores, pod.memoryBytes, pod.gpus);
      if (!slot) continue;
      const node = newNode(slot, needs);
      addPod(node, pod, needs);
      nodes.push(node);
      continue;
    }
    if (empty) nodes.push(empty);
  }
}

/** Zones for every node, the spread kept, and (unless the plan keeps its shapes) every node on its cheapest shape. */
export function finish(model: Model, nodes: WorkNode[], options: { readonly downsize: boolean }): WorkNode[] {
  assignZones(model, nodes);
  coverZones(model, nodes);
  if (options.downsize) downsize(model, nodes);
  return nodes;
}

export function costOf(nodes: readonly WorkNode[]): number {
  return nodes.reduce((sum, n) => sum + n.slot.price, 0);
}

/** The plain result: nodes ordered by zone, instance type and first pod, so the same plan always reads the same. */
export function toResult(model: Model, nodes: readonly WorkNode[]): PackResult {
  const packed = nodes
    .map((n) => ({
      instanceType: n.slot.shape.instanceType,
      zone: n.needs.zone ?? '',
      podIds: n.pods.map((p) => p.id).sort(compareText),
      // Summed afresh from the pods: the running totals carry rounding from pods moved on and off.
      cpuRequested: n.pods.reduce((sum, p) => sum + p.cpuCores, 0),
      memoryRequested: n.pods.reduce((sum, p) => sum + p.memoryBytes, 0),
      gpusRequested: n.pods.reduce((sum, p) => sum + p.gpus, 0),
      hourlyUsd: n.slot.price,
    }))
    .sort((a, b) => compareText(a.zone, b.zone) || compareText(a.instanceType, b.instanceType) || compareText(a.podIds[0] ?? '', b.podIds[0] ?? ''));
  return { nodes: packed, hourlyUsd: packed.reduce((sum, n) => sum + n.hourlyUsd, 0), unplaced: model.unplaced };
}
