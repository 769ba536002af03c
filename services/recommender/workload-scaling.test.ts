import { describe, expect, it } from 'vitest';
import type { AutoscalerMetric, KubeObject } from '../codec/records.generated.js';
import { autoscalerObject, workloadObject } from '../processor/record-builders.js';
import { WorkloadScaling, hpaStateOf } from './workload-scaling.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 5, 1);
const WEB = 'prod/shop/Deployment/web';

const metric = (type: string, name: string, target: number | null, container: string | null = null): AutoscalerMetric => ({
  type,
  name,
  container,
  targetType: target === null ? 'AverageValue' : 'Utilization',
  targetAverageUtilizationPercent: target,
});

function hpa(o: { replicas?: number; observedAt?: number; createdAt?: number; deletedAt?: number | null; uid?: string; target?: string; metrics?: AutoscalerMetric[] } = {}): KubeObject {
  const object = autoscalerObject({ name: 'web', namespace: 'shop', uid: o.uid, target: { kind: 'Deployment', name: o.target ?? 'web' }, minReplicas: 2, maxReplicas: 10, replicas: o.replicas ?? 4, observedAt: o.observedAt ?? T0, deletedAt: o.deletedAt ?? null });
  const state = object.hpa as NonNullable<KubeObject['hpa']>;
  return { ...object, createdAt: o.createdAt ?? T0 - HOUR, hpa: { ...state, metrics: o.metrics ?? state.metrics } };
}

describe('hpaStateOf', () => {
  const cases: Array<{ name: string; metrics: AutoscalerMetric[]; container: string; expected: ReturnType<typeof hpaStateOf>['metrics']; load: string[] }> = [
    { name: 'a CPU Resource metric', metrics: [metric('Resource', 'cpu', 60)], container: 'app', expected: [{ resource: 'cpu', targetUtilizationPercent: 60 }], load: [] },
    { name: 'an AverageValue target, which a request does not scale', metrics: [metric('Resource', 'memory', null)], container: 'app', expected: [], load: [] },
    { name: "a ContainerResource metric of this container", metrics: [metric('ContainerResource', 'memory', 70, 'app')], container: 'app', expected: [{ resource: 'memory', targetUtilizationPercent: 70 }], load: [] },
    { name: 'a ContainerResource metric of another container', metrics: [metric('ContainerResource', 'cpu', 50, 'sidecar')], container: 'app', expected: [], load: [] },
    {
      name: 'Resource and ContainerResource on one resource: the lower target, whose proposal wins',
      metrics: [metric('Resource', 'cpu', 80), metric('ContainerResource', 'cpu', 50, 'app')],
      container: 'app',
      expected: [{ resource: 'cpu', targetUtilizationPercent: 50 }],
      load: [],
    },
    {
      name: 'load metrics beside a resource one',
      metrics: [metric('Resource', 'cpu', 60), metric('Pods', 'requests_per_second', null), metric('External', 'queue_depth', null), metric('Object', 'hits', null)],
      container: 'app',
      expected: [{ resource: 'cpu', targetUtilizationPercent: 60 }],
      load: ['Pods requests_per_second', 'External queue_depth', 'Object hits'],
    },
  ];
  it.each(cases)('reads $name', ({ metrics, container, expected, load }) => {
    const state = hpaStateOf((hpa({ metrics }).hpa as NonNullable<KubeObject['hpa']>), container);
    expect(state).toEqual({ minReplicas: 2, maxReplicas: 10, metrics: expected, loadMetrics: load });
  });
});

