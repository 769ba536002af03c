import type { CapacityType, CostAnomaly, NodeCost, PodCost, PriceUpdate } from '../../services/codec/records.generated.js';

// A small two-cluster estate, priced every 30 minutes for 32 hours from
// 2026-10-30T20:00Z: the windows cross two UTC midnights, so hourly and daily
// buckets, day-aligned and hour-aligned windows and unaligned ones all differ.
// Values vary per window and container so a wrong grouping or a dropped row
// changes every sum.

export const FIRST_WINDOW = Date.parse('2026-10-30T20:00:00Z');
export const WINDOW_SECONDS = 1800;
export const WINDOWS = 64;
/** The API clock in the tests: "24h" is then [2026-10-31T04:00Z, 2026-11-01T04:00Z). */
export const NOW = Date.parse('2026-11-01T03:30:00Z');

interface NodeSpec {
  cluster: string;
  name: string;
  capacityType: CapacityType;
  instanceType: string;
  priceSource: string;
}

interface ContainerSpec {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  node: string;
  workloadKind: string;
  workloadName: string;
  labels: Record<string, string>;
  cpuCores: number;
  memoryGib: number;
}

export const NODES: readonly NodeSpec[] = [
  { cluster: 'c1', name: 'n1', capacityType: 'ON_DEMAND', instanceType: 'm5.large', priceSource: 'aws-pricing' },
  { cluster: 'c1', name: 'n2', capacityType: 'SPOT', instanceType: 'm5.large', priceSource: 'aws-spot' },
  { cluster: 'c2', name: 'n3', capacityType: 'ON_DEMAND', instanceType: 'e2-standard-4', priceSource: 'default' },
];

const web = { app: 'frontend', team: 'web' };
export const CONTAINERS: readonly ContainerSpec[] = [
  { cluster: 'c1', namespace: 'web', pod: 'frontend-a', container: 'app', node: 'n1', workloadKind: 'Deployment', workloadName: 'frontend', labels: web, cpuCores: 0.5, memoryGib: 1 },
  { cluster: 'c1', namespace: 'web', pod: 'frontend-a', container: 'sidecar', node: 'n1', workloadKind: 'Deployment', workloadName: 'frontend', labels: web, cpuCores: 0.1, memoryGib: 0.25 },
  { cluster: 'c1', namespace: 'web', pod: 'frontend-b', container: 'app', node: 'n2', workloadKind: 'Deployment', workloadName: 'frontend', labels: web, cpuCores: 0.5, memoryGib: 1 },
  { cluster: 'c1', namespace: 'api', pod: 'db-0', container: 'postgres', node: 'n1', workloadKind: 'StatefulSet', workloadName: 'db', labels: { app: 'db', team: 'data' }, cpuCores: 1, memoryGib: 4 },
  { cluster: 'c1', namespace: 'api', pod: 'debug', container: 'shell', node: 'n2', workloadKind: '', workloadName: '', labels: {}, cpuCores: 0.05, memoryGib: 0.1 },
  { cluster: 'c2', namespace: 'web', pod: 'frontend-c', container: 'app', node: 'n3', workloadKind: 'Deployment', workloadName: 'frontend', labels: web, cpuCores: 0.5, memoryGib: 1 },
  { cluster: 'c2', namespace: 'batch', pod: 'agent-x', container: 'agent', node: 'n3', workloadKind: 'DaemonSet', workloadName: 'agent', labels: { app: 'agent' }, cpuCores: 0.2, memoryGib: 0.5 },
];

const GIB = 1024 ** 3;
const round = (value: number) => Math.round(value * 1e9) / 1e9;

