import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../codec/records.generated.js';
import { GIB } from '../processor/default-prices.js';
import { PriceHistory } from '../processor/price-history.js';
import { claimAndVolume, container, nodeObject, podObject, priceUpdate } from '../processor/record-builders.js';
import { orphanedVolumeOf, storagePriceOf } from './orphaned-volumes.js';
import { AdviceLedger, type Candidate } from './advice-ledger.js';
import { VolumeTable, type ClaimUsage } from './volume-table.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const T0 = Date.UTC(2026, 0, 1);
const options = { unmountedForMillis: WEEK };
const price = { gibMonthUsd: 0.08, source: 'aws-pricing' };

/** A 100 GiB gp3 claim "data" created at T0, bound to pv-data. */
function claimObjects(overrides: Partial<KubeObject> = {}): KubeObject[] {
  return claimAndVolume({ namespace: 'shop', claim: 'data', volume: 'pv-data', sizeGib: 100 }).map((o) => ({ ...o, createdAt: T0, observedAt: T0, ...(o.kind === 'PERSISTENT_VOLUME_CLAIM' ? overrides : {}) }));
}

/** A pod mounting "data" that started at `from` and stopped at `until` (null: still running). */
function mounter(name: string, from: number, until: number | null, observedAt = until ?? from): KubeObject {
  return podObject({ name, namespace: 'shop', nodeName: 'node-1', containers: [container('app', 1, 1)], claimNames: ['data'], createdAt: from, endedAt: until, observedAt });
}

function usageAfter(objects: readonly KubeObject[]): ClaimUsage {
  const table = new VolumeTable();
  for (const o of objects) table.apply(o);
  const [only] = table.usages();
  if (!only) throw new Error('no claim in the table');
  return only.usage;
}

describe('orphanedVolumeOf', () => {
  const cases: Array<{ name: string; objects: KubeObject[]; now: number; expected: null | { since: number; reasons: string[]; risk: string; confidence: number; lastMountedBy: string | null } }> = [
    { name: 'never mounted, a week old: orphaned, low risk', objects: claimObjects(), now: T0 + WEEK, expected: { since: T0, reasons: ['UNMOUNTED', 'NEVER_MOUNTED'], risk: 'LOW', confidence: 0.5, lastMountedBy: null } },
    { name: 'never mounted, a day short of the threshold: nothing', objects: claimObjects(), now: T0 + WEEK - DAY, expected: null },
    { name: 'mounted by a running pod: nothing, however old', objects: [...claimObjects(), mounter('db-0', T0 + HOUR, null)], now: T0 + 60 * DAY, expected: null },
    {
      name: 'last pod stopped 14 days ago: orphaned since then, full confidence',
      objects: [...claimObjects(), mounter('db-0', T0, T0 + DAY), mounter('db-1', T0 + DAY, T0 + 2 * DAY)],
      now: T0 + 16 * DAY,
      expected: { since: T0 + 2 * DAY, reasons: ['UNMOUNTED'], risk: 'MEDIUM', confidence: 1, lastMountedBy: 'db-1' },
    },
    { name: 'last pod stopped 6 days ago: nothing yet', objects: [...claimObjects(), mounter('db-0', T0, T0 + 10 * DAY)], now: T0 + 16 * DAY, expected: null },
    {
      name: 'a pod that never started (pending) does not mount it',
      objects: [...claimObjects(), { ...mounter('db-0', T0, null), pod: { ...(mounter('db-0', T0, null).pod as NonNullable<KubeObject['pod']>), startedAt: null, phase: 'Pending' } }],
      now: T0 + WEEK,
      expected: { since: T0, reasons: ['UNMOUNTED', 'NEVER_MOUNTED'], risk: 'LOW', confidence: 0.5, lastMountedBy: null },
    },
    {
      name: 'a running pod later deleted: unmounted from its deletion',
      objects: [...claimObjects(), mounter('db-0', T0, null, T0), { ...mounter('db-0', T0, null, T0 + 3 * DAY), deletedAt: T0 + 3 * DAY }],
      now: T0 + 3 * DAY + WEEK + WEEK / 2,
      expected: { since: T0 + 3 * DAY, reasons: ['UNMOUNTED'], risk: 'MEDIUM', confidence: 0.75, lastMountedBy: 'db-0' },
    },
    { name: 'a deleted claim: nothing', objects: claimObjects({ deletedAt: T0 + DAY, observedAt: T0 + DAY }), now: T0 + 30 * DAY, expected: null },
  ];
  it.each(cases)('$name', ({ objects, now, expected }) => {
    const advice = orphanedVolumeOf(usageAfter(objects), now, options, price);
    if (expected === null) {
      expect(advice).toBeNull();
      return;
    }
    expect(advice).toMatchObject({
      kind: 'ORPHANED_VOLUME',
      key: 'prod/shop/PersistentVolumeClaim/data',
      cluster: 'prod',
      generatedAt: now,
      risk: expected.risk,
      reasons: expected.reasons,
      workloadResources: null,
      // 100 GiB at 0.08 $/GiB-month: the whole cost goes.
      saving: { currentMonthlyUsd: 8, recommendedMonthlyUsd: 0, monthlySavingsUsd: 8, priceSources: ['aws-pricing'] },
      orphanedVolume: {
        target: { cluster: 'prod', namespace: 'shop', claimName: 'data', persistentVolume: 'pv-data' },
        storageClass: 'gp3',
        phase: 'Bound',
        capacityBytes: 100 * GIB,
        storageGibMonthUsd: 0.08,
        unmountedSince: expected.since,
        lastMountedBy: expected.lastMountedBy,
      },
    });
    expect(advice?.confidence).toBeCloseTo(expected.confidence, 12);
    expect(advice?.strategy.parameters.unmountedForHours).toBe(168);
  });

  it('prices an unbound claim on its request, with no volume named', () => {
    const [claim] = claimObjects();
    const unbound = { ...(claim as KubeObject), claim: { volumeName: null, storageClass: 'standard', requestBytes: 10 * GIB, capacityBytes: 0, phase: 'Pending' } };
    const advice = orphanedVolumeOf(usageAfter([unbound]), T0 + WEEK, options, price);
    expect(advice?.saving.monthlySavingsUsd).toBeCloseTo(0.8, 12);
    expect(advice?.orphanedVolume).toMatchObject({ target: { persistentVolume: null }, storageClass: 'standard', phase: 'Pending', capacityBytes: 10 * GIB });
  });
});