describe('WorkloadScaling', () => {
  it('answers the autoscaler state observed last before an event time', () => {
    const scaling = new WorkloadScaling();
    scaling.apply(hpa({ replicas: 6, observedAt: T0 + 2 * HOUR }));
    scaling.apply(hpa({ replicas: 3, observedAt: T0 }));
    expect(scaling.autoscalerAt(WEB, T0 + HOUR)?.currentReplicas).toBe(3);
    expect(scaling.autoscalerAt(WEB, T0 + 3 * HOUR)?.currentReplicas).toBe(6);
    // Before its first observation (the compacted topic kept a later one only): the oldest state known.
    expect(scaling.autoscalerAt(WEB, T0 - 30 * 60_000)?.currentReplicas).toBe(3);
    // Before it was created: none.
    expect(scaling.autoscalerAt(WEB, T0 - 2 * HOUR)).toBeNull();
    expect(scaling.autoscalerAt('prod/shop/Deployment/api', T0 + HOUR)).toBeNull();
  });

  it('prefers the autoscaler’s current replicas, else the workload’s desired replicas', () => {
    const scaling = new WorkloadScaling();
    scaling.apply({ ...workloadObject({ name: 'web', namespace: 'shop', desiredReplicas: 5, observedAt: T0 }), createdAt: T0 - HOUR });
    expect(scaling.replicasAt(WEB, T0 + HOUR)).toEqual({ replicas: 5, source: 'workload' });
    // An autoscaler that has not looked yet reports 0 current replicas: the workload still answers.
    scaling.apply(hpa({ replicas: 0, observedAt: T0 }));
    expect(scaling.replicasAt(WEB, T0 + HOUR)).toEqual({ replicas: 5, source: 'workload' });
    scaling.apply(hpa({ replicas: 7, observedAt: T0 + HOUR }));
    expect(scaling.replicasAt(WEB, T0 + HOUR)).toEqual({ replicas: 7, source: 'hpa' });
    expect(scaling.replicasAt('prod/shop/StatefulSet/web', T0 + HOUR)).toBeNull();
  });

  it('no longer applies a deleted autoscaler after its deletion, and forgets it once pruned', () => {
    const scaling = new WorkloadScaling();
    scaling.apply(hpa({ observedAt: T0 }));
    scaling.apply(hpa({ observedAt: T0 + 2 * HOUR, deletedAt: T0 + 2 * HOUR }));
    expect(scaling.autoscalerAt(WEB, T0 + HOUR)).not.toBeNull();
    expect(scaling.autoscalerAt(WEB, T0 + 2 * HOUR)).toBeNull();
    scaling.prune(T0 + HOUR);
    expect(scaling.size).toBe(1);
    scaling.prune(T0 + 3 * HOUR);
    expect(scaling.size).toBe(0);
  });

  it('keeps the state in force at the pruning time and drops older ones', () => {
    const scaling = new WorkloadScaling();
    for (const [hour, replicas] of [[0, 2], [1, 3], [2, 4]] as const) scaling.apply(hpa({ replicas, observedAt: T0 + hour * HOUR }));
    scaling.prune(T0 + 90 * 60_000);
    expect(scaling.autoscalerAt(WEB, T0 + 100 * 60_000)?.currentReplicas).toBe(3);
    // The state of 00:00 is gone: the oldest known now is the one of 01:00.
    expect(scaling.autoscalerAt(WEB, T0 + 30 * 60_000)?.currentReplicas).toBe(3);
  });

  it('takes the older of two autoscalers on one workload, and moves one that is pointed at another workload', () => {
    const scaling = new WorkloadScaling();
    scaling.apply(hpa({ uid: 'b', replicas: 9, createdAt: T0 - 30 * 60_000 }));
    scaling.apply(hpa({ uid: 'a', replicas: 2, createdAt: T0 - HOUR }));
    expect(scaling.autoscalerAt(WEB, T0)?.currentReplicas).toBe(2);
    scaling.apply(hpa({ uid: 'a', replicas: 2, target: 'api', observedAt: T0 + HOUR }));
    expect(scaling.autoscalerAt(WEB, T0 + 2 * HOUR)?.currentReplicas).toBe(9);
    expect(scaling.autoscalerAt('prod/shop/Deployment/api', T0 + 2 * HOUR)?.currentReplicas).toBe(2);
  });
});