/** The PodCost and NodeCost records of the estate (node cost = its containers' cost + idle, per resource). */
export function costRecords(): { pods: PodCost[]; nodes: NodeCost[] } {
  const pods: PodCost[] = [];
  const nodes: NodeCost[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const windowStart = FIRST_WINDOW + w * WINDOW_SECONDS * 1000;
    for (const node of NODES) {
      const spot = node.capacityType === 'SPOT';
      const on = CONTAINERS.filter((c) => c.node === node.name && c.cluster === node.cluster);
      const charged = { cpu: 0, memory: 0 };
      for (const [k, c] of on.entries()) {
        const wobble = 1 + ((w * 7 + k * 3) % 5) / 10;
        const usage = 0.4 + ((w + k) % 4) / 10;
        const cpuCost = round(c.cpuCores * 0.031611 * 0.5 * wobble * (spot ? 0.3 : 1));
        const memoryCost = round(c.memoryGib * 0.004237 * 0.5 * wobble * (spot ? 0.3 : 1));
        const storage = c.workloadKind === 'StatefulSet' ? round(0.0001 * wobble) : 0;
        const network = round(0.00002 * ((w + k) % 3));
        const total = round(cpuCost + memoryCost + storage + network);
        const onDemand = spot ? round(total / 0.3) : total;
        charged.cpu += cpuCost;
        charged.memory += memoryCost;
        pods.push({
          cluster: c.cluster,
          namespace: c.namespace,
          podUid: `${c.cluster}-${c.pod}-uid`,
          podName: c.pod,
          container: c.container,
          nodeName: c.node,
          workloadKind: c.workloadKind,
          workloadName: c.workloadName,
          labels: c.labels,
          windowStart,
          windowSeconds: WINDOW_SECONDS,
          cpuRequestCores: c.cpuCores,
          cpuUsageCoresAvg: round(c.cpuCores * usage),
          cpuAllocatedCores: c.cpuCores,
          memoryRequestBytes: c.memoryGib * GIB,
          memoryUsageBytesAvg: Math.round(c.memoryGib * GIB * usage),
          memoryWorkingSetMaxBytes: Math.round(c.memoryGib * GIB * usage),
          memoryAllocatedBytes: c.memoryGib * GIB,
          gpuRequest: 0,
          gpuAllocated: 0,
          cpuCostUsd: cpuCost,
          memoryCostUsd: memoryCost,
          gpuCostUsd: 0,
          storageCostUsd: storage,
          networkCostUsd: network,
          totalCostUsd: total,
          onDemandCostUsd: onDemand,
          spotSavingsUsd: round(onDemand - total),
          capacityType: node.capacityType,
          instanceType: node.instanceType,
          region: 'us-east-1',
          priceSource: node.priceSource,
          priceEffectiveFrom: node.priceSource === 'default' ? null : FIRST_WINDOW - 86_400_000,
          flags: [],
          volumes: [],
        });
      }
      const idleCpu = round(0.004 + 0.001 * (w % 3));
      const idleMemory = round(0.0007 + 0.0001 * (w % 4));
      const cost = charged.cpu + idleCpu + charged.memory + idleMemory;
      nodes.push({
        cluster: node.cluster,
        nodeName: node.name,
        nodeUid: `${node.cluster}-${node.name}-uid`,
        provider: node.priceSource === 'default' ? 'unknown' : 'aws',
        instanceType: node.instanceType,
        region: 'us-east-1',
        zone: 'us-east-1a',
        capacityType: node.capacityType,
        windowStart,
        windowSeconds: WINDOW_SECONDS,
        cpuCores: 2,
        memoryBytes: 8 * GIB,
        gpuCount: 0,
        cpuCostUsd: charged.cpu + idleCpu,
        memoryCostUsd: charged.memory + idleMemory,
        gpuCostUsd: 0,
        costUsd: cost,
        cpuAllocatedCostUsd: charged.cpu,
        memoryAllocatedCostUsd: charged.memory,
        gpuAllocatedCostUsd: 0,
        cpuIdleCostUsd: idleCpu,
        memoryIdleCostUsd: idleMemory,
        gpuIdleCostUsd: 0,
        idleCostUsd: idleCpu + idleMemory,
        onDemandCostUsd: node.capacityType === 'SPOT' ? cost / 0.3 : cost,
        spotSavingsUsd: node.capacityType === 'SPOT' ? cost / 0.3 - cost : 0,
        priceSource: node.priceSource,
        priceEffectiveFrom: node.priceSource === 'default' ? null : FIRST_WINDOW - 86_400_000,
        flags: node.priceSource === 'default' ? ['DEFAULT_PRICE'] : [],
        providerId: null,
      });
    }
  }
  return { pods, nodes };
}

