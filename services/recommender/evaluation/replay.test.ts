import { describe, expect, it } from 'vitest';
import { HpaSimulator, replay, type Observation, type Planner } from './replay.js';
import type { AppliedSpec, Workload } from './workloads.js';

const GIB = 1024 ** 3;
const SPEC: AppliedSpec = { cpuRequestCores: 1, cpuLimitCores: null, memoryRequestBytes: GIB, memoryLimitBytes: GIB, hpaTargetUtilizationPercent: null };

function tiny(cpu: number[], memoryGib: number[], overrides: Partial<Workload> = {}): Workload {
  return {
    name: 'tiny',
    description: 'hand-computed',
    minutes: cpu.length,
    initial: SPEC,
    replicas: 2,
    hpa: null,
    cpuDemand: Float64Array.from(cpu),
    memoryDemand: Float64Array.from(memoryGib.map((g) => g * GIB)),
    memoryPerCoreBytes: 0,
    running: new Uint8Array(cpu.length).fill(1),
    podOf: () => 'pod',
    ...overrides,
  };
}

/** Records what it is shown and switches to `next` at the minutes listed. */
function scripted(next: AppliedSpec, atMinutes: number[]): Planner & { seen: Observation[]; kills: number[]; asked: number[] } {
  const seen: Observation[] = [];
  const kills: number[] = [];
  const asked: number[] = [];
  return {
    name: 'scripted',
    seen,
    kills,
    asked,
    observe: (o) => void seen.push(o),
    oomKilled: (m) => void kills.push(m),
    plan: (m, current) => {
      asked.push(m);
      return atMinutes.includes(m) ? next : current;
    },
  };
}

describe('replay scoring on a hand-computed case', () => {
  // Two replicas, six minutes, request 1 core and 1 GiB, memory limit 1 GiB.
  const cpu = [0.5, 1.5, 0.5, 0.5, 2, 0.5];
  const memory = [0.5, 0.5, 1.2, 1.2, 0.5, 0.5];

  it('adds up requests, starved minutes, shortfall and OOM kills', () => {
    const planner = scripted(SPEC, []);
    const score = replay(tiny(cpu, memory), planner, { scoreFromMinute: 0, applyEveryMinutes: 100, crashLoopMinutes: 5 });
    // 2 replicas × 1 core × 6 minutes = 12 core-minutes.
    expect(score.coreHours).toBeCloseTo(12 / 60, 12);
    expect(score.gibHours).toBeCloseTo(12 / 60, 12);
    // Minutes 1 and 4 exceed the 1-core request, for both replicas: 4 starved replica-minutes, (0.5 + 1) × 2 core-minutes short.
    expect(score.cpuStarvedMinutes).toBe(4);
    expect(score.cpuShortfallCoreHours).toBeCloseTo(3 / 60, 12);
    // Minutes 2-3 are over the 1 GiB limit: one episode, one kill per replica (the next would come 5 minutes in).
    expect(score.oomKills).toBe(2);
    expect(score.oomMinutes).toBe(4);
    expect(score.replicaHours).toBeCloseTo(12 / 60, 12);
    expect(planner.kills).toEqual([2]);
    // The strategy sees usage capped at its limit, and is asked again right after the kill.
    expect(planner.seen[2]?.memoryPeakBytes).toBe(GIB);
    expect(planner.asked).toEqual([0, 2]);
  });

  it('kills again every crash-loop interval while demand stays over the limit', () => {
    const score = replay(tiny(new Array<number>(12).fill(0.5), new Array<number>(12).fill(2)), scripted(SPEC, []), { scoreFromMinute: 0, applyEveryMinutes: 100, crashLoopMinutes: 5 });
    // Minutes 0, 5 and 10, two replicas each.
    expect(score.oomKills).toBe(6);
    expect(score.oomMinutes).toBe(24);
  });

  it('scores only from scoreFromMinute, with the spec the planner applied', () => {
    const half: AppliedSpec = { ...SPEC, cpuRequestCores: 0.5, memoryRequestBytes: GIB / 2, memoryLimitBytes: 2 * GIB };
    const planner = scripted(half, [3]);
    const score = replay(tiny(cpu, memory), planner, { scoreFromMinute: 3, applyEveryMinutes: 3, crashLoopMinutes: 5 });
    // Minutes 3-5 at 0.5 core and 0.5 GiB × 2 replicas = 3 core-minutes and 3 GiB-minutes; 1.2 GiB is under the new 2 GiB limit.
    expect(score.coreHours).toBeCloseTo(3 / 60, 12);
    expect(score.gibHours).toBeCloseTo(3 / 60, 12);
    expect(score.oomKills).toBe(0);
    // Minute 4 (2 cores) is over 0.5; minutes 3 and 5 (0.5) are not.
    expect(score.cpuStarvedMinutes).toBe(2);
    expect(score.changes).toBe(1);
    expect(score.scoredMinutes).toBe(3);
  });

  it('counts nothing while no pod runs, and a new pod over its limit is killed again', () => {
    const running = Uint8Array.from([1, 0, 1, 1, 0, 0]);
    const score = replay(tiny(cpu, memory, { running }), scripted(SPEC, []), { scoreFromMinute: 0, applyEveryMinutes: 100, crashLoopMinutes: 5 });
    // Minutes 0, 2 and 3 run: 6 core-minutes; minute 1's and 4's bursts happen in no pod.
    expect(score.coreHours).toBeCloseTo(6 / 60, 12);
    expect(score.cpuStarvedMinutes).toBe(0);
    expect(score.oomKills).toBe(2);
    expect(score.scoredMinutes).toBe(3);
  });

  it('runs an HPA workload at the replicas its request and target give', () => {
    const workload = tiny([3, 3, 3, 3], [0.1, 0.1, 0.1, 0.1], { hpa: { minReplicas: 1, maxReplicas: 10 }, initial: { ...SPEC, hpaTargetUtilizationPercent: 50 } });
    const score = replay(workload, scripted(SPEC, []), { scoreFromMinute: 0, applyEveryMinutes: 100, crashLoopMinutes: 5 });
    // 3 cores at 50 % of 1 core: 6 replicas of 0.5 cores, none starved.
    expect(score.replicaHours).toBeCloseTo(24 / 60, 12);
    expect(score.coreHours).toBeCloseTo(24 / 60, 12);
    expect(score.cpuStarvedMinutes).toBe(0);
  });
});

describe('HpaSimulator', () => {
  it('scales up at once, holds within its tolerance, and scales down after its stabilization window', () => {
    const hpa = new HpaSimulator(2, 10, 2);
    expect(hpa.step(3, 1, 50)).toBe(6);
    // 3.2 cores on 6 replicas is 53 % against 50 %: within 10 %.
    expect(hpa.step(3.2, 1, 50)).toBe(6);
    const down = [1, 1, 1, 1].map(() => hpa.step(1, 1, 50));
    expect(down).toEqual([6, 6, 6, 6]);
    expect(hpa.step(1, 1, 50)).toBe(2);
    expect(hpa.step(100, 1, 50)).toBe(10);
  });
});
