import { describe, expect, it } from 'vitest';
import type { ContainerObservation, PodNetworkObservation, Scrape } from './usage-observation.js';
import { WindowAggregator } from './window-aggregator.js';

const T0 = Date.parse('2026-01-03T00:00:00Z');
const S = 1000;

const aggregator = () => new WindowAggregator({ cluster: 'prod', windowSeconds: 60, source: 'kubelet-summary', maxGapWindows: 2 });

function obs(container: string, at: number, fields: Partial<ContainerObservation> = {}): ContainerObservation {
  return {
    namespace: 'shop', podName: 'web-1', podUid: 'uid-web-1', nodeName: 'node-a', container, cpuCores: null,
    cpuTotalCoreSeconds: null, memoryWorkingSetBytes: 0, sampledAt: at, ...fields,
  };
}
const ok = (scope: string, containers: ContainerObservation[], networks: PodNetworkObservation[] = []): Scrape => ({ scope, ok: true, containers, networks });
const failed = (scope: string): Scrape => ({ scope, ok: false, containers: [], networks: [] });

describe('WindowAggregator', () => {
  it('averages sampled CPU rates and memory over the window, and keeps the largest working set', () => {
    const agg = aggregator();
    [[0.25, 100], [0.5, 300], [0.75, 200], [0.5, 400]].forEach(([cores, memory], i) =>
      agg.record(ok('node-a', [obs('app', T0 + i * 15 * S, { cpuCores: cores!, memoryWorkingSetBytes: memory! })])),
    );
    expect(agg.close(T0)).toEqual([{
      cluster: 'prod', namespace: 'shop', podUid: 'uid-web-1', podName: 'web-1', container: 'app', nodeName: 'node-a', windowStart: T0,
      windowSeconds: 60, cpuCoreSeconds: 0.5 * 60, memoryWorkingSetAvgBytes: 250, memoryWorkingSetMaxBytes: 400,
      networkRxBytes: null, networkTxBytes: null, gap: false, source: 'kubelet-summary',
    }]);
  });

  it('counts a sample the source repeated only once', () => {
    const agg = aggregator();
    agg.record(ok('node-a', [obs('app', T0, { cpuCores: 1, memoryWorkingSetBytes: 100 })]));
    agg.record(ok('node-a', [obs('app', T0, { cpuCores: 1, memoryWorkingSetBytes: 100 })]));
    agg.record(ok('node-a', [obs('app', T0 + 30 * S, { cpuCores: 0, memoryWorkingSetBytes: 400 })]));
    expect(agg.close(T0)[0]).toMatchObject({ cpuCoreSeconds: 30, memoryWorkingSetAvgBytes: 250 });
  });

  it('takes CPU from the cumulative counter, carrying the last reading into the next window', () => {
    const agg = aggregator();
    agg.record(ok('node-a', [obs('app', T0 + 10 * S, { cpuCores: 9, cpuTotalCoreSeconds: 100 })]));
    agg.record(ok('node-a', [obs('app', T0 + 50 * S, { cpuCores: 9, cpuTotalCoreSeconds: 120 })]));
    expect(agg.close(T0)[0]?.cpuCoreSeconds).toBe((20 / 40) * 60);
    agg.record(ok('node-a', [obs('app', T0 + 110 * S, { cpuCores: 9, cpuTotalCoreSeconds: 210 })]));
    expect(agg.close(T0 + 60 * S)[0]?.cpuCoreSeconds).toBe((90 / 60) * 60);
  });

  it('falls back to sampled rates when the counter went backwards (a restart)', () => {
    const agg = aggregator();
    agg.record(ok('node-a', [obs('app', T0, { cpuCores: 0.5, cpuTotalCoreSeconds: 500 })]));
    agg.record(ok('node-a', [obs('app', T0 + 30 * S, { cpuCores: 1.5, cpuTotalCoreSeconds: 3 })]));
    expect(agg.close(T0)[0]?.cpuCoreSeconds).toBe(60);
  });

  it('reports network growth of the pod on its first container only, from the previous window on', () => {
    const agg = aggregator();
    const net = (at: number, rx: number, tx: number): PodNetworkObservation => ({ podUid: 'uid-web-1', rxBytes: rx, txBytes: tx, sampledAt: at });
    agg.record(ok('node-a', [obs('sidecar', T0), obs('app', T0)], [net(T0, 1000, 50)]));
    agg.record(ok('node-a', [obs('sidecar', T0 + 30 * S), obs('app', T0 + 30 * S)], [net(T0 + 30 * S, 1600, 80)]));
    const first = agg.close(T0);
    expect(first.map((s) => [s.container, s.networkRxBytes, s.networkTxBytes])).toEqual([['sidecar', null, null], ['app', 600, 30]]);
    agg.record(ok('node-a', [obs('app', T0 + 70 * S)], [net(T0 + 70 * S, 2000, 100)]));
    expect(agg.close(T0 + 60 * S).filter((s) => !s.gap).map((s) => [s.container, s.networkRxBytes, s.networkTxBytes])).toEqual([['app', 400, 20]]);
  });

  it('leaves network null with a single reading and nothing before it', () => {
    const agg = aggregator();
    agg.record(ok('node-a', [obs('app', T0)], [{ podUid: 'uid-web-1', rxBytes: 10, txBytes: 10, sampledAt: T0 }]));
    expect(agg.close(T0)[0]).toMatchObject({ networkRxBytes: null, networkTxBytes: null });
  });

  it('reports a window whose scope never answered as a gap with zeros, for the containers last seen there', () => {
    const agg = aggregator();
    agg.record(ok('node-a', [obs('app', T0, { cpuCores: 1, memoryWorkingSetBytes: 10 })]));
    agg.record(ok('node-b', [obs('db', T0, { podUid: 'uid-db', podName: 'db-0', nodeName: 'node-b', cpuCores: 2, memoryWorkingSetBytes: 20 })]));
    agg.close(T0);
    agg.record(failed('node-a'));
    agg.record(ok('node-b', [obs('db', T0 + 61 * S, { podUid: 'uid-db', podName: 'db-0', nodeName: 'node-b', cpuCores: 2, memoryWorkingSetBytes: 20 })]));
    const second = agg.close(T0 + 60 * S);
    expect(second.map((s) => [s.podUid, s.gap, s.cpuCoreSeconds, s.memoryWorkingSetMaxBytes])).toEqual([['uid-db', false, 120, 20], ['uid-web-1', true, 0, 0]]);
    expect(second.find((s) => s.gap)).toMatchObject({ windowStart: T0 + 60 * S, memoryWorkingSetAvgBytes: 0, networkRxBytes: null, container: 'app' });
  });

  it('reports missed windows (no scrape at all) as gaps, up to the limit, and none for a pod known to be deleted', () => {
    const agg = aggregator();
    agg.record(ok('node-a', [obs('app', T0, { cpuCores: 1 })]));
    agg.record(ok('node-a', [obs('app', T0, { podUid: 'uid-gone', podName: 'gone' })]));
    agg.close(T0);
    const gaps = [1, 2, 3].map((w) => agg.close(T0 + w * 60 * S, (uid) => uid !== 'uid-gone'));
    expect(gaps.map((samples) => samples.map((s) => [s.podUid, s.gap]))).toEqual([[['uid-web-1', true]], [['uid-web-1', true]], []]);
  });

  it('drops a container that its scope no longer reports: it ended, it is not a gap', () => {
    const agg = aggregator();
    agg.record(ok('node-a', [obs('app', T0, { cpuCores: 1 })]));
    agg.close(T0);
    agg.record(ok('node-a', []));
    expect(agg.close(T0 + 60 * S)).toEqual([]);
  });
});
