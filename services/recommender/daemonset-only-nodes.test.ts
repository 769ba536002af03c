import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../codec/records.generated.js';
import { PriceHistory } from '../processor/price-history.js';
import { container, nodeObject, podObject, priceUpdate } from '../processor/record-builders.js';
import { daemonSetOnlyNodeOf, nodePriceOf } from './daemonset-only-nodes.js';
import { NodeOccupancy, type NodeObject, type NodeUsage } from './node-occupancy.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);
const options = { daemonSetsOnlyForMillis: DAY };
const price = { hourlyUsd: 0.2, capacityType: 'ON_DEMAND', source: 'aws-pricing' };

const node = (): KubeObject => nodeObject({ name: 'node-a', cores: 4, memoryGib: 16, instanceType: 'm5.xlarge', createdAt: T0, observedAt: T0 });

/** A pod on node-a from `from` until `until` (null: running), owned by `owner` (null: a bare pod). */
function pod(name: string, owner: { kind: string; name: string } | null, from: number, until: number | null, nodeName: string | null = 'node-a'): KubeObject {
  return podObject({ name, namespace: owner?.kind === 'DaemonSet' ? 'kube-system' : 'shop', nodeName, containers: [container('c', 0.1, 0.1)], workload: owner, createdAt: from, endedAt: until, observedAt: until ?? from });
}
const ds = (name: string) => ({ kind: 'DaemonSet', name });
const deploy = { kind: 'Deployment', name: 'web' };

function usageAfter(objects: readonly KubeObject[]): NodeUsage {
  const table = new NodeOccupancy();
  for (const o of objects) table.apply(o);
  const [only] = table.usages();
  if (!only) throw new Error('no node in the table');
  return only;
}

describe('daemonSetOnlyNodeOf', () => {
  const cases: Array<{ name: string; objects: KubeObject[]; now: number; expected: null | { since: number; lastPod: string | null; daemonSets: string[]; confidence: number } }> = [
    {
      name: 'only DaemonSet and static pods for a day since its creation: advice',
      objects: [node(), pod('proxy-a', ds('kube-proxy'), T0, null), pod('fluent-a', ds('fluent-bit'), T0, null), pod('etcd-node-a', { kind: 'Node', name: 'node-a' }, T0, null)],
      now: T0 + DAY,
      expected: { since: T0, lastPod: null, daemonSets: ['kube-system/fluent-bit', 'kube-system/kube-proxy'], confidence: 0.5 },
    },
    { name: 'a Deployment pod running on it: nothing', objects: [node(), pod('proxy-a', ds('kube-proxy'), T0, null), pod('web-1', deploy, T0, null)], now: T0 + 10 * DAY, expected: null },
    { name: 'a bare pod running on it: nothing', objects: [node(), pod('debug', null, T0, null)], now: T0 + 10 * DAY, expected: null },
    {
      name: 'the last workload pod left two days ago: advice since then, full confidence',
      objects: [node(), pod('web-1', deploy, T0, T0 + HOUR), pod('web-2', deploy, T0, T0 + 2 * HOUR), pod('proxy-a', ds('kube-proxy'), T0, null)],
      now: T0 + 2 * HOUR + 2 * DAY,
      expected: { since: T0 + 2 * HOUR, lastPod: 'shop/web-2', daemonSets: ['kube-system/kube-proxy'], confidence: 1 },
    },
    { name: 'the last workload pod left 23 hours ago: nothing yet', objects: [node(), pod('web-1', deploy, T0, T0 + DAY)], now: T0 + 2 * DAY - HOUR, expected: null },
    { name: 'a workload pod on another node does not count', objects: [node(), pod('web-1', deploy, T0, null, 'node-b')], now: T0 + DAY, expected: { since: T0, lastPod: null, daemonSets: [], confidence: 0.5 } },
    { name: 'a deleted node: nothing', objects: [{ ...node(), deletedAt: T0 + HOUR, observedAt: T0 + HOUR }], now: T0 + 3 * DAY, expected: null },
  ];
  it.each(cases)('$name', ({ objects, now, expected }) => {
    const advice = daemonSetOnlyNodeOf(usageAfter(objects), now, options, price);
    if (expected === null) {
      expect(advice).toBeNull();
      return;
    }
    expect(advice).toMatchObject({
      kind: 'DAEMONSET_ONLY_NODE',
      key: 'prod/Node/node-a',
      generatedAt: now,
      risk: 'LOW',
      reasons: ['ONLY_DAEMONSETS'],
      workloadResources: null,
      orphanedVolume: null,
      daemonSetOnlyNode: { target: { cluster: 'prod', node: 'node-a' }, instanceType: 'm5.xlarge', hourlyUsd: 0.2, daemonSetsOnlySince: expected.since, lastWorkloadPod: expected.lastPod, daemonSets: expected.daemonSets },
    });
    // 0.2 $/h × 730 h.
    expect(advice?.saving.monthlySavingsUsd).toBeCloseTo(146, 9);
    expect(advice?.saving.priceSources).toEqual(['aws-pricing']);
    expect(advice?.confidence).toBeCloseTo(expected.confidence, 12);
  });
});

describe('nodePriceOf', () => {
  const theNode = node() as NodeObject;
  it('is the whole node price where the provider gives a total', () => {
    const prices = new PriceHistory();
    prices.add(priceUpdate({ sku: 'm5.xlarge', effectiveFrom: T0 - DAY, hourlyUsd: 0.192 }));
    const found = nodePriceOf(theNode, prices, T0);
    expect(found.hourlyUsd).toBeCloseTo(0.192, 12);
    expect(found).toMatchObject({ capacityType: 'ON_DEMAND', source: 'aws-pricing' });
  });
  it('falls back to the default rates times the allocatable resources', () => {
    const found = nodePriceOf(theNode, new PriceHistory(), T0);
    expect(found.hourlyUsd).toBeCloseTo(4 * 0.031611 + 16 * 0.004237, 12);
    expect(found.source).toBe('default');
  });
});
