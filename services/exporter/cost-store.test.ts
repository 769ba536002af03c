import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from '../../test/exporter/prometheus-text.js';
import { costAnomaly, DAY_START, MINUTE, nodeCost, podCost } from '../../test/exporter/records.js';
import { CostStore } from './cost-store.js';
import { HOURS_PER_MONTH } from './window-book.js';

const GRACE = 5 * MINUTE;

function storeWithClock(start = 1_000_000): { store: CostStore; clock: { now: number } } {
  const clock = { now: start };
  return { store: new CostStore({ graceMillis: GRACE, now: () => clock.now }), clock };
}

function scrape(store: CostStore) {
  return parseExposition(store.render());
}

/** What a check that finds every partition already read gives: every window before the newest read is complete. */
function completeAllButNewest(store: CostStore): void {
  store.seal(store.sealTargets());
}

const W0 = DAY_START;
const W1 = DAY_START + MINUTE;
const W2 = DAY_START + 2 * MINUTE;

describe('CostStore window series', () => {
  it('serves nothing until a later window has been read and a check succeeded, then the whole window', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'web-1', container: 'app', windowStart: W0, totalCostUsd: 0.002 }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'web-1', container: 'sidecar', windowStart: W0, totalCostUsd: 0.0005 }));
    completeAllButNewest(store);
    expect(scrape(store).get('kube_cost_pod_hourly_usd')).toBeUndefined();

    store.applyPodCost(podCost({ podUid: 'u2', podName: 'worker-1', windowStart: W0, totalCostUsd: 0.001 }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'web-1', container: 'app', windowStart: W1, totalCostUsd: 0.003 }));
    // A later window was read, but no check has succeeded since.
    expect(scrape(store).get('kube_cost_pod_hourly_usd')).toBeUndefined();
    completeAllButNewest(store);
    const families = scrape(store);
    expect(families.get('kube_cost_pod_hourly_usd')?.samples).toEqual([
      { labels: { cluster: 'prod', namespace: 'shop', pod: 'web-1', node: 'node-a' }, value: expect.closeTo(0.0025 * 60, 12) as number },
      { labels: { cluster: 'prod', namespace: 'shop', pod: 'worker-1', node: 'node-a' }, value: expect.closeTo(0.001 * 60, 12) as number },
    ]);
    expect(families.get('kube_cost_pod_hourly_usd')?.type).toBe('GAUGE');
    expect(sampleValue(families, 'kube_cost_window_start_seconds', { cluster: 'prod' })).toBe(W0 / 1000);
  });

  it('shows only the pods of the latest complete window: a pod absent from it has no series', () => {
    const { store } = storeWithClock();
    const windows: Array<{ start: number; pods: Record<string, number> }> = [
      { start: W0, pods: { a: 0.001, b: 0.002 } },
      { start: W1, pods: { b: 0.003, c: 0.004 } },
      { start: W2, pods: { c: 0.005 } },
    ];
    for (const { start, pods } of windows) {
      for (const [name, usd] of Object.entries(pods)) store.applyPodCost(podCost({ podUid: `u-${name}`, podName: name, windowStart: start, totalCostUsd: usd }));
      completeAllButNewest(store);
    }
    const samples = scrape(store).get('kube_cost_pod_hourly_usd')?.samples ?? [];
    expect(samples.map((s) => s.labels.pod)).toEqual(['b', 'c']);
    expect(samples.reduce((sum, s) => sum + s.value, 0)).toBeCloseTo((0.003 + 0.004) * 60, 12);
    expect(sampleValue(scrape(store), 'kube_cost_window_start_seconds', {})).toBe(W1 / 1000);
  });

  it('seals only the windows before the newest one read when the check started', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W0, totalCostUsd: 0.001 }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W1, totalCostUsd: 0.002 }));
    const targets = store.sealTargets();
    // Read while the check was looking up the ends: W1 may still miss records on partitions not read yet.
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W2, totalCostUsd: 0.003 }));
    expect(store.hasUnsealed()).toBe(true);
    store.seal(targets);
    expect(sampleValue(scrape(store), 'kube_cost_pod_hourly_usd', { pod: 'a' })).toBeCloseTo(0.06, 12);
    completeAllButNewest(store);
    expect(store.hasUnsealed()).toBe(false);
    expect(sampleValue(scrape(store), 'kube_cost_pod_hourly_usd', { pod: 'a' })).toBeCloseTo(0.12, 12);
  });

  it('keeps the window a check in flight will serve while newer windows arrive', () => {
    const { store } = storeWithClock();
    for (const start of [W0, W1]) store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: start, totalCostUsd: start === W0 ? 0.001 : 0.002 }));
    const targets = store.sealTargets();
    // Three more windows while the ends are looked up: the newest three need keeping, and the newest two before W1 (W0).
    for (let i = 2; i < 6; i++) store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W0 + i * MINUTE, totalCostUsd: 0.003 }));
    expect(store.sizes().windows).toBe(4);
    store.seal(targets);
    expect(sampleValue(scrape(store), 'kube_cost_window_start_seconds', {})).toBe(W0 / 1000);
    completeAllButNewest(store);
    expect(sampleValue(scrape(store), 'kube_cost_window_start_seconds', {})).toBe((W0 + 4 * MINUTE) / 1000);
  });

  it('counts a redelivered container window once, takes a late record of the served window, and ignores older windows', () => {
    const { store } = storeWithClock();
    const app = podCost({ podUid: 'u1', podName: 'a', windowStart: W0, totalCostUsd: 0.001 });
    store.applyPodCost(app);
    expect(store.applyPodCost(app)).toBe('duplicate');
    store.applyPodCost(podCost({ podUid: 'u9', podName: 'z', windowStart: W1 }));
    completeAllButNewest(store);
    expect(sampleValue(scrape(store), 'kube_cost_pod_hourly_usd', { pod: 'a' })).toBeCloseTo(0.06, 12);
    // Another processor instance closed W0 a moment later than the one that published W1.
    store.applyPodCost(podCost({ podUid: 'u2', podName: 'b', windowStart: W0, totalCostUsd: 0.002 }));
    store.applyPodCost(podCost({ podUid: 'u3', podName: 'old', windowStart: W0 - MINUTE, totalCostUsd: 5 }));
    const samples = scrape(store).get('kube_cost_pod_hourly_usd')?.samples;
    expect(samples?.map((s) => [s.labels.pod, Number(s.value.toFixed(9))])).toEqual([
      ['a', 0.06],
      ['b', 0.12],
    ]);
  });

  it('sums two incarnations of one pod name within a window, and shows only the incarnation of the served window', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'old', podName: 'db-0', windowStart: W0, totalCostUsd: 0.001 }));
    store.applyPodCost(podCost({ podUid: 'new', podName: 'db-0', windowStart: W0, nodeName: 'node-b', totalCostUsd: 0.002 }));
    store.applyPodCost(podCost({ podUid: 'new', podName: 'db-0', windowStart: W1, nodeName: 'node-b', totalCostUsd: 0.002 }));
    completeAllButNewest(store);
    expect(scrape(store).get('kube_cost_pod_hourly_usd')?.samples).toEqual([
      { labels: { cluster: 'prod', namespace: 'shop', pod: 'db-0', node: 'node-b' }, value: expect.closeTo(0.003 * 60, 12) as number },
    ]);
    store.applyPodCost(podCost({ podUid: 'new', podName: 'db-0', windowStart: W2, nodeName: 'node-b', totalCostUsd: 0.002 }));
    completeAllButNewest(store);
    expect(sampleValue(scrape(store), 'kube_cost_pod_hourly_usd', { pod: 'db-0' })).toBeCloseTo(0.12, 12);
  });

  it('scales by windowSeconds', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'batch', windowSeconds: 300, totalCostUsd: 0.01 }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'batch', windowSeconds: 300, windowStart: W0 + 5 * MINUTE, totalCostUsd: 0.01 }));
    completeAllButNewest(store);
    expect(sampleValue(scrape(store), 'kube_cost_pod_hourly_usd', { pod: 'batch' })).toBeCloseTo(0.12, 12);
  });

  it('sums per persistent volume the monthly rate of every pod share in the served window', () => {
    const { store } = storeWithClock();
    const vol = (persistentVolume: string, costUsd: number, storageClass = 'gp3') => ({ persistentVolume, claim: `c-${persistentVolume}`, storageClass, capacityBytes: 2 ** 30, costUsd, providerVolumeId: null });
    // db-0 has two containers sharing pv-data; web-1 shares pv-shared with db-0; an unbound claim has no volume name.
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'db-0', container: 'pg', storageCostUsd: 0.0003, volumes: [vol('pv-data', 0.0002), vol('pv-shared', 0.0001, 'efs')] }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'db-0', container: 'backup', storageCostUsd: 0.0002, volumes: [vol('pv-data', 0.0002)] }));
    store.applyPodCost(podCost({ podUid: 'u2', podName: 'web-1', storageCostUsd: 0.0007, volumes: [vol('pv-shared', 0.0005, 'efs'), vol('', 0.0002)] }));
    store.applyPodCost(podCost({ podUid: 'u3', podName: 'plain' }));
    // The next window: db-0 alone, no longer mounting pv-shared.
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'db-0', container: 'pg', windowStart: W1, storageCostUsd: 0.0003, volumes: [vol('pv-data', 0.0003)] }));
    completeAllButNewest(store);
    const monthly = (usdPerWindow: number) => usdPerWindow * 60 * HOURS_PER_MONTH;
    let families = scrape(store);
    expect(families.get('kube_cost_pv_monthly_usd')?.samples.map((s) => s.labels)).toEqual([
      { cluster: 'prod', persistentvolume: 'pv-data', storage_class: 'gp3' },
      { cluster: 'prod', persistentvolume: 'pv-shared', storage_class: 'efs' },
    ]);
    expect(sampleValue(families, 'kube_cost_pv_monthly_usd', { persistentvolume: 'pv-data' })).toBeCloseTo(monthly(0.0004), 12);
    expect(sampleValue(families, 'kube_cost_pv_monthly_usd', { persistentvolume: 'pv-shared' })).toBeCloseTo(monthly(0.0006), 12);
    expect(families.get('kube_cost_pod_pv_monthly_usd')?.samples.map((s) => [s.labels.pod, Number(s.value.toFixed(6))])).toEqual([
      ['db-0', Number(monthly(0.0005).toFixed(6))],
      ['web-1', Number(monthly(0.0007).toFixed(6))],
    ]);

    store.applyPodCost(podCost({ podUid: 'u1', podName: 'db-0', container: 'pg', windowStart: W2 }));
    completeAllButNewest(store);
    families = scrape(store);
    expect(families.get('kube_cost_pv_monthly_usd')?.samples).toEqual([
      { labels: { cluster: 'prod', persistentvolume: 'pv-data', storage_class: 'gp3' }, value: expect.closeTo(monthly(0.0003), 12) as number },
    ]);
    expect(families.get('kube_cost_pod_pv_monthly_usd')?.samples.map((s) => s.labels.pod)).toEqual(['db-0']);
  });

  it('serves the hourly spot savings of each namespace in the window, 0 where it runs on demand', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', container: 'app', capacityType: 'SPOT', spotSavingsUsd: 0.0007 }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', container: 'side', capacityType: 'SPOT', spotSavingsUsd: 0.0001 }));
    store.applyPodCost(podCost({ podUid: 'u2', podName: 'b', namespace: 'ondemand' }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W1, capacityType: 'SPOT', spotSavingsUsd: 1 }));
    completeAllButNewest(store);
    const family = scrape(store).get('kube_cost_spot_savings_hourly_usd');
    expect(family?.type).toBe('GAUGE');
    expect(family?.samples.map((s) => [s.labels.namespace, Number(s.value.toFixed(9))])).toEqual([
      ['shop', 0.048],
      ['ondemand', 0],
    ]);
  });

  it('keeps the windows of each cluster apart', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W0, totalCostUsd: 0.001 }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W1, totalCostUsd: 0.002 }));
    // A cluster a window behind, whose newest window is not complete yet.
    store.applyPodCost(podCost({ cluster: 'edge', podUid: 'e1', podName: 'e', windowStart: W0, totalCostUsd: 0.004 }));
    completeAllButNewest(store);
    const families = scrape(store);
    expect(families.get('kube_cost_pod_hourly_usd')?.samples.map((s) => [s.labels.cluster, s.labels.pod])).toEqual([['prod', 'a']]);
    expect(families.get('kube_cost_window_start_seconds')?.samples).toEqual([{ labels: { cluster: 'prod' }, value: W0 / 1000 }]);
  });

  it('holds a few windows while it replays a day, and serves the newest complete one', () => {
    const { store } = storeWithClock();
    for (let minute = 0; minute < 1440; minute++) {
      for (let pod = 0; pod < 3; pod++) store.applyPodCost(podCost({ podUid: `u${pod}`, podName: `p${pod}`, windowStart: DAY_START + minute * MINUTE, totalCostUsd: minute / 1e6 }));
      expect(store.sizes().windows).toBeLessThanOrEqual(3);
    }
    completeAllButNewest(store);
    expect(sampleValue(scrape(store), 'kube_cost_window_start_seconds', {})).toBe((DAY_START + 1438 * MINUTE) / 1000);
    expect(sampleValue(scrape(store), 'kube_cost_pod_hourly_usd', { pod: 'p0' })).toBeCloseTo((1438 / 1e6) * 60, 12);
  });

  it('never serves a window with a record stamped before the replay position allows: it may be missing records', () => {
    const clock = { now: 1_000_000 };
    const store = new CostStore({ graceMillis: GRACE, now: () => clock.now, servableFromMillis: 500_000 });
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W0 }), 499_999);
    store.applyPodCost(podCost({ podUid: 'u2', podName: 'b', windowStart: W0 }), 600_000);
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W1 }), 600_000);
    completeAllButNewest(store);
    expect(scrape(store).get('kube_cost_pod_hourly_usd')).toBeUndefined();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W2 }), 600_000);
    completeAllButNewest(store);
    expect(scrape(store).get('kube_cost_pod_hourly_usd')?.samples.map((s) => s.labels.pod)).toEqual(['a']);
  });

  it('drops the series of a cluster with no record for longer than the grace period, by the exporter clock', () => {
    const { store, clock } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W0 }));
    store.applyNodeCost(nodeCost({ nodeName: 'n1', windowStart: W0 }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: W1 }));
    completeAllButNewest(store);
    clock.now += GRACE - MINUTE;
    expect(scrape(store).get('kube_cost_pod_hourly_usd')?.samples).toHaveLength(1);
    clock.now += 2 * MINUTE;
    const families = scrape(store);
    for (const name of ['kube_cost_pod_hourly_usd', 'kube_cost_node_hourly_usd', 'kube_cost_window_start_seconds']) expect(families.get(name), name).toBeUndefined();
    expect(store.sizes().windows).toBe(0);
    // The namespace's cost today is still what it was: spent is spent.
    expect(sampleValue(families, 'kube_cost_namespace_daily_usd', { namespace: 'shop' })).toBeCloseTo(2 * 0.0015, 12);
  });

  it('refuses records whose window cannot give a rate', () => {
    const { store } = storeWithClock();
    expect(store.applyPodCost(podCost({ podUid: 'u1', podName: 'p', windowSeconds: 0 }))).toBe('invalid');
    expect(store.applyNodeCost(nodeCost({ nodeName: 'n', windowSeconds: -60 }))).toBe('invalid');
    expect(store.applyPodCost(podCost({ podUid: 'u1', podName: 'p', totalCostUsd: Number.NaN }))).toBe('invalid');
    completeAllButNewest(store);
    expect(store.render()).toBe('');
  });
});

