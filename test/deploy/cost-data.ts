import type { CostAnomaly, NodeCost, PodCost } from '../../services/codec/records.generated.js';

/**
 * A small, deterministic priced history of two clusters, shaped like what the
 * processor publishes: hourly windows, pods charged max(request, usage) at
 * their node's per-resource rate, node idle = node cost - what its pods were
 * charged (never negative), spot nodes with their on-demand equivalent, a
 * slowly growing workload (so the forecast has a trend) and a few anomalies.
 */
export interface CostHistory {
  readonly pods: PodCost[];
  readonly nodes: NodeCost[];
  readonly anomalies: CostAnomaly[];
}

const HOUR = 3_600_000;
const GIB = 1024 ** 3;
// The design's default vCPU-hour : GiB-hour ratio, used to split a node's price.
const CPU_WEIGHT = 0.031611;
const MEMORY_WEIGHT = 0.004237;

interface NodePlan {
  readonly name: string;
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  readonly hourlyUsd: number;
  readonly onDemandHourlyUsd: number;
}

interface PodPlan {
  readonly namespace: string;
  readonly workloadKind: string;
  readonly workloadName: string;
  readonly replica: number;
  readonly cpuRequestCores: number;
  readonly memoryRequestBytes: number;
  readonly storageGib: number;
  /** Growth of the request per day, as a fraction (the forecast's trend). */
  readonly growthPerDay: number;
}

const CORES = 4;
const MEMORY_BYTES = 16 * GIB;

const CLUSTERS: Record<string, { nodes: NodePlan[]; pods: PodPlan[] }> = {
  'prod-eu': {
    nodes: [
      { name: 'ip-10-0-1-10.eu-west-1.compute.internal', capacityType: 'ON_DEMAND', hourlyUsd: 0.214, onDemandHourlyUsd: 0.214 },
      { name: 'ip-10-0-1-11.eu-west-1.compute.internal', capacityType: 'ON_DEMAND', hourlyUsd: 0.214, onDemandHourlyUsd: 0.214 },
      { name: 'ip-10-0-2-20.eu-west-1.compute.internal', capacityType: 'SPOT', hourlyUsd: 0.0742, onDemandHourlyUsd: 0.214 },
    ],
    pods: workloads([
      ['shop', 'Deployment', 'checkout', 0.4, 1.0, 0, 0.01],
      ['shop', 'Deployment', 'cart', 0.2, 0.5, 0, 0],
      ['search', 'StatefulSet', 'elasticsearch', 0.5, 2.0, 50, 0],
      ['search', 'Deployment', 'query', 0.25, 0.5, 0, 0],
      ['batch', 'CronJob', 'nightly-report', 0.3, 1.0, 0, 0.02],
      ['kube-system', 'DaemonSet', 'aws-node', 0.05, 0.1, 0, 0],
      ['kube-system', '', '', 0.1, 0.25, 0, 0],
    ]),
  },
  'staging-us': {
    nodes: [
      { name: 'ip-10-1-1-10.us-east-1.compute.internal', capacityType: 'SPOT', hourlyUsd: 0.0698, onDemandHourlyUsd: 0.192 },
      { name: 'ip-10-1-1-11.us-east-1.compute.internal', capacityType: 'ON_DEMAND', hourlyUsd: 0.192, onDemandHourlyUsd: 0.192 },
    ],
    pods: workloads([
      ['shop', 'Deployment', 'checkout', 0.2, 0.5, 0, 0],
      ['ci', 'Deployment', 'runner', 0.5, 1.0, 20, 0.01],
    ]),
  },
};

function workloads(rows: Array<[string, string, string, number, number, number, number]>): PodPlan[] {
  return rows.flatMap(([namespace, workloadKind, workloadName, cpu, memoryGib, storageGib, growthPerDay]) =>
    [0, 1].map((replica) => ({ namespace, workloadKind, workloadName, replica, cpuRequestCores: cpu, memoryRequestBytes: memoryGib * GIB, storageGib, growthPerDay })),
  );
}

