// Local search on a settled plan (every node in its zone): moves that keep
// every rule and save money, tried until none does. Used on small pools,
// where the greedy plans leave the most room for it.
import { addPod, cheapestSlot, combine, emptyNode, fill, lastInSpreadZone, needsOfPods, podNeeds, removePod, type Model, type Slot, type WorkNode } from './pack-model.js';
import type { PodDemand } from './pack-types.js';

/** Pods of two nodes split afresh between them when the two hold at most this many: 2^n splits each. */
const PAIR_REPACK_MAX_PODS = 10;

/**
 * One pod at a time, moved to the node where the pair (its old node shrunk
 * or gone, its new node grown if need be) costs least, while that saves
 * money. For plans whose zones are settled: the spread is kept.
 */
export function relocate(model: Model, nodes: WorkNode[], passes: number): WorkNode[] {
  let current = nodes;
  for (let pass = 0; pass < passes; pass++) {
    let improved = false;
    for (const from of [...current].sort((a, b) => fill(a) - fill(b))) {
      for (const pod of [...from.pods]) {
        const rest = from.pods.filter((p) => p !== pod);
        const restNeeds = rest.length > 0 ? needsOfPods(rest, from.needs.zone) : null;
        if (rest.length === 0 && lastInSpreadZone(model, from, current)) continue;
        const shrunk = restNeeds ? cheapestSlot(model, restNeeds, from.cpu - pod.cpuCores, from.mem - pod.memoryBytes, from.gpus - pod.gpus) : undefined;
        if (rest.length > 0 && !shrunk) continue;
        let best: { to: WorkNode; slot: Slot; gain: number } | undefined;
        for (const to of current) {
          if (to === from) continue;
          const needs = combine(to.needs, podNeeds(pod));
          if (!needs) continue;
          const slot = cheapestSlot(model, needs, to.cpu + pod.cpuCores, to.mem + pod.memoryBytes, to.gpus + pod.gpus);
          if (!slot) continue;
          const gain = from.slot.price + to.slot.price - (shrunk?.price ?? 0) - slot.price;
          if (gain > 1e-9 && (!best || gain > best.gain + 1e-12)) best = { to, slot, gain };
        }
        if (!best) continue;
        const to = best.to;
        addPod(to, pod, combine(to.needs, podNeeds(pod)) ?? to.needs);
        to.slot = best.slot;
        removePod(from, pod);
        if (shrunk && restNeeds) {
          from.slot = shrunk;
          from.needs = restNeeds;
        }
        improved = true;
        if (from.pods.length === 0) break;
      }
    }
    current = current.filter((n) => n.pods.length > 0 || (n.needs.zone !== null && lastInSpreadZone(model, n, current)));
    if (!improved) break;
  }
  return current;
}


/** The cheapest shape for these pods in this zone; an empty side costs nothing unless it is the zone's last node. */
function sideCost(model: Model, pods: readonly PodDemand[], zone: string | null, keepEmpty: boolean): { slot: Slot | undefined; price: number } {
  if (pods.length === 0) {
    if (!keepEmpty) return { slot: undefined, price: 0 };
    const node = zone === null ? undefined : emptyNode(model, zone);
    return { slot: node?.slot, price: node ? node.slot.price : Infinity };
  }
  const needs = needsOfPods(pods, zone);
  if (!needs) return { slot: undefined, price: Infinity };
  let cpu = 0;
  let mem = 0;
  let gpus = 0;
  for (const p of pods) {
    cpu += p.cpuCores;
    mem += p.memoryBytes;
    gpus += p.gpus;
  }
  const slot = cheapestSlot(model, needs, cpu, mem, gpus);
  return { slot, price: slot ? slot.price : Infinity };
}

function rebuild(model: Model, node: WorkNode, pods: readonly PodDemand[], slot: Slot | undefined): void {
  const zone = node.needs.zone;
  node.pods = [];
  node.cpu = 0;
  node.mem = 0;
  node.gpus = 0;
  if (slot) node.slot = slot;
  node.needs = pods.length > 0 ? (needsOfPods(pods, zone) ?? node.needs) : { gpu: node.slot.gpus > 0, gpuModel: null, arch: null, zone };
  for (const pod of pods) addPod(node, pod, node.needs);
}

/**
 * Every split of two nodes' pods between the two (each keeping its zone),
 * the cheapest taken when it beats the pair as it is: the step that finds
 * what single moves cannot, e.g. two pods leaving together so that a node
 * can shrink.
 */
export function repackPairs(model: Model, nodes: WorkNode[], passes: number): WorkNode[] {
  let current = nodes;
  for (let pass = 0; pass < passes; pass++) {
    let improved = false;
    pairs: for (let i = 0; i < current.length; i++) {
      for (let j = i + 1; j < current.length; j++) {
        const a = current[i] as WorkNode;
        const b = current[j] as WorkNode;
        const pods = [...a.pods, ...b.pods];
        if (pods.length > PAIR_REPACK_MAX_PODS || pods.length === 0) continue;
        const others = current.filter((n) => n !== a && n !== b);
        const keepA = lastInSpreadZone(model, a, others);
        const keepB = lastInSpreadZone(model, b, others);
        let best: { price: number; mask: number; slotA: Slot | undefined; slotB: Slot | undefined } | undefined;
        const now = a.slot.price + b.slot.price;
        for (let mask = 0; mask < 1 << pods.length; mask++) {
          const sideA = pods.filter((_, k) => (mask & (1 << k)) === 0);
          const sideB = pods.filter((_, k) => (mask & (1 << k)) !== 0);
          const costA = sideCost(model, sideA, a.needs.zone, keepA);
          if (costA.price >= (best?.price ?? now) - 1e-9) continue;
          const costB = sideCost(model, sideB, b.needs.zone, keepB);
          const price = costA.price + costB.price;
          if (price < (best?.price ?? now) - 1e-9) best = { price, mask, slotA: costA.slot, slotB: costB.slot };
        }
        if (!best) continue;
        const chosen = best;
        rebuild(model, a, pods.filter((_, k) => (chosen.mask & (1 << k)) === 0), chosen.slotA);
        rebuild(model, b, pods.filter((_, k) => (chosen.mask & (1 << k)) !== 0), chosen.slotB);
        // A side left empty goes unless it keeps its zone; then the search starts over on the new plan.
        current = current.filter((n) => n.pods.length > 0 || (n === a ? keepA : n === b ? keepB : true));
        improved = true;
        break pairs;
      }
    }
    if (!improved) break;
  }
  return current;
}