describe('CostStore namespace sums', () => {
  it('sums the cost of the current UTC day and restarts at the first window of the next day', () => {
    const { store } = storeWithClock();
    const lastOfDay = DAY_START + 86_400_000 - MINUTE;
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: lastOfDay - MINUTE, totalCostUsd: 1 }));
    store.applyPodCost(podCost({ podUid: 'u2', podName: 'b', windowStart: lastOfDay, totalCostUsd: 2 }));
    store.applyPodCost(podCost({ podUid: 'u3', podName: 'c', namespace: 'batch', windowStart: lastOfDay, totalCostUsd: 4 }));
    store.applyPodCost(podCost({ podUid: 'u9', podName: 'z', cluster: 'other', windowStart: DAY_START, totalCostUsd: 8 }));
    let families = scrape(store);
    expect(sampleValue(families, 'kube_cost_namespace_daily_usd', { cluster: 'prod', namespace: 'shop' })).toBe(3);
    expect(sampleValue(families, 'kube_cost_namespace_daily_usd', { cluster: 'prod', namespace: 'batch' })).toBe(4);

    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', windowStart: lastOfDay + MINUTE, totalCostUsd: 16 }));
    // A late window of the day before counts for no day.
    store.applyPodCost(podCost({ podUid: 'u3', podName: 'c', namespace: 'batch', windowStart: lastOfDay - MINUTE, totalCostUsd: 32 }));
    families = scrape(store);
    expect(families.get('kube_cost_namespace_daily_usd')?.samples).toEqual([
      { labels: { cluster: 'other', namespace: 'shop' }, value: 8 },
      { labels: { cluster: 'prod', namespace: 'shop' }, value: 16 },
    ]);
  });

  it('counts spot savings per namespace as a counter', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', capacityType: 'SPOT', spotSavingsUsd: 0.25 }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'a', capacityType: 'SPOT', windowStart: DAY_START + MINUTE, spotSavingsUsd: 0.5 }));
    store.applyPodCost(podCost({ podUid: 'u2', podName: 'b', namespace: 'ondemand' }));
    const family = scrape(store).get('kube_cost_spot_savings_usd_total');
    expect(family?.type).toBe('COUNTER');
    expect(family?.samples).toEqual([{ labels: { cluster: 'prod', namespace: 'shop' }, value: 0.75 }]);
  });

  it('is idempotent: redelivered records change no gauge and no counter (property)', () => {
    const windows = fc.array(
      fc.record({
        pod: fc.integer({ min: 0, max: 3 }),
        container: fc.constantFrom('app', 'sidecar'),
        minute: fc.integer({ min: 0, max: 5 }),
        cents: fc.integer({ min: 0, max: 1000 }),
      }),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(windows, fc.array(fc.nat(), { maxLength: 40 }), (items, redeliveries) => {
        // One record per container-window, in window order per container, as a partition carries them.
        const unique = new Map<string, (typeof items)[number]>();
        for (const item of items) unique.set(`${item.pod}/${item.container}/${item.minute}`, item);
        const ordered = [...unique.values()].sort((a, b) => a.minute - b.minute);
        const records = ordered.map((item) =>
          podCost({
            podUid: `u${item.pod}`,
            podName: `p${item.pod}`,
            container: item.container,
            windowStart: DAY_START + item.minute * MINUTE,
            totalCostUsd: item.cents / 100,
            spotSavingsUsd: item.cents / 1000,
          }),
        );
        const once = storeWithClock().store;
        for (const record of records) once.applyPodCost(record);
        const twice = storeWithClock().store;
        for (const [i, record] of records.entries()) {
          twice.applyPodCost(record);
          // Redeliver an earlier prefix, as a consumer restarting from its last commit would.
          const back = redeliveries[i];
          if (back !== undefined) for (const again of records.slice(Math.max(0, i - (back % 5)), i + 1)) twice.applyPodCost(again);
        }
        completeAllButNewest(once);
        completeAllButNewest(twice);
        expect(twice.render()).toBe(once.render());
        const expectedDaily = ordered.reduce((sum, item) => sum + item.cents / 100, 0);
        expect(sampleValue(parseExposition(once.render()), 'kube_cost_namespace_daily_usd', { namespace: 'shop' })).toBeCloseTo(expectedDaily, 9);
      }),
      { numRuns: 200 },
    );
  });
});

