// The baseline: what a node group of one instance type does. Pods are split
// into groups by what they require of a node (GPU model, architecture); each
// group gets one shape, the cheapest (ties by instance type) that serves all
// of its pods and holds its largest CPU request and its largest memory
// request. Pods are then placed first-fit in arrival order: onto the first
// node of their group with room (and in their pinned zone, if any), else onto
// a new node of the group's shape; a pod the group's shape is not offered for
// (its pinned zone) gets a node of the cheapest shape that takes it. Nodes get
// zones and the zone spread is kept as kcost's packer does, but no node is
// moved to another shape: a one-shape group has none to move to.
import { addPod, admits, cheapestSlot, newNode, podNeeds, prepare, type Model, type Needs, type Slot, type WorkNode } from './pack-model.js';
import type { InstanceShape, PackOptions, PackResult, PodDemand } from './pack-types.js';
import { finish, toResult } from './zone-spread.js';

function groupOf(pod: PodDemand): string {
  return `${pod.gpus > 0 ? `gpu:${pod.gpuModel ?? '*'}` : 'cpu'}|${pod.architecture ?? '*'}`;
}

function groupShape(model: Model, pods: readonly PodDemand[]): Slot | undefined {
  const first = pods[0];
  if (!first) return undefined;
  const needs: Needs = { ...podNeeds(first), zone: null };
  const largest = pods.reduce((m, p) => ({ cpu: Math.max(m.cpu, p.cpuCores), mem: Math.max(m.mem, p.memoryBytes), gpus: Math.max(m.gpus, p.gpus) }), { cpu: 0, mem: 0, gpus: 0 });
  return cheapestSlot(model, needs, largest.cpu, largest.mem, largest.gpus);
}

/** First-fit in arrival order onto one shape per group of like pods (the rule above). */
export function firstFitPack(pods: readonly PodDemand[], shapes: readonly InstanceShape[], options: PackOptions): PackResult {
  const model = prepare(pods, shapes, options);
  return toResult(model, firstFitPlan(model));
}

/** The baseline's nodes, zones settled; packNodePool also starts from them on small pools. */
export function firstFitPlan(model: Model): WorkNode[] {
  const groups = new Map<string, PodDemand[]>();
  for (const pod of model.placeable) groups.set(groupOf(pod), [...(groups.get(groupOf(pod)) ?? []), pod]);
  const shapeOf = new Map([...groups].map(([key, members]) => [key, groupShape(model, members)]));
  const nodesOf = new Map<string, WorkNode[]>();
  const all: WorkNode[] = [];
  for (const pod of model.placeable) {
    const key = groupOf(pod);
    const nodes = nodesOf.get(key) ?? [];
    nodesOf.set(key, nodes);
    const room = nodes.find((n) => admits(model, n, pod));
    if (room) {
      addPod(room, pod, admits(model, room, pod) ?? room.needs);
      continue;
    }
    const needs = podNeeds(pod);
    const preferred = shapeOf.get(key);
    const node = newNode(preferred && admits(model, newNode(preferred, { ...needs, zone: null }), pod) ? preferred : (cheapestSlot(model, needs, pod.cpuCores, pod.memoryBytes, pod.gpus) as Slot), needs);
    addPod(node, pod, needs);
    nodes.push(node);
    all.push(node);
  }
  return finish(model, all, { downsize: false });
}
