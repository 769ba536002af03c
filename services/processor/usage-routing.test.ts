import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { container, podObject, usageSample } from './record-builders.js';
import { TickMemory, routingKey } from './usage-routing.js';

const T0 = Date.UTC(2026, 2, 1, 12);
const MINUTE = 60_000;

describe('routingKey', () => {
  const state = new ClusterState();
  state.apply(podObject({ name: 'api', nodeName: 'node-b', containers: [container('app', 1, 1)] }));

  it('keys a sample by the node it reports', () => {
    const sample = { ...usageSample({ podName: 'api', container: 'app', windowStart: T0, cpuCores: 1, memoryGib: 1 }), nodeName: 'node-a' };
    expect(routingKey(sample, state)).toBe(`${sample.cluster}/node-a`);
  });

  it("falls back to the pod's node, then to the pod key when no node is known", () => {
    const known = { ...usageSample({ podName: 'api', container: 'app', windowStart: T0, cpuCores: 1, memoryGib: 1 }), nodeName: null };
    expect(routingKey(known, state)).toBe(`${known.cluster}/node-b`);
    const unknown = { ...usageSample({ podName: 'ghost', container: 'app', windowStart: T0, cpuCores: 1, memoryGib: 1 }), nodeName: null };
    expect(routingKey(unknown, state)).toBe(`${unknown.cluster}/${unknown.podUid}`);
  });
});

describe('TickMemory', () => {
  it('announces each cluster window once per usage partition', () => {
    const memory = new TickMemory();
    expect(memory.firstSight(0, 'prod', T0, 60)).toBe(true);
    expect(memory.firstSight(0, 'prod', T0, 60)).toBe(false);
    expect(memory.firstSight(1, 'prod', T0, 60)).toBe(true);
    expect(memory.firstSight(0, 'staging', T0, 60)).toBe(true);
    expect(memory.firstSight(0, 'prod', T0 + MINUTE, 60)).toBe(true);
  });

  it('forgets windows far behind the newest, so memory stays bounded over a long run', () => {
    const memory = new TickMemory(60 * MINUTE);
    for (let minute = 0; minute < 24 * 60; minute++) memory.firstSight(0, 'prod', T0 + minute * MINUTE, 60);
    expect(memory.size).toBeLessThanOrEqual(91);
    expect(memory.size).toBeGreaterThanOrEqual(60);
  });
});