describe('CostStore node series', () => {
  it('shows node cost and idle cost per resource of the nodes in the served window', () => {
    const { store } = storeWithClock();
    store.applyNodeCost(nodeCost({ nodeName: 'n1', capacityType: 'SPOT', instanceType: 'c5.xlarge', cpuIdleCostUsd: 0.001, memoryIdleCostUsd: 0.0005 }));
    store.applyNodeCost(nodeCost({ nodeName: 'g1', gpuCount: 1, gpuIdleCostUsd: 0.01, gpuAllocatedCostUsd: 0.02 }));
    store.applyNodeCost(nodeCost({ nodeName: 'n1', capacityType: 'SPOT', instanceType: 'c5.xlarge', windowStart: W0 - MINUTE, cpuIdleCostUsd: 9 }));
    expect(store.applyNodeCost(nodeCost({ nodeName: 'g1', gpuCount: 1, gpuIdleCostUsd: 0.01, gpuAllocatedCostUsd: 0.02 }))).toBe('duplicate');
    store.applyNodeCost(nodeCost({ nodeName: 'n1', windowStart: W1 }));
    completeAllButNewest(store);
    let families = scrape(store);
    const n1 = nodeCost({ nodeName: 'n1', cpuIdleCostUsd: 0.001, memoryIdleCostUsd: 0.0005 });
    expect(sampleValue(families, 'kube_cost_node_hourly_usd', { node: 'n1' })).toBeCloseTo(n1.costUsd * 60, 12);
    expect(families.get('kube_cost_node_hourly_usd')?.samples[0]?.labels).toEqual({ cluster: 'prod', node: 'n1', instance_type: 'c5.xlarge', capacity_type: 'SPOT' });
    expect(families.get('kube_cost_idle_hourly_usd')?.samples.map((s) => [s.labels.node, s.labels.resource, Number(s.value.toFixed(9))])).toEqual([
      ['n1', 'cpu', 0.06],
      ['n1', 'memory', 0.03],
      ['g1', 'cpu', 0.024],
      ['g1', 'memory', 0.012],
      ['g1', 'gpu', 0.6],
    ]);

    // g1 has no cost in W1: a processor instance behind the others, or a node gone. W0 stays served until W1 is known
    // complete by the read positions and the window after it, then W1 is served without g1.
    store.applyNodeCost(nodeCost({ nodeName: 'n1', windowStart: W2 }));
    completeAllButNewest(store);
    expect(scrape(store).get('kube_cost_node_hourly_usd')?.samples.map((s) => s.labels.node)).toEqual(['n1', 'g1']);
    store.applyNodeCost(nodeCost({ nodeName: 'n1', windowStart: W2 + MINUTE }));
    completeAllButNewest(store);
    families = scrape(store);
    expect(sampleValue(families, 'kube_cost_window_start_seconds', {})).toBe(W1 / 1000);
    expect(families.get('kube_cost_node_hourly_usd')?.samples.map((s) => s.labels.node)).toEqual(['n1']);
    expect(families.get('kube_cost_idle_hourly_usd')?.samples.map((s) => s.labels.resource)).toEqual(['cpu', 'memory']);
    store.applyNodeCost(nodeCost({ nodeName: 'n1', windowStart: W2 + 2 * MINUTE }));
    completeAllButNewest(store);
    expect(sampleValue(scrape(store), 'kube_cost_window_start_seconds', {})).toBe((W2 + MINUTE) / 1000);
  });

  it('does not serve a window that one processor instance has published and another not yet', () => {
    const { store } = storeWithClock();
    // Instance A prices node-a, instance B node-b; each publishes its pods and its node, per window.
    const publish = (instance: 'a' | 'b', windowStart: number) => {
      store.applyNodeCost(nodeCost({ nodeName: `node-${instance}`, windowStart }));
      store.applyPodCost(podCost({ podUid: `u-${instance}`, podName: `pod-${instance}`, nodeName: `node-${instance}`, windowStart, totalCostUsd: 0.001 }));
    };
    publish('a', W0);
    publish('b', W0);
    publish('a', W1);
    completeAllButNewest(store);
    const total = () => (scrape(store).get('kube_cost_pod_hourly_usd')?.samples ?? []).reduce((sum, s) => sum + s.value, 0);
    expect(total()).toBeCloseTo(0.12, 12);
    // A moves on to W2 while B has not published W1: W1 lacks node-b, so W0 stays.
    publish('a', W2);
    completeAllButNewest(store);
    expect(sampleValue(scrape(store), 'kube_cost_window_start_seconds', {})).toBe(W0 / 1000);
    // B catches up with W1, A is at W3: W2 still lacks node-b, W1 is whole.
    publish('b', W1);
    publish('a', W2 + MINUTE);
    completeAllButNewest(store);
    expect(sampleValue(scrape(store), 'kube_cost_window_start_seconds', {})).toBe(W1 / 1000);
    expect(total()).toBeCloseTo(0.12, 12);
  });
});

describe('CostStore anomaly scores', () => {
  it('shows the latest score per cluster, scope and key for the scored interval after it arrived', () => {
    const { store, clock } = storeWithClock();
    store.applyAnomaly(costAnomaly({ key: 'shop/Deployment/web', score: 4.2 }));
    store.applyAnomaly(costAnomaly({ key: 'shop', scope: 'NAMESPACE', score: -3.5 }));
    store.applyAnomaly(costAnomaly({ key: 'shop/Deployment/web', score: 7.5, windowStart: DAY_START + 3_600_000 }));
    store.applyAnomaly(costAnomaly({ key: 'shop/Deployment/web', score: 1, windowStart: DAY_START - 3_600_000 }));
    expect(scrape(store).get('kube_cost_anomaly_score')?.samples).toEqual([
      { labels: { cluster: 'prod', scope: 'WORKLOAD', key: 'shop/Deployment/web' }, value: 7.5 },
      { labels: { cluster: 'prod', scope: 'NAMESPACE', key: 'shop' }, value: -3.5 },
    ]);
    clock.now += 3_600_000 + 1;
    expect(store.render()).toBe('');
  });
});
