import type { CostAnomaly, NodeCost, PodCost } from '../../services/codec/records.generated.js';

/** 2024-03-10T00:00:00Z: windows in tests start from this fixed event time. */
export const DAY_START = Date.UTC(2024, 2, 10);
export const MINUTE = 60_000;

/**
 * A complete PodCost for one container-window; per-resource costs add up to
 * totalCostUsd as the processor's records do.
 */
export function podCost(fields: Partial<PodCost> & Pick<PodCost, 'podUid' | 'podName'>): PodCost {
  const cpu = fields.cpuCostUsd ?? 0.001;
  const memory = fields.memoryCostUsd ?? 0.0005;
  const storage = fields.storageCostUsd ?? 0;
  const total = fields.totalCostUsd ?? cpu + memory + storage;
  return {
    cluster: 'prod',
    namespace: 'shop',
    container: 'app',
    nodeName: 'node-a',
    workloadKind: 'Deployment',
    workloadName: 'web',
    labels: { app: 'web' },
    windowStart: DAY_START,
    windowSeconds: 60,
    cpuRequestCores: 0.5,
    cpuUsageCoresAvg: 0.25,
    cpuAllocatedCores: 0.5,
    memoryRequestBytes: 2 ** 30,
    memoryUsageBytesAvg: 2 ** 29,
    memoryWorkingSetMaxBytes: 2 ** 29,
    memoryAllocatedBytes: 2 ** 30,
    gpuRequest: 0,
    gpuAllocated: 0,
    gpuCostUsd: 0,
    networkCostUsd: 0,
    onDemandCostUsd: total,
    spotSavingsUsd: 0,
    capacityType: 'ON_DEMAND',
    instanceType: 'm5.large',
    region: 'eu-west-1',
    priceSource: 'aws-pricing',
    priceEffectiveFrom: DAY_START - 86_400_000,
    flags: [],
    volumes: [],
    ...fields,
    cpuCostUsd: cpu,
    memoryCostUsd: memory,
    storageCostUsd: storage,
    totalCostUsd: total,
  };
}

/** A complete NodeCost for one node-window: allocated + idle = cost per resource. */
export function nodeCost(fields: Partial<NodeCost> & Pick<NodeCost, 'nodeName'>): NodeCost {
  const cpuIdle = fields.cpuIdleCostUsd ?? 0.0004;
  const memoryIdle = fields.memoryIdleCostUsd ?? 0.0002;
  const gpuIdle = fields.gpuIdleCostUsd ?? 0;
  const cpuAllocated = fields.cpuAllocatedCostUsd ?? 0.0012;
  const memoryAllocated = fields.memoryAllocatedCostUsd ?? 0.0006;
  const gpuAllocated = fields.gpuAllocatedCostUsd ?? 0;
  const cost = cpuIdle + memoryIdle + gpuIdle + cpuAllocated + memoryAllocated + gpuAllocated;
  return {
    cluster: 'prod',
    nodeUid: `uid-${fields.nodeName}`,
    provider: 'aws',
    instanceType: 'm5.large',
    region: 'eu-west-1',
    zone: 'eu-west-1a',
    capacityType: 'ON_DEMAND',
    windowStart: DAY_START,
    windowSeconds: 60,
    cpuCores: 2,
    memoryBytes: 8 * 2 ** 30,
    gpuCount: 0,
    cpuCostUsd: cpuIdle + cpuAllocated,
    memoryCostUsd: memoryIdle + memoryAllocated,
    gpuCostUsd: gpuIdle + gpuAllocated,
    onDemandCostUsd: cost,
    spotSavingsUsd: 0,
    priceSource: 'aws-pricing',
    priceEffectiveFrom: null,
    flags: [],
    providerId: null,
    ...fields,
    cpuIdleCostUsd: cpuIdle,
    memoryIdleCostUsd: memoryIdle,
    gpuIdleCostUsd: gpuIdle,
    cpuAllocatedCostUsd: cpuAllocated,
    memoryAllocatedCostUsd: memoryAllocated,
    gpuAllocatedCostUsd: gpuAllocated,
    idleCostUsd: cpuIdle + memoryIdle + gpuIdle,
    costUsd: cost,
  };
}

/** A complete CostAnomaly for one scored hour. */
export function costAnomaly(fields: Partial<CostAnomaly> & Pick<CostAnomaly, 'key' | 'score'>): CostAnomaly {
  return {
    cluster: 'prod',
    scope: 'WORKLOAD',
    namespace: 'shop',
    windowStart: DAY_START,
    windowSeconds: 3600,
    observedHourlyUsd: 4,
    expectedHourlyUsd: 1,
    direction: fields.score < 0 ? 'DOWN' : 'UP',
    severity: 'WARNING',
    baselineHours: 168,
    detectedAt: DAY_START + 3_600_000,
    ...fields,
  };
}