describe('storagePriceOf', () => {
  const prices = new PriceHistory();
  prices.add(priceUpdate({ kind: 'STORAGE', sku: 'gp3', effectiveFrom: T0, storageGibMonthUsd: 0.08, capacityType: 'UNKNOWN' }));
  prices.add(priceUpdate({ kind: 'STORAGE', sku: 'gp3', effectiveFrom: T0 + DAY, storageGibMonthUsd: 0.07, capacityType: 'UNKNOWN', source: 'pricebook', provider: 'custom' }));
  const aws = { provider: 'aws', region: 'us-east-1' };
  it.each([
    { name: 'the provider list price in effect', place: aws, at: T0 + HOUR, sku: 'gp3', expected: { gibMonthUsd: 0.08, source: 'aws-pricing' } },
    { name: 'the price book once it takes effect', place: aws, at: T0 + 2 * DAY, sku: 'gp3', expected: { gibMonthUsd: 0.07, source: 'pricebook' } },
    { name: 'before any price: the default', place: aws, at: T0 - HOUR, sku: 'gp3', expected: { gibMonthUsd: 0.04, source: 'default' } },
    { name: 'an unpriced class: the default', place: aws, at: T0 + HOUR, sku: 'io2', expected: { gibMonthUsd: 0.04, source: 'default' } },
  ])('$name', ({ place, at, sku, expected }) => {
    expect(storagePriceOf(prices, place, '', sku, at)).toEqual(expected);
  });
});

