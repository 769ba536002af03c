import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCodec } from '../codec/create-codec.js';
import { KcostError } from '../errors/kcost-error.js';
import { ContainerHistory } from './container-history.js';
import { bucketOf, bucketStart, CPU_BUCKETS } from './histogram.js';
import { recommend, type ContainerState } from './recommend.js';
import type { Recommendation, WorkloadResources } from './recommendation.js';
import { Recommender } from './recommender.js';
import { compileStrategy, historyOptionsOf, KCOST_STRATEGY, KRR_SIMPLE_STRATEGY, VPA_STRATEGY, windowIntervals, type Strategy } from './strategy.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const RATES = { cpuCoreHourUsd: 0.031611, memoryGibHourUsd: 0.004237, cpuPriceSource: 'default', memoryPriceSource: 'default' };
const TARGET = { cluster: 'c1', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'web', container: 'app' };

function state(overrides: Partial<ContainerState> = {}): ContainerState {
  return {
    target: TARGET,
    replicas: 2,
    containersPerPod: 1,
    cpuRequestCores: 1,
    cpuLimitCores: null,
    memoryRequestBytes: 2 * GIB,
    memoryLimitBytes: 2 * GIB,
    restartCount: 0,
    hpa: null,
    ...overrides,
  };
}

/** `days` of one-minute samples at a flat `cpu` cores and `memory` bytes from one pod. */
function flatHistory(strategy: Strategy, days: number, cpu: number, memory: number, request = 1): ContainerHistory {
  const history = new ContainerHistory(historyOptionsOf(strategy));
  for (let m = 0; m < days * 24 * 60; m++) history.addUsage({ podUid: 'p1', windowStart: T0 + m * MIN, windowSeconds: 60, cpuCores: cpu, memoryPeakBytes: memory, cpuRequestCores: request });
  return history;
}

/** A WORKLOAD_RESOURCES recommendation with its detail spread in, for short assertions. */
function flat(rec: Recommendation): Recommendation & WorkloadResources {
  if (!rec.workloadResources) throw new Error(`no workload detail in a ${rec.kind} recommendation`);
  return { ...rec, ...rec.workloadResources };
}

function run(strategy: Strategy, history: ContainerHistory, s: ContainerState, now = T0 + 7 * DAY) {
  return flat(recommend({ history: history.window(now, windowIntervals(strategy)), state: s, rates: RATES, strategy, nowMillis: now }));
}

