import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../codec/records.generated.js';
import { autoscalerObject, container, podObject, workloadObject } from '../processor/record-builders.js';
import { oomKillsOf } from './oom-routing-stage.js';
import { WorkloadPods } from './workload-pods.js';

const HOUR = 3_600_000;
const GIB = 1024 ** 3;
const T0 = Date.UTC(2026, 5, 1);
const web = { kind: 'Deployment', name: 'web' };
const target = { cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'web', container: 'app' };

function pod(name: string, createdAt: number, o: { cpu?: number; deletedAt?: number; restarts?: number; limitGib?: number | null } = {}): KubeObject {
  const app = { ...container('app', o.cpu ?? 0.5, 1), restartCount: o.restarts ?? 0, memoryLimitBytes: o.limitGib === undefined ? 2 * GIB : o.limitGib === null ? null : o.limitGib * GIB };
  return podObject({ name, namespace: 'shop', nodeName: 'n1', containers: [app, container('sidecar', 0.1, 0.1)], workload: web, createdAt, deletedAt: o.deletedAt ?? null, observedAt: o.deletedAt ?? createdAt });
}

describe('WorkloadPods', () => {
  const pods = new WorkloadPods();
  pods.apply(pod('web-1', T0, { deletedAt: T0 + 2 * HOUR, restarts: 2 }));
  pods.apply(pod('web-2', T0 + HOUR, { cpu: 0.75, restarts: 1 }));
  pods.apply(pod('web-3', T0 + HOUR, { cpu: 0.75 }));

  it('counts the replicas that ran at an event time, with the newest pod spec and their restarts', () => {
    expect(pods.containerStateAt(target, T0 + 30 * 60_000)).toMatchObject({ replicas: 1, cpuRequestCores: 0.5, restartCount: 2, containersPerPod: 2 });
    expect(pods.containerStateAt(target, T0 + 90 * 60_000)).toMatchObject({ replicas: 3, cpuRequestCores: 0.75, memoryLimitBytes: 2 * GIB, restartCount: 3, hpa: null });
    expect(pods.containerStateAt(target, T0 + 3 * HOUR)).toMatchObject({ replicas: 2 });
  });

  it('does not count a pod still waiting to be scheduled as a replica', () => {
    const waiting = new WorkloadPods();
    waiting.apply(pod('web-1', T0));
    const pending = pod('web-2', T0);
    waiting.apply({ ...pending, pod: { ...(pending.pod as NonNullable<KubeObject['pod']>), phase: 'Pending', startedAt: null, nodeName: null } });
    expect(waiting.containerStateAt(target, T0 + HOUR)?.replicas).toBe(1);
  });

  it('knows nothing of a time no pod ran, or of a container the pods do not have', () => {
    expect(pods.containerStateAt(target, T0 - 1)).toBeNull();
    expect(pods.containerStateAt({ ...target, container: 'other' }, T0 + HOUR)).toBeNull();
  });

  it('reads a request of 0 as none', () => {
    const bare = new WorkloadPods();
    bare.apply(pod('web-9', T0, { cpu: 0 }));
    expect(bare.containerStateAt(target, T0 + 1)?.cpuRequestCores).toBeNull();
  });

  it("takes replicas from the autoscaler, else the workload, else the pods that ran, and gives the autoscaler of the boundary's time", () => {
    const scaled = new WorkloadPods();
    scaled.apply(pod('web-1', T0));
    scaled.apply(pod('web-2', T0));
    const at = T0 + HOUR;
    expect(scaled.containerStateAt(target, at)).toMatchObject({ replicas: 2, hpa: null });
    scaled.apply({ ...workloadObject({ name: 'web', namespace: 'shop', desiredReplicas: 3, observedAt: T0 }), createdAt: T0 });
    expect(scaled.containerStateAt(target, at)).toMatchObject({ replicas: 3, hpa: null });
    scaled.apply({ ...autoscalerObject({ name: 'web-hpa', namespace: 'shop', target: web, replicas: 5, minReplicas: 2, maxReplicas: 8, cpuTargetPercent: 70, observedAt: T0 }), createdAt: T0 });
    expect(scaled.containerStateAt(target, at)).toMatchObject({ replicas: 5, hpa: { minReplicas: 2, maxReplicas: 8, metrics: [{ resource: 'cpu', targetUtilizationPercent: 70 }], loadMetrics: [] } });
    // Deleted at 01:30: the 01:00 boundary still sees it, 02:00 does not, and the workload's replicas answer again.
    scaled.apply({ ...autoscalerObject({ name: 'web-hpa', namespace: 'shop', target: web, replicas: 5, observedAt: T0 + 90 * 60_000, deletedAt: T0 + 90 * 60_000 }), createdAt: T0 });
    expect(scaled.containerStateAt(target, at)?.hpa).not.toBeNull();
    expect(scaled.containerStateAt(target, T0 + 2 * HOUR)).toMatchObject({ replicas: 3, hpa: null });
  });

  it('forgets pods deleted before the pruning time', () => {
    const pruned = new WorkloadPods();
    pruned.apply(pod('web-1', T0, { deletedAt: T0 + HOUR }));
    pruned.prune(T0 + 2 * HOUR);
    expect(pruned.size).toBe(0);
  });
});

describe('oomKillsOf', () => {
  it('reports the containers whose last termination was an OOM kill, with the limit they were killed at', () => {
    const object = pod('web-1', T0);
    const [app, sidecar] = object.pod?.containers ?? [];
    Object.assign(app ?? {}, { lastTerminationReason: 'OOMKilled', lastTerminatedAt: T0 + HOUR });
    Object.assign(sidecar ?? {}, { lastTerminationReason: 'Error', lastTerminatedAt: T0 + HOUR });
    expect(oomKillsOf(object)).toEqual([
      { target, termination: { podUid: 'uid-web-1', reason: 'OOMKilled', finishedAt: T0 + HOUR, memoryRequestBytes: GIB, memoryLimitBytes: 2 * GIB } },
    ]);
    expect(oomKillsOf({ ...object, kind: 'NODE', pod: null })).toEqual([]);
  });
});
