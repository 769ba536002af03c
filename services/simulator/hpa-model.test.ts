import { describe, expect, it } from 'vitest';
import { autoscaledReplicas } from './hpa-model.js';

const spec = { minReplicas: 2, maxReplicas: 6, targetUtilizationPercent: 50, cpuRequestCores: 1 };
const MINUTE = 60_000;

describe('autoscaledReplicas', () => {
  it('follows demand at once upwards, within min and max', () => {
    // 0.5 cores per replica at target: 0.2 → min 2; 1.6 → 4; 2.2 → 5; 9 → max 6.
    expect(autoscaledReplicas(spec, [0.2, 1.6, 2.2, 9], MINUTE)).toEqual([2, 4, 5, 6]);
  });

  it('holds within the 10 % tolerance', () => {
    // 4 replicas hold 2 cores at target; 2.15 is 7.5 % above, 2.3 is 15 % above.
    expect(autoscaledReplicas(spec, [2, 2.15, 1.85, 2.3], MINUTE)).toEqual([4, 4, 4, 5]);
  });

  it('scales down only to the highest recommendation of the last 5 minutes', () => {
    const demand = [2.9, 1, 1, 1, 1, 1, 1];
    expect(autoscaledReplicas(spec, demand, MINUTE)).toEqual([6, 6, 6, 6, 6, 2, 2]);
    // With 5-minute windows the stabilization spans one window: down at once.
    expect(autoscaledReplicas(spec, demand, 5 * MINUTE)).toEqual([6, 2, 2, 2, 2, 2, 2]);
  });
});
