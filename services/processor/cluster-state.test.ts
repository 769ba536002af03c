import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { container, podObject } from './record-builders.js';

const HOUR = 3_600_000;

describe('ClusterState pods', () => {
  it('keeps a pod per cluster and uid: the same uid in two clusters is two pods', () => {
    const state = new ClusterState();
    state.apply(podObject({ cluster: 'prod', name: 'a', uid: 'u1', nodeName: 'node-1', containers: [container('app', 1, 1)] }));
    state.apply(podObject({ cluster: 'staging', name: 'a', uid: 'u1', nodeName: 'node-9', containers: [container('app', 2, 1)] }));
    expect(state.pod('prod', 'u1')?.pod.nodeName).toBe('node-1');
    expect(state.pod('staging', 'u1')?.pod.containers[0]?.cpuRequestCores).toBe(2);
    expect(state.pod('dev', 'u1')).toBeUndefined();
    expect(state.counts.pods).toBe(2);
  });

  it('replaces a pod with a newer observation and ignores an older one, claims included', () => {
    const state = new ClusterState();
    const at = (observedAt: number, claimNames: string[], nodeName: string) =>
      podObject({ name: 'db', nodeName, containers: [container('pg', 1, 4)], claimNames, createdAt: 0, observedAt });
    state.apply(at(10, ['data'], 'node-1'));
    state.apply(at(20, ['archive'], 'node-2'));
    state.apply(at(15, ['data'], 'node-3'));
    expect(state.pod('prod', 'uid-db')).toMatchObject({ observedAt: 20, pod: { nodeName: 'node-2', claimNames: ['archive'] } });
    expect(state.podsMounting('prod', 'default', 'data', 0, HOUR)).toEqual([]);
    expect(state.podsMounting('prod', 'default', 'archive', 0, HOUR).map((p) => p.uid)).toEqual(['uid-db']);
  });

  it('prunes pods deleted before the horizon, from lookups, claim mounts and counts', () => {
    const state = new ClusterState();
    state.apply(podObject({ name: 'gone', nodeName: 'node-1', containers: [], claimNames: ['data'], createdAt: 0, deletedAt: HOUR }));
    state.apply(podObject({ name: 'late', nodeName: 'node-1', containers: [], claimNames: ['data'], createdAt: 0, deletedAt: 3 * HOUR }));
    state.apply(podObject({ name: 'live', nodeName: 'node-1', containers: [], claimNames: ['data'], createdAt: 0 }));
    state.prune(2 * HOUR);
    expect(state.pod('prod', 'uid-gone')).toBeUndefined();
    expect(state.podsMounting('prod', 'default', 'data', 0, HOUR).map((p) => p.uid).sort()).toEqual(['uid-late', 'uid-live']);
    expect(state.counts.pods).toBe(2);
  });
});
