/**
 * The Recommendation record of `kcost.recommendations.v1`. Its types are the
 * ones generated from schemas/Recommendation.avsc, the public contract, so
 * the recommender, the sink, the API and later the operator and the console
 * can never drift from what travels on the topic. Every kind of advice shares
 * the envelope: `kind` says which, and kind-specific detail goes in a
 * nullable field of its own named after the kind (`workloadResources`), so
 * cluster savings (node pools, spot, commitments) extend one contract instead
 * of adding a second one.
 */
import type { Recommendation, WorkloadContainerRef } from '../codec/records.generated.js';

export type {
  HpaAdvice,
  MonthlySaving,
  ReasonCode,
  Recommendation,
  RecommendationEvidence as Evidence,
  RecommendationKind,
  RequestPricing,
  ResourceAction,
  ResourceAdvice,
  ResourceName,
  Risk,
  WorkloadContainerRef,
  WorkloadResources,
} from '../codec/records.generated.js';

/** The key of a workload container's recommendation (and of its history). */
export function recommendationKey(target: WorkloadContainerRef): string {
  return [target.cluster, target.namespace, target.workloadKind, target.workloadName, target.container].join('/');
}

/**
 * Every kind's detail field, null: a record builder spreads it first and then
 * sets its own kind's field, so adding a kind never touches the others.
 */
export const NO_DETAILS = {
  workloadResources: null,
  orphanedVolume: null,
  daemonSetOnlyNode: null,
  idleWorkload: null,
  nodePool: null,
  spotWorkload: null,
  commitment: null,
  armWorkload: null,
} as const satisfies Partial<Recommendation>;
