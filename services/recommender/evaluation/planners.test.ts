import { describe, expect, it } from 'vitest';
import { KCOST_STRATEGY, KRR_SIMPLE_STRATEGY, VPA_STRATEGY } from '../strategy.js';
import { krrReferencePlanner, linearPercentile, strategyPlanner } from './planners.js';
import type { AppliedSpec, Workload } from './workloads.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const SPEC: AppliedSpec = { cpuRequestCores: 2, cpuLimitCores: 2, memoryRequestBytes: 2 * GIB, memoryLimitBytes: 2 * GIB, hpaTargetUtilizationPercent: null };
const workload = { name: 'w', hpa: null } as unknown as Workload;

function feed(planner: ReturnType<typeof krrReferencePlanner>, minutes: number, cpu: (m: number) => number, memory: number): void {
  for (let m = 0; m < minutes; m++) planner.observe({ minute: m, podUid: 'p', cpuCores: cpu(m), memoryPeakBytes: memory, spec: SPEC, replicas: 1 });
}

describe('linearPercentile', () => {
  it('interpolates between ranks like numpy.percentile', () => {
    expect(linearPercentile([4, 1, 3, 2], 95)).toBeCloseTo(3.85, 12);
    expect(linearPercentile([5], 95)).toBe(5);
    expect(linearPercentile([1, 2], 50)).toBe(1.5);
    expect(Number.isNaN(linearPercentile([], 50))).toBe(true);
  });
});

describe('krrReferencePlanner', () => {
  it('sets CPU to the p95, removes the CPU limit, and memory request = limit = max + 15 %', () => {
    const krr = krrReferencePlanner(workload);
    feed(krr, 1000, (m) => (m % 100 < 95 ? 0.2 : 1), 500 * MIB);
    const spec = krr.plan(1000, SPEC, 1);
    expect(spec.cpuRequestCores).toBeCloseTo(Math.ceil(linearPercentile(Array.from({ length: 1000 }, (_, m) => (m % 100 < 95 ? 0.2 : 1)), 95) * 1000) / 1000, 9);
    expect(spec.cpuLimitCores).toBeNull();
    expect(spec.memoryRequestBytes).toBe(Math.ceil(500 * MIB * 1.15));
    expect(spec.memoryLimitBytes).toBe(spec.memoryRequestBytes);
  });

  it('needs 100 points and reads only the last 336 hours', () => {
    const krr = krrReferencePlanner(workload);
    feed(krr, 99, () => 0.1, 100 * MIB);
    expect(krr.plan(99, SPEC, 1)).toBe(SPEC);
    const old = krrReferencePlanner(workload);
    feed(old, 400 * 60, (m) => (m < 60 ? 8 : 0.1), 100 * MIB);
    expect(old.plan(400 * 60, SPEC, 1).cpuRequestCores).toBe(0.1);
  });

  it('leaves CPU alone where an HPA scales on it', () => {
    const krr = krrReferencePlanner({ name: 'h', hpa: { minReplicas: 1, maxReplicas: 5 } } as unknown as Workload);
    feed(krr, 200, () => 0.1, 100 * MIB);
    const spec = krr.plan(200, { ...SPEC, hpaTargetUtilizationPercent: 60 }, 3);
    expect(spec.cpuRequestCores).toBe(2);
    expect(spec.memoryRequestBytes).toBe(Math.ceil(100 * MIB * 1.15));
  });
});

describe('the krr-simple preset against the reference', () => {
  it('lands within one histogram bucket above the exact p95 and exactly on max + 15 %', () => {
    const exact = krrReferencePlanner(workload);
    const preset = strategyPlanner(KRR_SIMPLE_STRATEGY, workload);
    // A spread of CPU from 0.05 to 2 cores over two days.
    const cpu = (m: number) => 0.05 + ((m * 7919) % 1000) / 500;
    for (let m = 0; m < 2 * 24 * 60; m++) {
      const o = { minute: m, podUid: 'p', cpuCores: cpu(m), memoryPeakBytes: 300 * MIB + (m % 50) * MIB, spec: SPEC, replicas: 1 };
      exact.observe(o);
      preset.observe(o);
    }
    const a = exact.plan(2 * 24 * 60, SPEC, 1);
    const b = preset.plan(2 * 24 * 60, SPEC, 1);
    expect(b.cpuRequestCores).toBeGreaterThanOrEqual(a.cpuRequestCores - 0.001);
    expect(b.cpuRequestCores).toBeLessThanOrEqual(a.cpuRequestCores * 1.05 + 0.002);
    // The preset rounds memory up to whole MiB.
    expect(Math.abs(b.memoryRequestBytes - a.memoryRequestBytes)).toBeLessThan(MIB);
    expect(b.cpuLimitCores).toBeNull();
    expect(b.memoryLimitBytes).toBe(b.memoryRequestBytes);
  });
});

describe('strategyPlanner', () => {
  it("applies the core's CHANGE advice and keeps a spec the advice keeps", () => {
    const planner = strategyPlanner(VPA_STRATEGY, workload);
    for (let m = 0; m < 2 * 24 * 60; m++) planner.observe({ minute: m, podUid: 'p', cpuCores: 0.5, memoryPeakBytes: GIB, spec: SPEC, replicas: 1 });
    const next = planner.plan(2 * 24 * 60, SPEC, 1);
    expect(next.cpuRequestCores).toBeLessThan(1);
    // VPA keeps the limit/request ratio (1 here).
    expect(next.cpuLimitCores).toBe(next.cpuRequestCores);
    expect(next.memoryLimitBytes).toBe(next.memoryRequestBytes);
    expect(planner.plan(2 * 24 * 60 + 1, next, 1)).toBe(next);
  });

  it('gives nothing before the strategy has enough history', () => {
    const planner = strategyPlanner(KCOST_STRATEGY, workload);
    for (let m = 0; m < 60 * 12; m++) planner.observe({ minute: m, podUid: 'p', cpuCores: 0.5, memoryPeakBytes: GIB, spec: SPEC, replicas: 1 });
    expect(planner.plan(60 * 12, SPEC, 1)).toBe(SPEC);
  });
});
