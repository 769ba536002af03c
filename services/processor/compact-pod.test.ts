import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContainerResources } from '../codec/records.generated.js';
import { PodCompactor, type PodInput, type StoredPod } from './compact-pod.js';
import { container, podObject } from './record-builders.js';

/** Every field of a pod that pricing reads (window-pricer, storage-cost, usage-routing, ClusterState's own time checks). */
function pricingFields(object: PodInput) {
  const { pod } = object;
  return {
    cluster: object.cluster,
    uid: object.uid,
    namespace: object.namespace,
    labels: object.labels,
    createdAt: object.createdAt,
    deletedAt: object.deletedAt,
    observedAt: object.observedAt,
    pod: {
      nodeName: pod.nodeName,
      startedAt: pod.startedAt,
      endedAt: pod.endedAt,
      workload: pod.workload,
      containers: pod.containers,
      claimNames: pod.claimNames,
    },
  };
}

const asPod = (object: ReturnType<typeof podObject>) => object as PodInput;

// Values are drawn from small pools so that pods collide on them (and share
// them). Containers are variants of one that differ in a single field by a
// value a careless key would confuse: null, 0, -0, NaN.
const base = container('app', 0.25, 0.5);
const containerArb = fc.constantFrom<ContainerResources>(
  base,
  { ...base, name: 'app,' },
  { ...base, cpuRequestCores: 0 },
  { ...base, cpuRequestCores: -0 },
  { ...base, cpuRequestCores: NaN },
  { ...base, cpuLimitCores: 0 },
  { ...base, cpuLimitCores: -0 },
  { ...base, cpuLimitCores: NaN },
  { ...base, memoryLimitBytes: 0 },
  { ...base, gpuLimit: 0 },
  { ...base, gpuRequest: 1 },
);
const podArb = fc.record({
  cluster: fc.constantFrom('prod', 'staging'),
  namespace: fc.option(fc.constantFrom('default', 'team-a')),
  nodeName: fc.option(fc.constantFrom('node-1', 'node-2')),
  labels: fc.dictionary(fc.constantFrom('app', 'team', 'pod-template-hash', '__proto__'), fc.constantFrom('web', 'db', '')),
  workload: fc.option(fc.record({ kind: fc.constantFrom('Deployment', 'StatefulSet'), name: fc.constantFrom('web', 'db') })),
  containers: fc.array(containerArb, { maxLength: 3 }),
  claimNames: fc.array(fc.constantFrom('data', 'logs'), { maxLength: 2 }),
  createdAt: fc.integer({ min: 0, max: 2 ** 42 }),
  deletedAt: fc.option(fc.integer({ min: 0, max: 2 ** 42 })),
  endedAt: fc.option(fc.integer({ min: 0, max: 2 ** 42 })),
});
const podsArb = fc.array(fc.tuple(podArb, fc.option(podArb), fc.boolean()), { minLength: 1, maxLength: 25 }).map((pods) =>
  // A next state is of the same pod: same cluster and uid.
  pods.map(([first, next, released], i) => ({ first: toObject(first, i), next: next && toObject({ ...next, cluster: first.cluster }, i), released })),
);

function toObject({ namespace, workload, ...p }: typeof podArb extends fc.Arbitrary<infer T> ? T : never, i: number): PodInput {
  return asPod({ ...podObject({ ...p, name: `pod-${i}`, uid: `uid-${i}`, workload: workload ?? undefined }), namespace });
}

describe('PodCompactor', () => {
  it('reads back every pricing field of every stored pod as applied, however much the pods share and change', () => {
    fc.assert(
      fc.property(podsArb, (pods) => {
        const compactor = new PodCompactor();
        const stored = pods.map(({ first }) => compactor.store(first));
        stored.forEach((s, i) => expect(s).toEqual(pricingFields(pods[i]?.first as PodInput)));
        // Some pods change (another random state of the same uid); the others must not notice.
        const current = pods.map(({ first, next }, i) => (next ? { object: next, stored: compactor.replace(stored[i] as StoredPod, next) } : { object: first, stored: stored[i] as StoredPod }));
        current.forEach(({ object, stored }) => expect(stored).toEqual(pricingFields(object)));
        // Some are forgotten; the others must not notice either, and once all are, nothing is held.
        const kept = current.filter((_, i) => pods[i]?.released !== true);
        current.filter((_, i) => pods[i]?.released === true).forEach(({ stored }) => compactor.release(stored));
        kept.forEach(({ object, stored }) => expect(stored).toEqual(pricingFields(object)));
        kept.forEach(({ stored }) => compactor.release(stored));
        expect(compactor.sharedValues).toBe(0);
      }),
    );
  });

  it('keeps one copy of what replicas of a workload have in common', () => {
    const compactor = new PodCompactor();
    const replica = (i: number) =>
      asPod(podObject({ name: `web-${i}`, namespace: 'shop', nodeName: 'node-1', containers: [container('app', 0.5, 1)], workload: { kind: 'Deployment', name: 'web' }, labels: { app: 'web' } }));
    const [a, b] = [compactor.store(replica(1)), compactor.store(replica(2))];
    expect(b.labels).toBe(a.labels);
    expect(b.pod.containers).toBe(a.pod.containers);
    expect(b.pod.workload).toBe(a.pod.workload);
    expect(b.pod.claimNames).toBe(a.pod.claimNames);
    expect(b.uid).not.toBe(a.uid);
  });

  it('does not share containers that differ only in an unset versus a zero limit', () => {
    const compactor = new PodCompactor();
    const unset = asPod(podObject({ name: 'a', nodeName: null, containers: [container('app', 1, 1)] }));
    const zero = asPod(podObject({ name: 'b', nodeName: null, containers: [{ ...container('app', 1, 1), cpuLimitCores: 0 }] }));
    expect(compactor.store(unset).pod.containers[0]?.cpuLimitCores).toBeNull();
    expect(compactor.store(zero).pod.containers[0]?.cpuLimitCores).toBe(0);
  });

  it('freezes what pods share, so that no reader can change another pod through it', () => {
    const stored = new PodCompactor().store(asPod(podObject({ name: 'a', nodeName: null, containers: [container('app', 1, 1)], labels: { app: 'a' } })));
    expect(() => {
      (stored.labels as Record<string, string>).app = 'b';
    }).toThrow(TypeError);
    expect(() => {
      (stored.pod.containers[0] as ContainerResources).cpuRequestCores = 2;
    }).toThrow(TypeError);
  });

  it('refuses to release a pod it does not hold', () => {
    const compactor = new PodCompactor();
    const stored = compactor.store(asPod(podObject({ name: 'a', nodeName: 'node-1', containers: [] })));
    compactor.release(stored);
    expect(() => compactor.release(stored)).toThrow(/not held/);
  });
});
