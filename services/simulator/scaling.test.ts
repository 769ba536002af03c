import { describe, expect, it } from 'vitest';
import type { KubeObject, UsageSample } from '../codec/records.generated.js';
import { createSimulation, type SimulationEvent, type SimulationOptions } from './simulation.js';

const START = Date.parse('2026-01-05T00:00:00Z');
const HOUR = 3_600_000;
const small: SimulationOptions = { cluster: 'sim-a', seed: 10, nodes: 6, pods: 60, startMillis: START, durationMillis: 24 * HOUR, windowSeconds: 300, anomalies: 4 };
const events = [...createSimulation(small).events()];
const kube = events.filter((e) => e.schema === 'KubeObject').map((e) => e.value as KubeObject);

/** Replays the kube events in order, calling `at` once all of an instant's changes are in, with the state as a watcher then knows it. */
function replay(all: readonly SimulationEvent[], at: (t: number, objects: ReadonlyMap<string, KubeObject>) => void): void {
  const objects = new Map<string, KubeObject>();
  let current: number | null = null;
  for (const e of all) {
    if (e.schema !== 'KubeObject') continue;
    if (current !== null && e.atMillis !== current) at(current, objects);
    current = e.atMillis;
    const o = e.value as KubeObject;
    objects.set(`${o.kind}/${o.uid}`, o);
  }
  if (current !== null) at(current, objects);
}

const runningPodsOf = (objects: ReadonlyMap<string, KubeObject>, namespace: string | null, name: string): KubeObject[] =>
  [...objects.values()].filter((o) => o.kind === 'POD' && o.namespace === namespace && o.pod?.workload?.name === name && o.pod.nodeName !== null && o.pod.endedAt === null);

describe('the simulated autoscaler', () => {
  const hpas = kube.filter((o) => o.kind === 'HORIZONTAL_POD_AUTOSCALER');

  it('scales storefront with the day: more replicas at the afternoon peak than at night, within its bounds, the Deployment and its running pods following', () => {
    expect(new Set(hpas.map((h) => `${h.namespace}/${h.hpa?.targetKind}/${h.hpa?.targetName}`)).size).toBe(1);
    const first = hpas[0]!;
    expect(first.hpa).toMatchObject({ targetKind: 'Deployment', targetName: 'storefront', minReplicas: 2, metrics: [{ type: 'Resource', name: 'cpu', targetType: 'Utilization', targetAverageUtilizationPercent: 60 }] });
    const byHour = new Map<number, number>();
    const mismatches: string[] = [];
    replay(events, (t, objects) => {
      const hpa = [...objects.values()].find((o) => o.kind === 'HORIZONTAL_POD_AUTOSCALER')?.hpa;
      const deployment = [...objects.values()].find((o) => o.kind === 'WORKLOAD' && o.name === 'storefront' && o.namespace === first.namespace)?.workload;
      if (!hpa || !deployment) return;
      byHour.set(new Date(t).getUTCHours(), hpa.desiredReplicas);
      const running = runningPodsOf(objects, first.namespace, 'storefront').length;
      if (hpa.desiredReplicas < hpa.minReplicas || hpa.desiredReplicas > hpa.maxReplicas) mismatches.push(`${t}: ${hpa.desiredReplicas} outside bounds`);
      if (deployment.desiredReplicas !== hpa.desiredReplicas) mismatches.push(`${t}: deployment wants ${deployment.desiredReplicas}, hpa ${hpa.desiredReplicas}`);
      if (deployment.readyReplicas !== running) mismatches.push(`${t}: ${deployment.readyReplicas} ready, ${running} running`);
    });
    expect(mismatches).toEqual([]);
    expect(byHour.get(14)).toBeGreaterThan(byHour.get(2) ?? Number.POSITIVE_INFINITY);
    expect(hpas.length).toBeGreaterThan(3);
    expect(hpas.slice(1).every((h) => h.hpa?.lastScaleTime === h.observedAt)).toBe(true);
  });

  it("shares storefront's demand among its replicas: per pod, CPU stays near the target while the total follows the day", () => {
    const podsOf = new Map(kube.filter((o) => o.kind === 'POD' && o.pod?.workload?.name === 'storefront').map((o) => [o.uid, o]));
    const samples = events.filter((e) => e.schema === 'UsageSample').map((e) => e.value as UsageSample).filter((s) => podsOf.has(s.podUid));
    const utilization = samples.map((s) => s.cpuCoreSeconds / s.windowSeconds / 0.25);
    const mean = utilization.reduce((a, b) => a + b, 0) / utilization.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.75);
    const total = (hour: number) => samples.filter((s) => new Date(s.windowStart).getUTCHours() === hour).reduce((sum, s) => sum + s.cpuCoreSeconds, 0);
    expect(total(14)).toBeGreaterThan(1.5 * total(2));
  });
});

