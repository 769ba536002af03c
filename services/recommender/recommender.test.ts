import { describe, expect, it } from 'vitest';
import type { UsageSample } from '../codec/records.generated.js';
import { Recommender, usageObservationOf } from './recommender.js';
import { KRR_SIMPLE_STRATEGY } from './strategy.js';

const SAMPLE: UsageSample = {
  cluster: 'c1',
  namespace: 'shop',
  podUid: 'uid-1',
  podName: 'web-1',
  container: 'app',
  nodeName: 'n1',
  windowStart: Date.parse('2026-03-02T00:00:00Z'),
  windowSeconds: 60,
  cpuCoreSeconds: 30,
  memoryWorkingSetAvgBytes: 4e8,
  memoryWorkingSetMaxBytes: 5e8,
  networkRxBytes: null,
  networkTxBytes: null,
  gap: false,
  source: 'metrics-api',
};

describe('usageObservationOf', () => {
  it('reads cores from core-seconds and the peak from the window maximum', () => {
    expect(usageObservationOf(SAMPLE, 1)).toEqual({ podUid: 'uid-1', windowStart: SAMPLE.windowStart, windowSeconds: 60, cpuCores: 0.5, memoryPeakBytes: 5e8, cpuRequestCores: 1 });
  });

  it('gives nothing for a gap window, which is not zero usage', () => {
    expect(usageObservationOf({ ...SAMPLE, gap: true, cpuCoreSeconds: 0 }, 1)).toBeNull();
    expect(usageObservationOf({ ...SAMPLE, windowSeconds: 0 }, 1)).toBeNull();
  });
});

describe('Recommender.expire', () => {
  it('forgets containers with no sample in the window and names them for tombstones', () => {
    const recommender = new Recommender(KRR_SIMPLE_STRATEGY);
    const t0 = SAMPLE.windowStart;
    const day = 86_400_000;
    recommender.observeUsage('old', { podUid: 'a', windowStart: t0, windowSeconds: 60, cpuCores: 0.1, memoryPeakBytes: 1e8, cpuRequestCores: 1 });
    recommender.observeUsage('live', { podUid: 'b', windowStart: t0 + 14 * day, windowSeconds: 60, cpuCores: 0.1, memoryPeakBytes: 1e8, cpuRequestCores: 1 });
    expect(recommender.expire(t0 + 13 * day)).toEqual([]);
    expect(recommender.expire(t0 + 15 * day)).toEqual(['old']);
    expect(recommender.keys()).toEqual(['live']);
  });
});
