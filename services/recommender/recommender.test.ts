import { describe, expect, it } from 'vitest';
import type { UsageSample } from '../codec/records.generated.js';
import { usageObservationOf } from './recommender.js';

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