/** Anomalies of each severity and scope, inside and outside a 7-day window ending at NOW. */
export function anomalyRecords(): CostAnomaly[] {
  const base = { windowSeconds: 3600, baselineHours: 168, direction: 'UP' as const };
  return [
    { ...base, cluster: 'c1', scope: 'WORKLOAD', key: 'web/Deployment/frontend', namespace: 'web', windowStart: Date.parse('2026-10-31T10:00:00Z'), observedHourlyUsd: 0.9, expectedHourlyUsd: 0.3, score: 7.5, severity: 'CRITICAL', detectedAt: Date.parse('2026-10-31T11:00:05Z') },
    { ...base, cluster: 'c1', scope: 'NAMESPACE', key: 'api', namespace: 'api', windowStart: Date.parse('2026-10-31T12:00:00Z'), observedHourlyUsd: 0.5, expectedHourlyUsd: 0.35, score: 4.1, severity: 'WARNING', detectedAt: Date.parse('2026-10-31T13:00:05Z') },
    { ...base, cluster: 'c2', scope: 'CLUSTER', key: 'c2', namespace: '', windowStart: Date.parse('2026-10-31T14:00:00Z'), observedHourlyUsd: 0.2, expectedHourlyUsd: 0.25, score: -3.2, severity: 'INFO', direction: 'DOWN', detectedAt: Date.parse('2026-10-31T15:00:05Z') },
    { ...base, cluster: 'c1', scope: 'WORKLOAD', key: 'api/StatefulSet/db', namespace: 'api', windowStart: Date.parse('2026-10-20T10:00:00Z'), observedHourlyUsd: 2, expectedHourlyUsd: 0.3, score: 12, severity: 'CRITICAL', detectedAt: Date.parse('2026-10-20T11:00:05Z') },
  ];
}

/** m5.large as the AWS Price List describes it: 2 vCPUs, 8 GiB, no GPU, x86. */
export const M5_LARGE_SHAPE = { vcpus: 2, memoryBytes: 8 * 1024 ** 3, gpus: 0, architecture: 'amd64' };

/**
 * Prices of two SKUs: m5.large on demand changed on 2026-10-31T00:00Z (seen
 * twice, the second observation must not duplicate it); a GCP-style SKU with
 * per-resource prices; a gp3 storage price.
 */
export function priceRecords(): PriceUpdate[] {
  const none = { zone: null, hourlyUsd: null, cpuCoreHourUsd: null, memoryGibHourUsd: null, gpuHourUsd: null, storageGibMonthUsd: null, networkGibUsd: null, discount: 0, sourceRef: null, vcpus: null, memoryBytes: null, gpus: null, architecture: null };
  const m5 = { ...none, provider: 'aws', region: 'us-east-1', kind: 'NODE' as const, sku: 'm5.large', capacityType: 'ON_DEMAND' as const, source: 'aws-pricing' };
  return [
    { ...m5, effectiveFrom: Date.parse('2026-09-01T00:00:00Z'), hourlyUsd: 0.096, observedAt: Date.parse('2026-10-30T00:00:00Z') },
    // From PriceUpdate v2 on, the collector also says the instance type's shape.
    { ...m5, ...M5_LARGE_SHAPE, effectiveFrom: Date.parse('2026-10-31T00:00:00Z'), hourlyUsd: 0.09, observedAt: Date.parse('2026-10-31T00:05:00Z') },
    { ...m5, ...M5_LARGE_SHAPE, effectiveFrom: Date.parse('2026-10-31T00:00:00Z'), hourlyUsd: 0.09, observedAt: Date.parse('2026-10-31T06:05:00Z') },
    {
      ...none,
      provider: 'gcp',
      region: 'europe-west1',
      kind: 'NODE',
      sku: 'e2-standard-4',
      capacityType: 'ON_DEMAND',
      cpuCoreHourUsd: 0.021811,
      memoryGibHourUsd: 0.002923,
      source: 'gcp-catalog',
      effectiveFrom: Date.parse('2026-10-01T00:00:00Z'),
      observedAt: Date.parse('2026-10-31T01:00:00Z'),
    },
    {
      ...none,
      provider: 'gcp',
      region: 'europe-west1',
      kind: 'STORAGE',
      sku: 'standard-rwo',
      capacityType: 'UNKNOWN',
      storageGibMonthUsd: 0.048,
      source: 'gcp-catalog',
      effectiveFrom: Date.parse('2026-10-01T00:00:00Z'),
      observedAt: Date.parse('2026-10-31T01:00:00Z'),
    },
  ];
}
