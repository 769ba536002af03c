import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from '../../test/exporter/prometheus-text.js';
import { costAnomaly, DAY_START, MINUTE, nodeCost, podCost } from '../../test/exporter/records.js';
import { CostStore } from './cost-store.js';
import { HOURS_PER_MONTH } from './pod-costs.js';

const GRACE = 5 * MINUTE;

function storeWithClock(start = 1_000_000): { store: CostStore; clock: { now: number } } {
  const clock = { now: start };
  return { store: new CostStore({ graceMillis: GRACE, now: () => clock.now }), clock };
}

function scrape(store: CostStore) {
  return parseExposition(store.render());
}

describe('CostStore pod series', () => {
  it('shows a pod at its latest window: the sum of its containers scaled to an hour', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'web-1', container: 'app', totalCostUsd: 0.002 }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'web-1', container: 'sidecar', totalCostUsd: 0.0005 }));
    expect(sampleValue(scrape(store), 'kube_cost_pod_hourly_usd', { pod: 'web-1' })).toBeCloseTo((0.002 + 0.0005) * 60, 12);

    // The next window replaces the pod's rate; a container absent from it no longer counts.
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'web-1', container: 'app', windowStart: DAY_START + MINUTE, totalCostUsd: 0.003 }));
    // A late record of the earlier window does not move the gauge back.
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'web-1', container: 'init', totalCostUsd: 5 }));
    const families = scrape(store);
    expect(families.get('kube_cost_pod_hourly_usd')?.samples).toEqual([
      { labels: { cluster: 'prod', namespace: 'shop', pod: 'web-1', node: 'node-a' }, value: 0.003 * 60 },
    ]);
    expect(families.get('kube_cost_pod_hourly_usd')?.type).toBe('GAUGE');
  });

  it('scales by windowSeconds', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'batch', windowSeconds: 300, totalCostUsd: 0.01 }));
    expect(sampleValue(scrape(store), 'kube_cost_pod_hourly_usd', { pod: 'batch' })).toBeCloseTo(0.12, 12);
  });

  it('derives the monthly rate of the pod volume share from storageCostUsd, only for pods with volumes', () => {
    const { store } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'db-0', storageCostUsd: 0.0001 }));
    store.applyPodCost(podCost({ podUid: 'u2', podName: 'web-1' }));
    const samples = scrape(store).get('kube_cost_pod_pv_monthly_usd')?.samples;
    expect(samples).toHaveLength(1);
    expect(samples?.[0]?.labels).toEqual({ cluster: 'prod', namespace: 'shop', pod: 'db-0' });
    expect(samples?.[0]?.value).toBeCloseTo(0.0001 * 60 * HOURS_PER_MONTH, 12);
  });

  it('sums per persistent volume the monthly rate of every pod share in the pod latest window, until the last pod expires', () => {
    const { store, clock } = storeWithClock();
    const vol = (persistentVolume: string, costUsd: number, storageClass = 'gp3') => ({ persistentVolume, claim: `c-${persistentVolume}`, storageClass, capacityBytes: 2 ** 30, costUsd });
    // db-0 has two containers sharing pv-data; web-1 shares pv-shared with db-0 on 5-minute windows; an unbound claim has no volume name.
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'db-0', container: 'pg', storageCostUsd: 0.0003, volumes: [vol('pv-data', 0.0002), vol('pv-shared', 0.0001, 'efs')] }));
    store.applyPodCost(podCost({ podUid: 'u1', podName: 'db-0', container: 'backup', storageCostUsd: 0.0002, volumes: [vol('pv-data', 0.0002)] }));
    store.applyPodCost(podCost({ podUid: 'u2', podName: 'web-1', windowSeconds: 300, storageCostUsd: 0.0007, volumes: [vol('pv-shared', 0.0005, 'efs'), vol('', 0.0002)] }));
    const monthly = (usdPerWindow: number, windowSeconds = 60) => usdPerWindow * (3600 / windowSeconds) * HOURS_PER_MONTH;
    expect(scrape(store).get('kube_cost_pv_monthly_usd')?.samples.map((s) => s.labels)).toEqual([
      { cluster: 'prod', persistentvolume: 'pv-data', storage_class: 'gp3' },
      { cluster: 'prod', persistentvolume: 'pv-shared', storage_class: 'efs' },
    ]);
    expect(sampleValue(scrape(store), 'kube_cost_pv_monthly_usd', { persistentvolume: 'pv-data' })).toBeCloseTo(monthly(0.0004), 12);
    expect(sampleValue(scrape(store), 'kube_cost_pv_monthly_usd', { persistentvolume: 'pv-shared' })).toBeCloseTo(monthly(0.0001) + monthly(0.0005, 300), 12);

    // db-0's next window replaces its shares (pv-shared is no longer mounted); a redelivery adds nothing.
    clock.now += GRACE - MINUTE;
    const next = podCost({ podUid: 'u1', podName: 'db-0', container: 'pg', windowStart: DAY_START + MINUTE, storageCostUsd: 0.0003, volumes: [vol('pv-data', 0.0003)] });
    store.applyPodCost(next);
    store.applyPodCost(next);
    expect(sampleValue(scrape(store), 'kube_cost_pv_monthly_usd', { persistentvolume: 'pv-data' })).toBeCloseTo(monthly(0.0003), 12);
    expect(sampleValue(scrape(store), 'kube_cost_pv_monthly_usd', { persistentvolume: 'pv-shared' })).toBeCloseTo(monthly(0.0005, 300), 12);

    // web-1 goes silent past the grace: pv-shared, mounted by no one else now, disappears with it.
    clock.now += 2 * MINUTE;
    expect(scrape(store).get('kube_cost_pv_monthly_usd')?.samples).toEqual([
      { labels: { cluster: 'prod', persistentvolume: 'pv-data', storage_class: 'gp3' }, value: expect.closeTo(monthly(0.0003), 12) as number },
    ]);
    clock.now += GRACE;
    expect(scrape(store).get('kube_cost_pv_monthly_usd')).toBeUndefined();
  });

  it('keeps one series per pod name when a pod is recreated under the same name: the newer incarnation wins', () => {
    const { store, clock } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'old', podName: 'db-0', totalCostUsd: 0.001 }));
    clock.now += 3 * MINUTE;
    store.applyPodCost(podCost({ podUid: 'new', podName: 'db-0', windowStart: DAY_START + 3 * MINUTE, nodeName: 'node-b', totalCostUsd: 0.002 }));
    // A late record of the old incarnation does not take the series back.
    store.applyPodCost(podCost({ podUid: 'old', podName: 'db-0', windowStart: DAY_START + MINUTE, totalCostUsd: 0.009 }));
    expect(scrape(store).get('kube_cost_pod_hourly_usd')?.samples).toEqual([
      { labels: { cluster: 'prod', namespace: 'shop', pod: 'db-0', node: 'node-b' }, value: 0.002 * 60 },
    ]);
    // The old incarnation expiring leaves the new one's series in place.
    clock.now += GRACE - MINUTE;
    store.applyPodCost(podCost({ podUid: 'new', podName: 'db-0', windowStart: DAY_START + 4 * MINUTE, nodeName: 'node-b', totalCostUsd: 0.002 }));
    clock.now += 2 * MINUTE;
    expect(sampleValue(scrape(store), 'kube_cost_pod_hourly_usd', { pod: 'db-0' })).toBeCloseTo(0.12, 12);
    expect(store.sizes().pods).toBe(1);
  });

  it('drops the series of a pod with no record for longer than the grace period, by the exporter clock', () => {
    const { store, clock } = storeWithClock();
    store.applyPodCost(podCost({ podUid: 'gone', podName: 'deleted' }));
    store.applyPodCost(podCost({ podUid: 'kept', podName: 'alive' }));
    clock.now += GRACE - MINUTE;
    store.applyPodCost(podCost({ podUid: 'kept', podName: 'alive', windowStart: DAY_START + MINUTE }));
    clock.now += GRACE / 2;
    expect(scrape(store).get('kube_cost_pod_hourly_usd')?.samples.map((s) => s.labels.pod)).toEqual(['alive']);
    expect(store.sizes().pods).toBe(1);
    // The namespace's cost today is still what it was: a deleted pod's spend stays spent.
    expect(sampleValue(scrape(store), 'kube_cost_namespace_daily_usd', { namespace: 'shop' })).toBeCloseTo(3 * 0.0015, 12);
  });

  it('refuses records whose window cannot give a rate', () => {
    const { store } = storeWithClock();
    expect(store.applyPodCost(podCost({ podUid: 'u1', podName: 'p', windowSeconds: 0 }))).toBe('invalid');
    expect(store.applyNodeCost(nodeCost({ nodeName: 'n', windowSeconds: -60 }))).toBe('invalid');
    expect(store.applyPodCost(podCost({ podUid: 'u1', podName: 'p', totalCostUsd: Number.NaN }))).toBe('invalid');
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
        expect(twice.render()).toBe(once.render());
        const expectedDaily = ordered.reduce((sum, item) => sum + item.cents / 100, 0);
        expect(sampleValue(parseExposition(once.render()), 'kube_cost_namespace_daily_usd', { namespace: 'shop' })).toBeCloseTo(expectedDaily, 9);
      }),
      { numRuns: 200 },
    );
  });
});

describe('CostStore node series', () => {
  it('shows node cost and idle cost per resource from the latest window', () => {
    const { store } = storeWithClock();
    store.applyNodeCost(nodeCost({ nodeName: 'n1', capacityType: 'SPOT', instanceType: 'c5.xlarge', cpuIdleCostUsd: 0.001, memoryIdleCostUsd: 0.0005 }));
    store.applyNodeCost(nodeCost({ nodeName: 'g1', gpuCount: 1, gpuIdleCostUsd: 0.01, gpuAllocatedCostUsd: 0.02 }));
    store.applyNodeCost(nodeCost({ nodeName: 'n1', capacityType: 'SPOT', instanceType: 'c5.xlarge', windowStart: DAY_START - MINUTE, cpuIdleCostUsd: 9 }));
    const families = scrape(store);
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
  });

  it('drops a node silent for longer than the grace period', () => {
    const { store, clock } = storeWithClock();
    store.applyNodeCost(nodeCost({ nodeName: 'n1' }));
    clock.now += GRACE + 1;
    expect(store.render()).toBe('');
    expect(store.sizes().nodes).toBe(0);
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