/** Per-resource hourly rates of a node whose price covers CPU and memory together. */
function rates(hourlyUsd: number): { cpu: number; memory: number } {
  const scale = hourlyUsd / (CORES * CPU_WEIGHT + (MEMORY_BYTES / GIB) * MEMORY_WEIGHT);
  return { cpu: CPU_WEIGHT * scale, memory: MEMORY_WEIGHT * scale };
}

/** Usage follows the day: lowest at 03:00 UTC, highest at 15:00. */
const diurnal = (hourOfDay: number) => 0.55 + 0.35 * Math.sin(((hourOfDay - 9) / 24) * 2 * Math.PI);

/** Every hourly window from `start` (inclusive) for `days` days. */
export function costHistory(start: number, days: number): CostHistory {
  const pods: PodCost[] = [];
  const nodes: NodeCost[] = [];
  const anomalies: CostAnomaly[] = [];
  for (const [cluster, plan] of Object.entries(CLUSTERS)) {
    for (let hour = 0; hour < days * 24; hour++) {
      const windowStart = start + hour * HOUR;
      const day = Math.floor(hour / 24);
      const charged = plan.nodes.map(() => ({ cpu: 0, memory: 0 }));
      plan.pods.forEach((pod, index) => {
        const nodeIndex = index % plan.nodes.length;
        const node = plan.nodes[nodeIndex] as NodePlan;
        const rate = rates(node.hourlyUsd);
        const onDemandRate = rates(node.onDemandHourlyUsd);
        const cpuRequest = pod.cpuRequestCores * (1 + pod.growthPerDay * day);
        // Some workloads burst above their request in the afternoon: charged on usage then.
        const cpuUsage = cpuRequest * diurnal(hour % 24) * (pod.workloadName === 'checkout' ? 1.4 : 1);
        const memoryUsage = pod.memoryRequestBytes * (0.5 + 0.1 * pod.replica);
        const cpuAllocated = Math.max(cpuRequest, cpuUsage);
        const memoryAllocated = Math.max(pod.memoryRequestBytes, memoryUsage);
        const cpuCost = cpuAllocated * rate.cpu;
        const memoryCost = (memoryAllocated / GIB) * rate.memory;
        const storageCost = (pod.storageGib * 0.1) / 730;
        const totalCost = cpuCost + memoryCost + storageCost;
        const onDemandCost = cpuAllocated * onDemandRate.cpu + (memoryAllocated / GIB) * onDemandRate.memory + storageCost;
        (charged[nodeIndex] as { cpu: number; memory: number }).cpu += cpuCost;
        (charged[nodeIndex] as { cpu: number; memory: number }).memory += memoryCost;
        // A pod is replaced every day (rollouts, CronJob runs): a new uid and name.
        const podName = pod.workloadName === '' ? `debug-${pod.replica}-${day}` : `${pod.workloadName}-${day.toString(36)}x${pod.replica}`;
        pods.push({
          cluster,
          namespace: pod.namespace,
          podUid: `${cluster}-${pod.namespace}-${podName}`,
          podName,
          container: 'app',
          nodeName: node.name,
          workloadKind: pod.workloadKind,
          workloadName: pod.workloadName,
          labels: { app: pod.workloadName || 'debug' },
          windowStart,
          windowSeconds: 3600,
          cpuRequestCores: cpuRequest,
          cpuUsageCoresAvg: cpuUsage,
          cpuAllocatedCores: cpuAllocated,
          memoryRequestBytes: pod.memoryRequestBytes,
          memoryUsageBytesAvg: memoryUsage,
          memoryWorkingSetMaxBytes: memoryUsage,
          memoryAllocatedBytes: memoryAllocated,
          gpuRequest: 0,
          gpuAllocated: 0,
          cpuCostUsd: cpuCost,
          memoryCostUsd: memoryCost,
          gpuCostUsd: 0,
          storageCostUsd: storageCost,
          networkCostUsd: 0,
          totalCostUsd: totalCost,
          onDemandCostUsd: onDemandCost,
          spotSavingsUsd: onDemandCost - totalCost,
          capacityType: node.capacityType,
          instanceType: 'm5.xlarge',
          region: cluster === 'prod-eu' ? 'eu-west-1' : 'us-east-1',
          priceSource: node.capacityType === 'SPOT' ? 'aws-spot' : 'aws-pricing',
          priceEffectiveFrom: start,
          flags: [],
          volumes: [],
        });
      });
      plan.nodes.forEach((node, index) => {
        const rate = rates(node.hourlyUsd);
        const cpuCost = CORES * rate.cpu;
        const memoryCost = (MEMORY_BYTES / GIB) * rate.memory;
        const used = charged[index] as { cpu: number; memory: number };
        nodes.push({
          cluster,
          nodeName: node.name,
          nodeUid: `${cluster}-${node.name}`,
          provider: 'aws',
          instanceType: 'm5.xlarge',
          region: cluster === 'prod-eu' ? 'eu-west-1' : 'us-east-1',
          zone: cluster === 'prod-eu' ? 'eu-west-1a' : 'us-east-1b',
          capacityType: node.capacityType,
          windowStart,
          windowSeconds: 3600,
          cpuCores: CORES,
          memoryBytes: MEMORY_BYTES,
          gpuCount: 0,
          cpuCostUsd: cpuCost,
          memoryCostUsd: memoryCost,
          gpuCostUsd: 0,
          costUsd: cpuCost + memoryCost,
          cpuAllocatedCostUsd: used.cpu,
          memoryAllocatedCostUsd: used.memory,
          gpuAllocatedCostUsd: 0,
          cpuIdleCostUsd: cpuCost - used.cpu,
          memoryIdleCostUsd: memoryCost - used.memory,
          gpuIdleCostUsd: 0,
          idleCostUsd: cpuCost - used.cpu + memoryCost - used.memory,
          onDemandCostUsd: node.onDemandHourlyUsd,
          spotSavingsUsd: node.onDemandHourlyUsd - (cpuCost + memoryCost),
          priceSource: node.capacityType === 'SPOT' ? 'aws-spot' : 'aws-pricing',
          priceEffectiveFrom: start,
          flags: [],
          providerId: null,
        });
      });
    }
    // Every other day at 14:00, one anomaly per scope, severities in turn.
    const namespaces = [...new Set(plan.pods.map((p) => p.namespace))];
    for (let day = 1; day < days; day += 2) {
      const windowStart = start + day * 24 * HOUR + 14 * HOUR;
      const namespace = namespaces[day % namespaces.length] as string;
      const workload = plan.pods.find((p) => p.namespace === namespace && p.workloadName !== '');
      if (!workload) continue;
      const severity = (['INFO', 'WARNING', 'CRITICAL'] as const)[day % 3] as 'INFO' | 'WARNING' | 'CRITICAL';
      const score = { INFO: 3.6, WARNING: 5.2, CRITICAL: 9.4 }[severity];
      for (const [scope, key, ns] of [
        ['WORKLOAD', `${namespace}/${workload.workloadKind}/${workload.workloadName}`, namespace],
        ['NAMESPACE', namespace, namespace],
        ['CLUSTER', cluster, ''],
      ] as const) {
        anomalies.push({
          cluster,
          scope,
          key,
          namespace: ns,
          windowStart,
          windowSeconds: 3600,
          observedHourlyUsd: 0.4,
          expectedHourlyUsd: 0.15,
          score,
          direction: 'UP',
          severity,
          baselineHours: 168,
          detectedAt: windowStart + HOUR,
        });
      }
    }
  }
  return { pods, nodes, anomalies };
}
