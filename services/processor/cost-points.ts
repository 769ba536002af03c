import type { PodCost } from '../codec/records.generated.js';
import type { CostPoint } from './anomaly-detector.js';

const HOUR = 3_600_000;

/**
 * Sums priced containers into one cost point per workload (bare pods: per
 * namespace, with an empty workload) and hour: what the scoring stage needs,
 * in a fraction of the records. A point's windowStart is the earliest window
 * it covers, so it always falls in its hour.
 */
export function workloadCostPoints(costs: readonly PodCost[]): CostPoint[] {
  const points = new Map<string, { -readonly [K in keyof CostPoint]: CostPoint[K] }>();
  for (const cost of costs) {
    const hour = Math.floor(cost.windowStart / HOUR);
    const id = `${cost.cluster}\u0000${cost.namespace}\u0000${cost.workloadKind}\u0000${cost.workloadName}\u0000${hour}`;
    const point = points.get(id);
    if (point) {
      point.totalCostUsd += finite(cost.totalCostUsd);
      point.onDemandCostUsd += finite(cost.onDemandCostUsd);
      point.windowStart = Math.min(point.windowStart, cost.windowStart);
    } else {
      points.set(id, {
        cluster: cost.cluster,
        namespace: cost.namespace,
        workloadKind: cost.workloadKind,
        workloadName: cost.workloadName,
        windowStart: cost.windowStart,
        totalCostUsd: finite(cost.totalCostUsd),
        onDemandCostUsd: finite(cost.onDemandCostUsd),
      });
    }
  }
  return [...points.values()];
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}
