// The optimum on small cases, for the tests and the bench: every way of
// grouping the pods into nodes (set partitions, pruned when a group fits no
// shape or already costs more than the best plan found), each group on its
// cheapest shape, and the zones chosen by dynamic programming so that every
// spread zone keeps a node (an empty node of the cheapest shape offered there
// when no group goes to it). The same rules as packNodePool: headroom,
// DaemonSet overhead, GPUs, architecture, zone pins and spread.
import { KcostError } from '../errors/kcost-error.js';
import { addPod, cheapestSlot, combine, emptyNode, newNode, podNeeds, prepare, type Model, type Needs, type Slot, type WorkNode } from './pack-model.js';
import type { InstanceShape, PackOptions, PackResult, PodDemand } from './pack-types.js';
import { toResult } from './zone-spread.js';

/** Bell(12) ≈ 4.2 million partitions: beyond that the search takes too long to be a test's reference. */
export const EXHAUSTIVE_MAX_PODS = 12;
export const EXHAUSTIVE_MAX_SHAPES = 8;

interface Block {
  needs: Needs;
  cpu: number;
  mem: number;
  gpus: number;
  pods: PodDemand[];
  lowerBound: number;
}

interface Choice {
  readonly zone: string | null;
  readonly slot: Slot;
}

/** The cheapest shape per zone the group may go to (its pin, else any spread zone, else anywhere). */
function choices(model: Model, needs: Needs, cpu: number, mem: number, gpus: number): Choice[] {
  const zones = needs.zone !== null ? [needs.zone] : model.spreadZones.length > 0 ? model.spreadZones : [null];
  const out: Choice[] = [];
  for (const zone of zones) {
    const slot = cheapestSlot(model, { ...needs, zone }, cpu, mem, gpus);
    if (slot) out.push({ zone, slot });
  }
  return out;
}

function emptyNodes(model: Model): Array<WorkNode | undefined> {
  return model.spreadZones.map((zone) => emptyNode(model, zone));
}

/** Zones for the groups at least cost with every spread zone covered: the cost and, per group, the choice. */
function bestZones(model: Model, blocks: readonly Block[], empty: ReadonlyArray<WorkNode | undefined>): { cost: number; picks: Choice[] } {
  const zoneCount = model.spreadZones.length;
  const full = (1 << zoneCount) - 1;
  let layer = new Map<number, { cost: number; picks: Choice[] }>([[0, { cost: 0, picks: [] }]]);
  for (const block of blocks) {
    const next = new Map<number, { cost: number; picks: Choice[] }>();
    for (const [mask, state] of layer) {
      for (const choice of choices(model, block.needs, block.cpu, block.mem, block.gpus)) {
        const index = choice.zone === null ? -1 : model.spreadZones.indexOf(choice.zone);
        const m = index < 0 ? mask : mask | (1 << index);
        const cost = state.cost + choice.slot.price;
        const seen = next.get(m);
        if (!seen || cost < seen.cost - 1e-12) next.set(m, { cost, picks: [...state.picks, choice] });
      }
    }
    layer = next;
  }
  let best = { cost: Infinity, picks: [] as Choice[] };
  for (const [mask, state] of layer) {
    let cost = state.cost;
    for (let z = 0; z < zoneCount; z++) {
      if (mask & (1 << z) || (full & (1 << z)) === 0) continue;
      // A zone no shape is offered in cannot be covered by anyone: it costs nothing here, as in zone-spread.ts.
      cost += empty[z]?.slot.price ?? 0;
    }
    if (cost < best.cost - 1e-12) best = { cost, picks: state.picks };
  }
  return best;
}

/** The cheapest plan there is, by exhaustive search; for at most 12 placeable pods and 8 shapes. */
export function exhaustivePack(pods: readonly PodDemand[], shapes: readonly InstanceShape[], options: PackOptions): PackResult {
  const model = prepare(pods, shapes, options);
  const list = model.placeable;
  if (list.length > EXHAUSTIVE_MAX_PODS) throw new KcostError('INVALID_PACK_INPUT', `exhaustivePack searches at most ${EXHAUSTIVE_MAX_PODS} pods, got ${list.length}`);
  if (model.slots.length > EXHAUSTIVE_MAX_SHAPES) throw new KcostError('INVALID_PACK_INPUT', `exhaustivePack searches at most ${EXHAUSTIVE_MAX_SHAPES} usable shapes, got ${model.slots.length}`);
  const empty = emptyNodes(model);
  const blocks: Block[] = [];
  let bestCost = Infinity;
  let bestBlocks: Block[] = [];

  const lowerBoundOf = (needs: Needs, cpu: number, mem: number, gpus: number): number => Math.min(...choices(model, needs, cpu, mem, gpus).map((c) => c.slot.price));

  const search = (i: number, bound: number): void => {
    if (bound >= bestCost - 1e-12) return;
    const pod = list[i];
    if (!pod) {
      const { cost } = bestZones(model, blocks, empty);
      if (cost < bestCost - 1e-12) {
        bestCost = cost;
        bestBlocks = blocks.map((b) => ({ ...b, pods: [...b.pods] }));
      }
      return;
    }
    const own = podNeeds(pod);
    for (const block of blocks) {
      const needs = combine(block.needs, own);
      if (!needs) continue;
      const cpu = block.cpu + pod.cpuCores;
      const mem = block.mem + pod.memoryBytes;
      const gpus = block.gpus + pod.gpus;
      const lowerBound = lowerBoundOf(needs, cpu, mem, gpus);
      if (!Number.isFinite(lowerBound)) continue;
      const saved = { ...block, pods: block.pods };
      Object.assign(block, { needs, cpu, mem, gpus, lowerBound, pods: [...block.pods, pod] });
      search(i + 1, bound - saved.lowerBound + lowerBound);
      Object.assign(block, saved);
    }
    const lowerBound = lowerBoundOf(own, pod.cpuCores, pod.memoryBytes, pod.gpus);
    blocks.push({ needs: own, cpu: pod.cpuCores, mem: pod.memoryBytes, gpus: pod.gpus, pods: [pod], lowerBound });
    search(i + 1, bound + lowerBound);
    blocks.pop();
  };
  search(0, 0);

  const { picks } = bestZones(model, bestBlocks, empty);
  const nodes: WorkNode[] = bestBlocks.map((block, i) => {
    const pick = picks[i] as Choice;
    const node = newNode(pick.slot, { ...block.needs, zone: pick.zone ?? pick.slot.shape.zones[0] ?? '' });
    for (const pod of block.pods) addPod(node, pod, node.needs);
    return node;
  });
  model.spreadZones.forEach((zone, z) => {
    const node = empty[z];
    if (node && !nodes.some((n) => n.needs.zone === zone)) nodes.push(node);
  });
  return toResult(model, nodes);
}