describe('recommend', () => {
  it('cuts an over-provisioned container to the percentile plus margin, and prices the saving', () => {
    const rec = run(KCOST_STRATEGY, flatHistory(KCOST_STRATEGY, 7, 0.2, 500 * MIB), state());
    expect(rec.cpu.action).toBe('CHANGE');
    // 0.2 cores lands in a bucket ending within 5 % above it; +10 % margin.
    expect(rec.cpu.recommendedRequest).toBeGreaterThanOrEqual(0.22);
    const bucketEnd = bucketStart(CPU_BUCKETS, bucketOf(CPU_BUCKETS, 0.2) + 1);
    expect(rec.cpu.recommendedRequest).toBeCloseTo(Math.ceil(bucketEnd * 1.1 * 1000) / 1000, 9);
    expect(rec.cpu.recommendedLimit).toBeNull();
    expect(rec.cpu.reasons).toEqual(['OVER_PROVISIONED']);
    expect(rec.memory.recommendedLimit).toBeGreaterThanOrEqual(500 * MIB * 1.2);
    expect(rec.memory.recommendedLimit).toBeGreaterThanOrEqual(rec.memory.recommendedRequest ?? Number.POSITIVE_INFINITY);
    const perReplica = (c: number, m: number) => 730 * (c * RATES.cpuCoreHourUsd + (m / GIB) * RATES.memoryGibHourUsd);
    expect(rec.saving.currentMonthlyUsd).toBeCloseTo(2 * perReplica(1, 2 * GIB), 9);
    expect(rec.saving.recommendedMonthlyUsd).toBeCloseTo(2 * perReplica(rec.cpu.recommendedRequest ?? 0, rec.memory.recommendedRequest ?? 0), 9);
    expect(rec.saving.monthlySavingsUsd).toBeGreaterThan(0);
    expect(rec.key).toBe('c1/shop/Deployment/web/app');
    expect(rec.kind).toBe('WORKLOAD_RESOURCES');
    expect(rec.confidence).toBeCloseTo(0.5, 2);
    expect(rec.saving.priceSources).toEqual(['cpu:default', 'memory:default']);
    // The CPU request is more than halved on half the window's history.
    expect(rec.risk).toBe('MEDIUM');
  });

  it('calls a cut on little history HIGH risk', () => {
    const rec = run(KCOST_STRATEGY, flatHistory(KCOST_STRATEGY, 1.5, 0.5, 5e8), state({ cpuRequestCores: 0.8 }), T0 + 36 * HOUR);
    expect(rec.cpu.action).toBe('CHANGE');
    expect(rec.confidence).toBeLessThan(0.25);
    expect(rec.risk).toBe('HIGH');
  });

  it('keeps what is within the minimum change', () => {
    const rec = run(KRR_SIMPLE_STRATEGY, flatHistory(KRR_SIMPLE_STRATEGY, 3, 0.97, (2 * GIB) / 1.15), state({ cpuRequestCores: 1, memoryRequestBytes: 2 * GIB }));
    expect(rec.cpu.action).toBe('KEEP');
    expect(rec.cpu.recommendedRequest).toBe(1);
    expect(rec.cpu.lowerBound).toBeGreaterThan(0.9);
    expect(rec.memory.action).toBe('KEEP');
    expect(rec.reasons).toEqual([]);
  });

  it('says INSUFFICIENT_HISTORY and how much is needed instead of guessing', () => {
    const rec = run(KCOST_STRATEGY, flatHistory(KCOST_STRATEGY, 0.5, 0.2, 5e8), state(), T0 + 12 * HOUR);
    expect(rec.cpu.action).toBe('NONE');
    expect(rec.reasons).toContain('INSUFFICIENT_HISTORY');
    expect(rec.cpu.recommendedRequest).toBe(1);
    expect(rec.evidence.requiredHistoryHours).toBe(24);
    expect(rec.evidence.historyHours).toBeLessThan(24);
    expect(rec.saving.monthlySavingsUsd).toBe(0);
  });

  it('recommends requests for a container that has none, with NO_REQUESTS', () => {
    const rec = run(VPA_STRATEGY, flatHistory(VPA_STRATEGY, 2, 0.3, 4e8), state({ cpuRequestCores: null, memoryRequestBytes: null, memoryLimitBytes: null }));
    expect(rec.cpu.reasons).toContain('NO_REQUESTS');
    expect(rec.cpu.action).toBe('CHANGE');
    expect(rec.cpu.recommendedRequest).toBeGreaterThan(0.3);
    expect(rec.memory.recommendedRequest).toBeGreaterThan(4e8);
  });

  it('applies the per-pod floors, shared among the containers', () => {
    const rec = run(VPA_STRATEGY, flatHistory(VPA_STRATEGY, 2, 0.001, 1e6), state({ containersPerPod: 2 }));
    expect(rec.cpu.recommendedRequest).toBeCloseTo(0.0125 + 0.0005, 3);
    expect(rec.memory.recommendedRequest).toBe(125 * MIB);
  });

  it('raises memory at once after an OOM kill and says OOM_KILLED', () => {
    const recommender = new Recommender(KCOST_STRATEGY);
    for (let m = 0; m < 3 * 24 * 60; m++) recommender.observeUsage('k', { podUid: 'p1', windowStart: T0 + m * MIN, windowSeconds: 60, cpuCores: 0.2, memoryPeakBytes: 900 * MIB, cpuRequestCores: 1 });
    const s = state({ memoryRequestBytes: GIB, memoryLimitBytes: GIB });
    const now = T0 + 3 * DAY;
    const before = flat(recommender.recommend('k', s, RATES, now));
    expect(recommender.observeTermination('k', { podUid: 'p1', reason: 'OOMKilled', finishedAt: now - MIN, memoryRequestBytes: GIB, memoryLimitBytes: GIB })).toBe('accepted');
    expect(recommender.observeTermination('k', { podUid: 'p1', reason: 'Error', finishedAt: now, memoryRequestBytes: GIB, memoryLimitBytes: GIB })).toBe('ignored');
    const after = flat(recommender.recommend('k', s, RATES, now));
    expect(after.memory.reasons).toContain('OOM_KILLED');
    expect(after.memory.recommendedLimit).toBeGreaterThanOrEqual(GIB * 1.2);
    expect(after.memory.recommendedLimit).toBeGreaterThan(before.memory.recommendedLimit ?? 0);
    expect(after.evidence.oomKills).toBe(1);
  });

  it('restores from a snapshot to the same recommendation', () => {
    const a = new Recommender(VPA_STRATEGY);
    for (let m = 0; m < 2 * 24 * 60; m += 5) a.observeUsage('k', { podUid: `p${m % 3}`, windowStart: T0 + m * MIN, windowSeconds: 300, cpuCores: 0.1 + (m % 7) / 10, memoryPeakBytes: 3e8 + m * 1000, cpuRequestCores: 0.5 });
    const b = new Recommender(VPA_STRATEGY);
    b.restore('k', JSON.parse(JSON.stringify(a.snapshot('k'))) as ReturnType<Recommender['snapshot']>);
    expect(b.recommend('k', state(), RATES, T0 + 2 * DAY)).toEqual(a.recommend('k', state(), RATES, T0 + 2 * DAY));
    b.restore('k', null);
    expect(b.keys()).toEqual([]);
  });
});