describe('simulated workloads', () => {
  it('publishes every Deployment and StatefulSet with desired replicas and as many ready as run', () => {
    const plan = createSimulation(small).plan;
    const expected = plan.workloads.filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet').map((w) => `${w.namespace}/${w.kind}/${w.name}`).sort();
    const published = [...new Set(kube.filter((o) => o.kind === 'WORKLOAD').map((o) => `${o.namespace}/${o.workload?.controllerKind}/${o.name}`))].sort();
    expect(published).toEqual(expected);
    const problems: string[] = [];
    replay(events, (t, objects) => {
      for (const w of [...objects.values()].filter((o) => o.kind === 'WORKLOAD')) {
        const running = runningPodsOf(objects, w.namespace, w.name).length;
        if (w.workload?.readyReplicas !== running) problems.push(`${t} ${w.name}: ${w.workload?.readyReplicas} ready, ${running} running`);
      }
    });
    expect(problems).toEqual([]);
  });
});

describe('simulated OOM kills', () => {
  const ooms = kube.filter((o) => o.kind === 'POD' && o.pod?.containers.some((c) => c.lastTerminationReason === 'OOMKilled'));

  it('kills the leaking session-cache at its memory limit every 2.4 hours, as pod updates with a rising restart count', () => {
    const cache = ooms.filter((o) => o.pod?.workload?.name === 'session-cache');
    const kills = new Set(cache.map((o) => `${o.uid}/${o.pod?.containers[0]?.lastTerminatedAt}`));
    expect(kills.size).toBeGreaterThanOrEqual(8);
    for (const o of cache) {
      const c = o.pod?.containers[0];
      expect(c?.restartCount).toBeGreaterThan(0);
      expect(c?.lastTerminatedAt).toBeLessThanOrEqual(o.observedAt);
    }
    const cacheUids = new Set(kube.filter((o) => o.pod?.workload?.name === 'session-cache').map((o) => o.uid));
    const limit = kube.find((o) => o.pod?.workload?.name === 'session-cache')?.pod?.containers[0]?.memoryLimitBytes ?? 0;
    const samples = events.filter((e) => e.schema === 'UsageSample').map((e) => e.value as UsageSample).filter((s) => cacheUids.has(s.podUid));
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((s) => s.memoryWorkingSetMaxBytes <= limit)).toBe(true);
    expect(samples.some((s) => s.memoryWorkingSetMaxBytes === limit)).toBe(true);
  });

  it('kills any container whose memory demand passes its limit, and the restart counts only rise', () => {
    const limits = new Map<string, number | null>();
    for (const o of kube) for (const c of o.pod?.containers ?? []) limits.set(`${o.uid}/${c.name}`, c.memoryLimitBytes);
    const killedAt = new Map<string, number[]>();
    for (const o of ooms) for (const c of o.pod?.containers ?? []) if (c.lastTerminatedAt !== null) killedAt.set(`${o.uid}/${c.name}`, [...(killedAt.get(`${o.uid}/${c.name}`) ?? []), c.lastTerminatedAt]);
    const over = events.filter((e) => e.schema === 'UsageSample').map((e) => e.value as UsageSample).filter((s) => {
      const limit = limits.get(`${s.podUid}/${s.container}`);
      return limit !== null && limit !== undefined && s.memoryWorkingSetMaxBytes > limit;
    });
    // The anomalies multiply some workloads' memory past their limits.
    expect(over.length).toBeGreaterThan(0);
    const unkilled = over.filter((s) => !(killedAt.get(`${s.podUid}/${s.container}`) ?? []).some((t) => t <= s.windowStart + s.windowSeconds * 1000 && t > s.windowStart - 5 * 60_000));
    expect(unkilled).toEqual([]);
    const last = new Map<string, number>();
    for (const o of kube) for (const c of o.pod?.containers ?? []) {
      const key = `${o.uid}/${c.name}`;
      expect(c.restartCount).toBeGreaterThanOrEqual(last.get(key) ?? 0);
      last.set(key, c.restartCount);
    }
  });

  it('shows kills in the first hours of the default `kcost up` cluster', () => {
    const up = createSimulation({ cluster: 'local', seed: 1, nodes: 12, pods: 200, startMillis: START, durationMillis: 3 * HOUR, windowSeconds: 60 });
    const killed = [...up.events()].filter((e) => e.schema === 'KubeObject' && (e.value as KubeObject).pod?.containers.some((c) => c.lastTerminationReason === 'OOMKilled' && (c.lastTerminatedAt ?? 0) >= START));
    expect(killed.length).toBeGreaterThan(0);
  });
});
