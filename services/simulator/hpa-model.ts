/** An autoscaler as the simulator runs it: autoscaling/v2 on CPU utilization of the request. */
export interface AutoscalerSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetUtilizationPercent: number;
  /** CPU request of one replica, cores. */
  readonly cpuRequestCores: number;
}

// The HPA controller's defaults (kube-controller-manager): no change while
// the ratio is within 10 % of 1, and scale-down only to the highest
// recommendation of the last 5 minutes.
const TOLERANCE = 0.1;
const DOWNSCALE_STABILIZATION_MILLIS = 5 * 60_000;

/**
 * Replicas an HPA keeps in each window, given the workload's total CPU
 * demand (cores) at each window's start: desired = ceil(demand ÷ (request ×
 * target)), kept while within the tolerance, clamped to [min, max], and
 * scaled down no lower than the highest recommendation of the stabilization
 * window. Pure: the same demand always gives the same replica counts.
 */
export function autoscaledReplicas(spec: AutoscalerSpec, demandCores: readonly number[], windowMillis: number): number[] {
  const clamp = (n: number): number => Math.min(spec.maxReplicas, Math.max(spec.minReplicas, n));
  const perReplicaAtTarget = spec.cpuRequestCores * (spec.targetUtilizationPercent / 100);
  const stabilization = Math.max(1, Math.ceil(DOWNSCALE_STABILIZATION_MILLIS / windowMillis));
  const recommendations: number[] = [];
  const replicas: number[] = [];
  let current = 0;
  for (const demand of demandCores) {
    const wanted = clamp(Math.ceil(demand / perReplicaAtTarget - 1e-9));
    const ratio = current === 0 ? Number.POSITIVE_INFINITY : demand / (current * perReplicaAtTarget);
    const recommendation = Math.abs(ratio - 1) <= TOLERANCE ? current : wanted;
    recommendations.push(recommendation);
    const recent = recommendations.slice(-stabilization);
    current = recommendation >= current ? recommendation : Math.max(...recent);
    replicas.push(current);
  }
  return replicas;
}
