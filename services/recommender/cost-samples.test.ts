import { describe, expect, it } from 'vitest';
import type { PodCost } from '../codec/records.generated.js';
import { costSampleOf, costSampleProblem, targetOfCost } from './cost-samples.js';

const GIB = 1024 ** 3;
const base: PodCost = {
  cluster: 'prod', namespace: 'shop', podUid: 'u1', podName: 'web-7d9-abc', container: 'app', nodeName: 'n1', workloadKind: 'Deployment', workloadName: 'web', labels: {},
  windowStart: Date.UTC(2026, 5, 1), windowSeconds: 60, cpuRequestCores: 0.5, cpuUsageCoresAvg: 0.2, cpuAllocatedCores: 0.5, memoryRequestBytes: GIB, memoryUsageBytesAvg: 0.5 * GIB,
  memoryWorkingSetMaxBytes: 0.6 * GIB, memoryAllocatedBytes: GIB, gpuRequest: 0, gpuAllocated: 0, cpuCostUsd: 0.0003, memoryCostUsd: 0.00007, gpuCostUsd: 0, storageCostUsd: 0, networkCostUsd: 0,
  totalCostUsd: 0.00037, onDemandCostUsd: 0.00037, spotSavingsUsd: 0, capacityType: 'ON_DEMAND', instanceType: 'm5.large', region: 'us-east-1', priceSource: 'aws-pricing', priceEffectiveFrom: null, flags: [], volumes: [],
};

describe('priced windows as right-sizing input', () => {
  it('keys every replica of a workload to one container target, and a bare pod to itself', () => {
    expect(targetOfCost(base)).toEqual({ cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'web', container: 'app' });
    expect(targetOfCost({ ...base, workloadKind: '', workloadName: '' })).toEqual({ cluster: 'prod', namespace: 'shop', workloadKind: 'Pod', workloadName: 'web-7d9-abc', container: 'app' });
  });

  it('refuses a window priced without its pod state (UNKNOWN_POD): its workload is not known', () => {
    expect(() => targetOfCost({ ...base, workloadKind: '', workloadName: '', flags: ['UNKNOWN_POD'] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_POD' }));
  });

  it('reads the window peak, the average where a record predates the peak, and nothing from a gap', () => {
    expect(costSampleOf(base)?.observation.memoryPeakBytes).toBe(0.6 * GIB);
    expect(costSampleOf({ ...base, memoryWorkingSetMaxBytes: null })?.observation.memoryPeakBytes).toBe(0.5 * GIB);
    expect(costSampleOf({ ...base, flags: ['GAP'] })).toBeNull();
  });

  it.each([
    ['NaN CPU usage', { cpuUsageCoresAvg: Number.NaN }],
    ['negative CPU usage', { cpuUsageCoresAvg: -1 }],
    ['absurd CPU usage', { cpuUsageCoresAvg: 1e6 }],
    ['absurd memory peak', { memoryWorkingSetMaxBytes: 1e15 }],
    ['negative cost', { cpuCostUsd: -0.01 }],
    ['infinite cost', { memoryCostUsd: Number.POSITIVE_INFINITY }],
    ['absurd allocation', { cpuAllocatedCores: 1e9 }],
    ['NaN request', { memoryRequestBytes: Number.NaN }],
  ] as const)('refuses %s as OUT_OF_BOUNDS', (_what, change) => {
    const sample = costSampleOf({ ...base, ...change });
    expect(sample).not.toBeNull();
    expect(costSampleProblem(sample as NonNullable<typeof sample>)?.code).toBe('OUT_OF_BOUNDS');
  });

  it('takes a well-formed window, requests of 0 included (a container without requests)', () => {
    const sample = costSampleOf({ ...base, cpuRequestCores: 0, memoryRequestBytes: 0 });
    expect(costSampleProblem(sample as NonNullable<typeof sample>)).toBeNull();
  });
});