describe('VolumeTable', () => {
  it('keeps a claim\'s last mount after the pod that made it is gone, and takes the place of the cluster\'s first node', () => {
    const table = new VolumeTable();
    for (const o of [...claimObjects(), mounter('db-0', T0, T0 + DAY), nodeObject({ name: 'b', cores: 2, memoryGib: 8, provider: 'gcp', region: 'eu' }), nodeObject({ name: 'a', cores: 2, memoryGib: 8, provider: 'aws', region: 'us' })]) table.apply(o);
    expect(table.usages()[0]?.usage.lastMount).toEqual({ at: T0 + DAY, pod: 'db-0' });
    expect(table.placeOf('prod')).toEqual({ provider: 'aws', region: 'us' });
    expect(table.placeOf('other')).toEqual({ provider: 'unknown', region: '' });
    expect(table.eventTimeOf('prod')).toBe(T0 + DAY);
  });

  it('forgets deleted claims once pruned', () => {
    const table = new VolumeTable();
    for (const o of claimObjects({ deletedAt: T0 + DAY, observedAt: T0 + DAY })) table.apply(o);
    table.prune(T0 + DAY);
    expect(table.usages()).toHaveLength(1);
    table.prune(T0 + DAY + 1);
    expect(table.usages()).toHaveLength(0);
  });
});

describe('AdviceLedger over orphaned volumes', () => {
  const KEY = 'prod/shop/PersistentVolumeClaim/data';
  /** What the stage hands the ledger: each owned claim and the rule's verdict at its cluster's event time. */
  const candidatesOf = (table: VolumeTable, owned = true): Candidate[] =>
    owned ? table.usages().map(({ usage }) => ({ key: KEY, advice: orphanedVolumeOf(usage, table.eventTimeOf('prod') ?? 0, options, price) })) : [];
  /** Advances the cluster's event time with an object that changes nothing else. */
  const clock = (at: number): KubeObject => nodeObject({ name: 'node-1', cores: 2, memoryGib: 8, observedAt: at, createdAt: T0 });

  it('publishes an orphaned claim once per interval, retires it when a pod mounts it again, and sweeps after a reset', () => {
    const ledger = new AdviceLedger(HOUR);
    const table = new VolumeTable();
    for (const o of claimObjects()) table.apply(o);
    // Before the threshold, only the sweep of a fresh ledger: it cannot know what an earlier owner published.
    table.apply(clock(T0 + DAY));
    expect(ledger.evaluate(candidatesOf(table))).toEqual([{ key: KEY, recommendation: null }]);
    expect(ledger.evaluate(candidatesOf(table))).toEqual([]);
    table.apply(clock(T0 + WEEK));
    expect(ledger.evaluate(candidatesOf(table)).map((p) => p.recommendation?.generatedAt)).toEqual([T0 + WEEK]);
    // Same interval, same figures: nothing new, although confidence has moved.
    table.apply(clock(T0 + WEEK + 30 * 60_000));
    expect(ledger.evaluate(candidatesOf(table))).toEqual([]);
    table.apply(clock(T0 + WEEK + HOUR));
    expect(ledger.evaluate(candidatesOf(table)).map((p) => p.recommendation?.generatedAt)).toEqual([T0 + WEEK + HOUR]);
    table.apply(mounter('db-0', T0 + WEEK + 2 * HOUR, null));
    expect(ledger.evaluate(candidatesOf(table))).toEqual([{ key: KEY, recommendation: null }]);
    expect(ledger.evaluate(candidatesOf(table))).toEqual([]);
    ledger.reset();
    expect(ledger.evaluate(candidatesOf(table))).toEqual([{ key: KEY, recommendation: null }]);
  });

  it('republishes when the figures change within an interval, and retires a published claim once it is no longer a candidate', () => {
    const ledger = new AdviceLedger(HOUR);
    const table = new VolumeTable();
    for (const o of claimObjects()) table.apply(o);
    table.apply(clock(T0 + WEEK));
    expect(ledger.evaluate(candidatesOf(table, false))).toEqual([]);
    expect(ledger.evaluate(candidatesOf(table))).toHaveLength(1);
    const [claim, volume] = claimObjects() as [KubeObject, KubeObject];
    table.apply({ ...volume, observedAt: T0 + WEEK, volume: { ...(volume.volume as NonNullable<KubeObject['volume']>), capacityBytes: 200 * GIB } });
    expect(ledger.evaluate(candidatesOf(table)).map((p) => p.recommendation?.orphanedVolume?.capacityBytes)).toEqual([200 * GIB]);
    table.apply({ ...claim, deletedAt: T0 + WEEK + 1, observedAt: T0 + WEEK + 1 });
    table.prune(T0 + WEEK + 2);
    expect(ledger.evaluate(candidatesOf(table))).toEqual([{ key: KEY, recommendation: null }]);
  });
});