describe('recommend with an HPA on CPU utilization', () => {
  // Replicas run at the HPA's 50 % of a 1-core request: about 0.5 cores each.
  const hpa = { minReplicas: 2, maxReplicas: 20, metrics: [{ resource: 'cpu' as const, targetUtilizationPercent: 50 }], loadMetrics: [] };
  const busy = (strategy: Strategy) => flatHistory(strategy, 7, 0.5, 5e8);

  it("'retarget' proposes request and target together so that the replica count stays", () => {
    const rec = run(KCOST_STRATEGY, busy(KCOST_STRATEGY), state({ replicas: 6, hpa }));
    const request = rec.cpu.recommendedRequest ?? 0;
    const target = rec.hpa[0]?.recommendedTargetUtilizationPercent ?? 0;
    expect(request).toBeLessThan(1);
    expect(rec.cpu.reasons).toEqual(expect.arrayContaining(['HPA_MANAGED', 'OVER_PROVISIONED']));
    // target × request (the load per replica at which the HPA scales) is unchanged, to the millicore.
    expect((target / 100) * request).toBeGreaterThanOrEqual(0.5);
    expect((target / 100) * request).toBeLessThan(0.5 + 0.001);
    expect(rec.pricing.replicasAfter).toBe(6);
  });

  it("'leave' leaves that resource alone and says so", () => {
    const rec = run(KRR_SIMPLE_STRATEGY, busy(KRR_SIMPLE_STRATEGY), state({ replicas: 6, hpa }));
    expect(rec.cpu.action).toBe('NONE');
    expect(rec.cpu.reasons).toEqual(['HPA_MANAGED']);
    expect(rec.memory.action).toBe('CHANGE');
  });

  it("'ignore' proposes the request alone and prices the replicas the HPA will add", () => {
    const rec = run(VPA_STRATEGY, busy(VPA_STRATEGY), state({ replicas: 6, hpa }));
    const request = rec.cpu.recommendedRequest ?? 0;
    expect(rec.hpa[0]?.recommendedTargetUtilizationPercent).toBeNull();
    expect(rec.pricing.replicasAfter).toBe(Math.ceil(6 / request - 1e-9));
  });

  it("treats 'retarget' as 'leave' where the HPA also scales on load metrics, and says why in the note", () => {
    const withLoad = { ...hpa, loadMetrics: ['External queue_depth', 'Pods requests_per_second'] };
    const rec = run(KCOST_STRATEGY, busy(KCOST_STRATEGY), state({ replicas: 6, hpa: withLoad }));
    expect(rec.cpu.action).toBe('NONE');
    expect(rec.cpu.recommendedRequest).toBe(1);
    expect(rec.cpu.reasons).toEqual(['HPA_MANAGED']);
    expect(rec.hpa).toEqual([expect.objectContaining({ resource: 'cpu', currentTargetUtilizationPercent: 50, recommendedTargetUtilizationPercent: null })]);
    expect(rec.hpa[0]?.note).toMatch(/External queue_depth, Pods requests_per_second.*does not move/);
    // Memory has no HPA metric: advised as without an HPA.
    expect(rec.memory.action).toBe('CHANGE');
    expect(rec.pricing.replicasAfter).toBe(6);
  });

  it("'ignore' still proposes the request, and its note says the load metrics share the decision", () => {
    const rec = run(VPA_STRATEGY, busy(VPA_STRATEGY), state({ replicas: 6, hpa: { ...hpa, loadMetrics: ['Object hits'] } }));
    expect(rec.cpu.action).toBe('CHANGE');
    expect(rec.hpa[0]?.note).toMatch(/Object hits/);
  });
});

describe('recommend with an HPA on memory utilization', () => {
  it("retargets memory the same way: target × request stays", () => {
    const hpa = { minReplicas: 1, maxReplicas: 10, metrics: [{ resource: 'memory' as const, targetUtilizationPercent: 50 }], loadMetrics: [] };
    const rec = run(KCOST_STRATEGY, flatHistory(KCOST_STRATEGY, 7, 0.2, GIB), state({ replicas: 4, memoryRequestBytes: 2 * GIB, memoryLimitBytes: 4 * GIB, hpa }));
    const advice = rec.hpa.find((h) => h.resource === 'memory');
    const request = rec.memory.recommendedRequest ?? 0;
    expect(rec.memory.reasons).toContain('HPA_MANAGED');
    expect(advice?.recommendedTargetUtilizationPercent).toBeGreaterThan(50);
    expect(((advice?.recommendedTargetUtilizationPercent ?? 0) / 100) * request).toBeGreaterThanOrEqual(GIB);
    expect(((advice?.recommendedTargetUtilizationPercent ?? 0) / 100) * request).toBeLessThan(GIB + 2 * MIB);
    // CPU has no HPA metric: sized as usual.
    expect(rec.cpu.reasons).not.toContain('HPA_MANAGED');
    expect(rec.pricing.replicasAfter).toBe(4);
  });
});

