import type { NodeCost } from '../codec/records.generated.js';
import { renderLabels } from './exposition.js';
import type { ApplyOutcome } from './pod-costs.js';
import { SeriesFamily } from './series-family.js';

interface NodeState {
  windowStart: number;
  seenAt: number;
  labelSource: string;
  labels: string;
  hasGpu: boolean;
}

const RESOURCES = ['cpu', 'memory', 'gpu'] as const;

/**
 * Node gauges from NodeCost records, from each node's latest window scaled to
 * an hour: its cost (kube_cost_node_hourly_usd) and the part of it no
 * container was charged for, per resource (kube_cost_idle_hourly_usd; the gpu
 * series only for nodes with GPUs). A record for the node's current window
 * replaces it, an older one is ignored.
 */
export class NodeCosts {
  readonly hourly = new SeriesFamily(
    'kube_cost_node_hourly_usd',
    "Cost rate of the node, USD per hour, from the node's latest window.",
    'gauge',
  );
  readonly idle = new SeriesFamily(
    'kube_cost_idle_hourly_usd',
    "Cost rate of the node's capacity that no container was charged for, USD per hour, by resource (cpu, memory, gpu), from the node's latest window.",
    'gauge',
  );
  private readonly nodes = new Map<string, NodeState>();
  private readonly idleLabels = new Map<string, string>();

  get size(): number {
    return this.nodes.size;
  }

  apply(record: NodeCost, now: number): ApplyOutcome {
    if (!(record.windowSeconds > 0) || !Number.isFinite(record.costUsd) || !Number.isFinite(record.windowStart)) return 'invalid';
    const key = `${record.cluster}\u0000${record.nodeName}`;
    let node = this.nodes.get(key);
    if (!node) {
      node = { windowStart: Number.NEGATIVE_INFINITY, seenAt: now, labelSource: '', labels: '', hasGpu: false };
      this.nodes.set(key, node);
    }
    node.seenAt = now;
    if (record.windowStart < node.windowStart) return 'duplicate';
    const outcome: ApplyOutcome = record.windowStart === node.windowStart ? 'duplicate' : 'applied';
    node.windowStart = record.windowStart;
    const labelSource = `${record.instanceType}\u0000${record.capacityType}`;
    if (labelSource !== node.labelSource) {
      node.labelSource = labelSource;
      node.labels = renderLabels(
        ['cluster', 'node', 'instance_type', 'capacity_type'],
        [record.cluster, record.nodeName, record.instanceType, record.capacityType],
      );
    }
    const perHour = 3600 / record.windowSeconds;
    this.hourly.set(key, node.labels, record.costUsd * perHour);
    const hasGpu = record.gpuCount > 0 || record.gpuCostUsd > 0;
    if (node.hasGpu && !hasGpu) this.idle.delete(`${key}\u0000gpu`);
    node.hasGpu = hasGpu;
    const idle = { cpu: record.cpuIdleCostUsd, memory: record.memoryIdleCostUsd, gpu: record.gpuIdleCostUsd };
    for (const resource of RESOURCES) {
      if (resource === 'gpu' && !hasGpu) continue;
      const idleKey = `${key}\u0000${resource}`;
      let labels = this.idleLabels.get(idleKey);
      if (labels === undefined) {
        labels = renderLabels(['cluster', 'node', 'resource'], [record.cluster, record.nodeName, resource]);
        this.idleLabels.set(idleKey, labels);
      }
      this.idle.set(idleKey, labels, idle[resource] * perHour);
    }
    return outcome;
  }

  /** Drops nodes whose last record arrived more than `graceMillis` before `now`; returns how many. */
  expire(now: number, graceMillis: number): number {
    let dropped = 0;
    for (const [key, node] of this.nodes) {
      if (now - node.seenAt <= graceMillis) continue;
      this.nodes.delete(key);
      dropped++;
      this.hourly.delete(key);
      for (const resource of RESOURCES) {
        this.idle.delete(`${key}\u0000${resource}`);
        this.idleLabels.delete(`${key}\u0000${resource}`);
      }
    }
    return dropped;
  }
}
