import type { DisruptionBudgetState } from '../codec/records.generated.js';
import type { Workload } from './cluster-plan.js';
import type { ReplicaCounts } from './workload-status.js';

/**
 * How a simulated PodDisruptionBudget bounds its Deployment:
 * - `ONE_AT_A_TIME`: maxUnavailable 1, so a node drain (or a spot
 *   interruption) may take one replica while the rest are healthy;
 * - `NONE`: minAvailable 100 %, so no voluntary disruption is ever allowed.
 */
export type BudgetPolicy = 'ONE_AT_A_TIME' | 'NONE';

/** A PodDisruptionBudget of the simulated cluster, over one Deployment's pods (selector app=<name>). */
export interface DisruptionBudgetPlan {
  readonly workload: Workload;
  readonly policy: BudgetPolicy;
  readonly name: string;
}

/**
 * Gives the first two multi-replica CPU Deployments of the cluster (in plan
 * order) a PodDisruptionBudget, one that allows a disruption and one that
 * allows none; every other Deployment has none. Chosen from the plan
 * without random draws, so the rest of the cluster stays as it was.
 */
export function planDisruptionBudgets(workloads: readonly Workload[]): DisruptionBudgetPlan[] {
  const candidates = workloads.filter((w) => w.kind === 'Deployment' && w.replicas > 1 && !w.gpu).sort((a, b) => a.id - b.id);
  const policies: BudgetPolicy[] = ['ONE_AT_A_TIME', 'NONE'];
  return candidates.slice(0, policies.length).map((workload, i) => ({ workload, policy: policies[i] as BudgetPolicy, name: `${workload.name}-pdb` }));
}

/**
 * The budget's state as the disruption controller computes it from its
 * Deployment's replicas: expected pods are the desired replicas, healthy
 * ones those running on a node, and a disruption is allowed while more are
 * healthy than the budget requires.
 */
export function disruptionBudgetState(budget: DisruptionBudgetPlan, counts: ReplicaCounts): DisruptionBudgetState {
  const desiredHealthy = budget.policy === 'NONE' ? counts.desired : Math.max(0, counts.desired - 1);
  return {
    minAvailable: budget.policy === 'NONE' ? '100%' : null,
    maxUnavailable: budget.policy === 'NONE' ? null : '1',
    matchLabels: { app: budget.workload.name },
    matchExpressions: [],
    disruptionsAllowed: Math.max(0, counts.ready - desiredHealthy),
    currentHealthy: counts.ready,
    desiredHealthy,
    expectedPods: counts.desired,
  };
}
