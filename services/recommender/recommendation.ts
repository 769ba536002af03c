/**
 * The Recommendation record: what the later `kcost.recommendations.v1` Avro
 * schema mirrors field for field (nullable fields are unions with null;
 * string unions are enums). Every kind of advice shares it: `kind` says
 * which, and kind-specific detail goes in a field of its own named after the
 * kind, so cluster savings (node pools, spot, commitments) and the operator
 * extend one contract instead of adding a second one.
 */

/** What a recommendation is about. Right-sizing produces WORKLOAD_RESOURCES; later kinds add their own members. */
export type RecommendationKind = 'WORKLOAD_RESOURCES';

export type ReasonCode = 'OVER_PROVISIONED' | 'UNDER_PROVISIONED' | 'OOM_KILLED' | 'NO_REQUESTS' | 'HPA_MANAGED' | 'INSUFFICIENT_HISTORY';

export type ResourceName = 'cpu' | 'memory';

/** The workload container a recommendation is for; all its replicas share one. */
export interface WorkloadContainerRef {
  readonly cluster: string;
  readonly namespace: string;
  readonly workloadKind: string;
  readonly workloadName: string;
  readonly container: string;
}

/**
 * 'CHANGE': set the recommended values; 'KEEP': today's values are within
 * the strategy's minimum change (the recommended values are today's);
 * 'NONE': no recommendation (too little history, or an HPA the strategy leaves alone).
 */
export type ResourceAction = 'CHANGE' | 'KEEP' | 'NONE';

/** One resource of one container: cores for CPU, bytes for memory. Null means unset (or, for bounds, unbounded). */
export interface ResourceAdvice {
  readonly resource: ResourceName;
  readonly unit: 'cores' | 'bytes';
  readonly action: ResourceAction;
  readonly currentRequest: number | null;
  readonly currentLimit: number | null;
  readonly recommendedRequest: number | null;
  readonly recommendedLimit: number | null;
  /** Below the lower bound a request is too small, above the upper too large, for the history seen (VPA's bounds). */
  readonly lowerBound: number | null;
  readonly upperBound: number | null;
  readonly reasons: readonly ReasonCode[];
  /** The usage percentiles the advice rests on (CPU: samples; memory: per-pod interval peaks), in the resource's unit. */
  readonly percentiles: { readonly p50: number; readonly p90: number; readonly p95: number; readonly p99: number; readonly max: number };
}

/** How the recommendation meets an HPA that scales the workload on a resource's utilization. */
export interface HpaAdvice {
  readonly resource: ResourceName;
  readonly currentTargetUtilizationPercent: number;
  /** The target that keeps the replica count for the same load with the recommended request; null when the target stays. */
  readonly recommendedTargetUtilizationPercent: number | null;
  readonly note: string;
}

/** What a workload container's advice rests on. */
export interface Evidence {
  /** First to last sample within the strategy's window. */
  readonly historyHours: number;
  /** Sum of the sampled windows' lengths (less than historyHours when pods come and go, as for a CronJob). */
  readonly observedHours: number;
  readonly sampleCount: number;
  readonly firstSampleAt: number | null;
  readonly lastSampleAt: number | null;
  readonly oomKills: number;
  readonly restartCount: number;
  /** What the strategy needs before it recommends (so INSUFFICIENT_HISTORY says how much is missing). */
  readonly requiredHistoryHours: number;
  readonly requiredSamples: number;
}

/** How a workload container's requests were priced. */
export interface RequestPricing {
  /** Replicas priced today, and after the change (an HPA that keeps its target scales when the request moves). */
  readonly replicas: number;
  readonly replicasAfter: number;
  readonly hoursPerMonth: number;
  readonly cpuCoreHourUsd: number;
  readonly memoryGibHourUsd: number;
}

/** Monthly cost today and once the advice is applied, in USD, with where its prices came from. Every kind has one. */
export interface MonthlySaving {
  readonly currentMonthlyUsd: number;
  readonly recommendedMonthlyUsd: number;
  /** current − recommended; negative when the advice costs more (an under-provisioned container). */
  readonly monthlySavingsUsd: number;
  readonly priceSources: readonly string[];
}

/** The WORKLOAD_RESOURCES detail: one container's requests, limits and HPA target. */
export interface WorkloadResources {
  readonly target: WorkloadContainerRef;
  readonly cpu: ResourceAdvice;
  readonly memory: ResourceAdvice;
  readonly hpa: readonly HpaAdvice[];
  readonly evidence: Evidence;
  readonly pricing: RequestPricing;
}

/**
 * LOW: within what the history shows; MEDIUM: a request more than halved,
 * or an HPA target moved; HIGH: a memory limit cut below 1.1 × the largest
 * peak seen, or a cut made on less than a quarter of the strategy's window.
 */
export type Risk = 'LOW' | 'MEDIUM' | 'HIGH';

export interface Recommendation {
  readonly kind: RecommendationKind;
  /** The compacted topic's key: `cluster/namespace/Kind/name/container` for WORKLOAD_RESOURCES. */
  readonly key: string;
  readonly cluster: string;
  readonly generatedAt: number;
  /** 0..1: for WORKLOAD_RESOURCES, the part of the strategy's window covered by history (the lesser of its length and the time actually sampled). */
  readonly confidence: number;
  readonly risk: Risk;
  /** Every reason that applies (for WORKLOAD_RESOURCES, the union of its resources' reasons). */
  readonly reasons: readonly ReasonCode[];
  readonly strategy: { readonly name: string; readonly parameters: Readonly<Record<string, string | number | boolean | null>> };
  readonly saving: MonthlySaving;
  /** Set when kind is WORKLOAD_RESOURCES; later kinds add a nullable detail field of their own beside it. */
  readonly workloadResources: WorkloadResources | null;
}

/** The key of a workload container's recommendation (and of its history). */
export function recommendationKey(target: WorkloadContainerRef): string {
  return [target.cluster, target.namespace, target.workloadKind, target.workloadName, target.container].join('/');
}
