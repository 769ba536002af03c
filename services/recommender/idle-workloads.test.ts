import { describe, expect, it } from 'vitest';
import { recommendation } from '../../test/fixtures/storage/recommendations.js';
import type { Recommendation } from './recommendation.js';
import { ContainerAdviceTable, idleWorkloadOf } from './idle-workloads.js';

const MIB = 1_048_576;
const T = Date.UTC(2026, 11, 6, 12);
const idleCpu = { percentiles: { p50: 0.01, p90: 0.01, p95: 0.01, p99: 0.0205, max: 0.012 } };
const flatMemory = { percentiles: { p50: 200 * MIB, p90: 205 * MIB, p95: 210 * MIB, p99: 210 * MIB, max: 220 * MIB } };

/** A container record of shop/Deployment/checkout (the fixture prices it at 120.5 USD a month today). */
function container(name: string, o: { cpu?: object; memory?: object; confidence?: number; generatedAt?: number } = {}): Recommendation {
  const r = recommendation({ target: { container: name }, generatedAt: o.generatedAt ?? T, cpu: o.cpu ?? idleCpu, memory: o.memory ?? flatMemory });
  return { ...r, confidence: o.confidence ?? 1 };
}

function judge(records: Recommendation[]): Recommendation | null {
  const table = new ContainerAdviceTable();
  for (const r of records) table.apply(r.key, r);
  const [only] = table.workloads();
  if (!only) throw new Error('no workload');
  return idleWorkloadOf(only[0], only[1]);
}

describe('idleWorkloadOf', () => {
  it.each([
    { name: 'every container near zero and flat over the window: idle', records: [container('app'), container('sidecar')], idle: true },
    { name: 'one container busy (p95 in the second CPU bucket): not idle', records: [container('app'), container('sidecar', { cpu: { percentiles: { ...idleCpu.percentiles, p95: 0.0205 } } })], idle: false },
    { name: 'memory not flat (a daily peak 1.5 x the median): not idle', records: [container('app', { memory: { percentiles: { ...flatMemory.percentiles, max: 300 * MIB } } })], idle: false },
    { name: 'history under 90 % of the window: not yet', records: [container('app', { confidence: 0.8 })], idle: false },
  ])('$name', ({ records, idle }) => {
    const advice = judge(records);
    if (!idle) {
      expect(advice).toBeNull();
      return;
    }
    expect(advice).toMatchObject({
      kind: 'IDLE_WORKLOAD',
      key: 'prod-eu/shop/Deployment/checkout',
      generatedAt: T,
      reasons: ['IDLE'],
      workloadResources: null,
      // Two containers at 120.5 USD a month each: the whole workload goes.
      saving: { currentMonthlyUsd: 241, recommendedMonthlyUsd: 0, monthlySavingsUsd: 241, priceSources: ['aws-pricing'] },
      idleWorkload: {
        target: { cluster: 'prod-eu', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'checkout' },
        replicas: 3,
        supersedes: ['prod-eu/shop/Deployment/checkout/app', 'prod-eu/shop/Deployment/checkout/sidecar'],
        containers: [
          { container: 'app', cpuP95Cores: 0.01, cpuRequestCores: 1, memoryP50Bytes: 200 * MIB, memoryMaxBytes: 220 * MIB },
          { container: 'sidecar', cpuP95Cores: 0.01 },
        ],
      },
    });
  });

  it('reads the newest record per container, and forgets a container on its tombstone', () => {
    const table = new ContainerAdviceTable();
    const busy = container('app', { cpu: { percentiles: { ...idleCpu.percentiles, p95: 0.5 } }, generatedAt: T + 1 });
    table.apply(busy.key, busy);
    table.apply(busy.key, container('app'));
    const [[key, containers] = ['', []]] = table.workloads();
    expect(idleWorkloadOf(key, containers)).toBeNull();
    table.apply(busy.key, null);
    expect(table.workloads()).toEqual([]);
  });

  it('knows which workloads have idle advice on the topic, until its tombstone', () => {
    const table = new ContainerAdviceTable();
    const advice = judge([container('app')]) as Recommendation;
    table.apply(advice.key, advice);
    expect([table.hasIdleAdvice('prod-eu/shop/Deployment/checkout'), table.idleAdviceKeys(), table.workloads()]).toEqual([true, ['prod-eu/shop/Deployment/checkout'], []]);
    table.apply(advice.key, null);
    expect(table.idleAdviceKeys()).toEqual([]);
  });
});
