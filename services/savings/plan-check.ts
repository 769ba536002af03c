// An independent check of a packing plan against its input, written apart
// from the packers' own rules so that a bug there is not repeated here. The
// tests assert it finds nothing; the bench reports what it finds.
import { allocatableOf } from './node-allocatable.js';
import type { InstanceShape, PackOptions, PackResult, PodDemand } from './pack-types.js';

const RELATIVE_TOLERANCE = 1e-9;

function within(used: number, limit: number): boolean {
  return used <= limit + Math.abs(limit) * RELATIVE_TOLERANCE + 1e-9;
}

function offered(shape: InstanceShape, zone: string): boolean {
  return shape.zones.length === 0 || shape.zones.includes(zone);
}

function takes(shape: InstanceShape, pod: PodDemand): boolean {
  if (pod.gpus > 0 ? shape.gpus < pod.gpus || (pod.gpuModel !== null && shape.gpuModel !== pod.gpuModel) : shape.gpus > 0) return false;
  return pod.architecture === null || shape.architecture === pod.architecture;
}

function roomOf(shape: InstanceShape, options: PackOptions): { cpu: number; mem: number; gpus: number } {
  const a = (options.allocatable ?? allocatableOf)(shape);
  const f = options.maxAllocatedFraction;
  return { cpu: a.cpuCores * f - options.daemonSetOverhead.cpuCores, mem: a.memoryBytes * f - options.daemonSetOverhead.memoryBytes, gpus: a.gpus };
}

/** Every way the plan breaks the rules: a pod lost or placed twice, a node over its room, a constraint ignored, a zone left empty, a wrong total. */
export function planViolations(pods: readonly PodDemand[], shapes: readonly InstanceShape[], options: PackOptions, result: PackResult): string[] {
  const out: string[] = [];
  const podById = new Map(pods.map((p) => [p.id, p]));
  const shapeByType = new Map(shapes.map((s) => [s.instanceType, s]));
  const seen = new Map<string, number>();
  const count = (id: string) => seen.set(id, (seen.get(id) ?? 0) + 1);
  let total = 0;
  for (const node of result.nodes) {
    total += node.hourlyUsd;
    const shape = shapeByType.get(node.instanceType);
    if (!shape) {
      out.push(`node of unknown instance type ${node.instanceType}`);
      continue;
    }
    const label = `${node.instanceType} in ${node.zone}`;
    if (node.hourlyUsd !== shape.hourlyUsd) out.push(`${label} priced ${node.hourlyUsd}, not ${shape.hourlyUsd}`);
    if (node.zone !== '' && !offered(shape, node.zone)) out.push(`${label}: the type is not offered in that zone`);
    let cpu = 0;
    let mem = 0;
    let gpus = 0;
    for (const id of node.podIds) {
      count(id);
      const pod = podById.get(id);
      if (!pod) {
        out.push(`${label} holds unknown pod ${id}`);
        continue;
      }
      cpu += pod.cpuCores;
      mem += pod.memoryBytes;
      gpus += pod.gpus;
      if (!takes(shape, pod)) out.push(`${label} cannot take pod ${id} (GPU or architecture)`);
      if (pod.zone !== null && pod.zone !== node.zone) out.push(`pod ${id} is pinned to ${pod.zone} but placed in ${node.zone}`);
    }
    const room = roomOf(shape, options);
    if (!within(cpu, room.cpu)) out.push(`${label}: ${cpu} cores requested, room for ${room.cpu}`);
    if (!within(mem, room.mem)) out.push(`${label}: ${mem} bytes requested, room for ${room.mem}`);
    if (gpus > room.gpus) out.push(`${label}: ${gpus} GPUs requested, ${room.gpus} there`);
    if (Math.abs(cpu - node.cpuRequested) > 1e-6 || Math.abs(mem - node.memoryRequested) > 1 || gpus !== node.gpusRequested) out.push(`${label}: requested totals do not match its pods`);
  }
  for (const u of result.unplaced) {
    count(u.podId);
    const pod = podById.get(u.podId);
    if (!pod) continue;
    const fitsSomewhere = shapes.some((s) => {
      const room = roomOf(s, options);
      const zoneOk = pod.zone !== null ? offered(s, pod.zone) : options.zones.length === 0 || options.zones.some((z) => offered(s, z));
      return takes(s, pod) && zoneOk && room.cpu > 0 && room.mem > 0 && within(pod.cpuCores, room.cpu) && within(pod.memoryBytes, room.mem) && pod.gpus <= room.gpus;
    });
    if (fitsSomewhere) out.push(`pod ${u.podId} reported unplaced (${u.reason}) though a shape holds it`);
  }
  for (const pod of pods) {
    const n = seen.get(pod.id) ?? 0;
    if (n !== 1) out.push(`pod ${pod.id} appears ${n} times`);
  }
  for (const zone of options.zones) {
    // A shape whose room is gone to the DaemonSet overhead and headroom cannot be a node at all.
    const coverable = shapes.some((s) => {
      const room = roomOf(s, options);
      return offered(s, zone) && room.cpu > 0 && room.mem > 0;
    });
    if (coverable && !result.nodes.some((n) => n.zone === zone)) out.push(`zone ${zone} has no node`);
  }
  if (Math.abs(total - result.hourlyUsd) > 1e-9 * Math.max(1, total)) out.push(`hourlyUsd ${result.hourlyUsd} is not the nodes' sum ${total}`);
  return out;
}