describe('compileStrategy', () => {
  it('gives presets by name and validates overrides', () => {
    expect(compileStrategy('vpa')).toEqual(VPA_STRATEGY);
    expect(compileStrategy().name).toBe('kcost');
    expect(compileStrategy('kcost', { cpuRequestPercentile: 0.99 }).cpuRequestPercentile).toBe(0.99);
    expect(() => compileStrategy('goldilocks')).toThrow(KcostError);
    expect(() => compileStrategy('vpa', { cpuRequestPercentile: 1.5 })).toThrow(/cpuRequestPercentile/);
    expect(() => compileStrategy('vpa', { halfLifeHours: Number.NaN })).toThrow(/halfLifeHours/);
    expect(Object.isFrozen(compileStrategy('krr-simple'))).toBe(true);
  });
});

describe('recommend on any input', () => {
  const anyNumber = fc.oneof(fc.double(), fc.constant(Number.NaN), fc.constant(-1), fc.constant(0), fc.double({ min: 0, max: 1e12, noNaN: true }));
  const maybe = fc.option(anyNumber, { nil: null });
  it('never returns NaN, Infinity or a negative value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(KCOST_STRATEGY, VPA_STRATEGY, KRR_SIMPLE_STRATEGY),
        fc.array(fc.record({ minute: fc.integer({ min: 0, max: 3 * 24 * 60 }), cpu: anyNumber, memory: anyNumber, request: anyNumber, pod: fc.constantFrom('a', 'b') }), { maxLength: 300 }),
        fc.record({ replicas: anyNumber, containersPerPod: anyNumber, cpuRequestCores: maybe, cpuLimitCores: maybe, memoryRequestBytes: maybe, memoryLimitBytes: maybe, restartCount: anyNumber }),
        fc.option(fc.record({ minReplicas: fc.integer({ min: 1, max: 5 }), maxReplicas: fc.integer({ min: 1, max: 50 }), target: fc.integer({ min: 1, max: 200 }), resource: fc.constantFrom('cpu' as const, 'memory' as const), load: fc.boolean() }), { nil: null }),
        (strategy, samples, spec, hpa) => {
          const history = new ContainerHistory(historyOptionsOf(strategy));
          for (const s of [...samples].sort((x, y) => x.minute - y.minute)) {
            history.addUsage({ podUid: s.pod, windowStart: T0 + s.minute * MIN, windowSeconds: 60, cpuCores: s.cpu, memoryPeakBytes: s.memory, cpuRequestCores: s.request });
          }
          const rec = run(strategy, history, state({ ...spec, hpa: hpa && { minReplicas: hpa.minReplicas, maxReplicas: hpa.maxReplicas, metrics: [{ resource: hpa.resource, targetUtilizationPercent: hpa.target }], loadMetrics: hpa.load ? ['External queue_depth'] : [] } }), T0 + 3 * DAY);
          const numbers: number[] = [];
          const collect = (value: unknown): void => {
            if (typeof value === 'number') numbers.push(value);
            else if (value && typeof value === 'object') for (const v of Object.values(value)) collect(v);
          };
          collect({ cpu: rec.cpu, memory: rec.memory, hpa: rec.hpa, confidence: rec.confidence, pricing: rec.pricing, evidence: { ...rec.evidence, firstSampleAt: 0, lastSampleAt: 0 } });
          collect({ ...rec.saving, monthlySavingsUsd: Math.abs(rec.saving.monthlySavingsUsd) });
          for (const n of numbers) {
            expect(Number.isFinite(n)).toBe(true);
            expect(n).toBeGreaterThanOrEqual(0);
          }
          expect(rec.confidence).toBeLessThanOrEqual(1);
          // Plain JSON, as it will travel: nothing lost on the way.
          expect(JSON.parse(JSON.stringify(rec))).toEqual(rec);
          records.push(recommend({ history: history.window(T0 + 3 * DAY, windowIntervals(strategy)), state: state(), rates: RATES, strategy, nowMillis: T0 + 3 * DAY }));
        },
      ),
      { numRuns: 200 },
    );
  });

  // Every record the property above produced, encoded and decoded with the public schema as kcost.recommendations.v1 carries it.
  const records: Recommendation[] = [];
  it('encodes with schemas/Recommendation.avsc and reads back unchanged', async () => {
    const codec = createCodec({ schemaRegistryUrl: '' });
    expect(records.length).toBeGreaterThan(0);
    for (const rec of records) expect(await codec.decodeAs('Recommendation', await codec.encode('Recommendation', rec))).toEqual(rec);
  });
});
