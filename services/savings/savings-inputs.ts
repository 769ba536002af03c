/**
 * What the cluster-savings advice of one cluster rests on: one hour of stored
 * costs (which nodes ran, which pods ran where with which requests, what each
 * cost), the Kubernetes state that costs do not carry (node pools,
 * disruption budgets, desired replicas, local volumes), the price catalog and
 * the on-demand spend history. Built by savings-reader.ts (database) and
 * kube-inventory.ts (kcost.kube.v1); read by the pure advice functions.
 */

import type { LabelSelectorRequirement } from '../codec/records.generated.js';
import type { SpotPricePoint } from './spot-suitability.js';

/** Spot price history: each point is in effect from effectiveFrom until the next of its type and zone. */
export type { SpotPricePoint };
/** One requirement of a label selector, as KubeObject carries it (key, In/NotIn/Exists/DoesNotExist, values). */
export type SelectorRequirement = LabelSelectorRequirement;

export type Architecture = 'amd64' | 'arm64';

/** A node that ran in the hour, as the processor priced it. */
export interface NodeHour {
  readonly name: string;
  readonly provider: string;
  readonly instanceType: string;
  readonly capacityType: string;
  readonly region: string;
  readonly zone: string;
  /** Allocatable CPU, memory and GPUs (what the processor spreads the node's cost over). */
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly gpus: number;
  /** Cost of the node for the hour, and at the on-demand price of its type. */
  readonly costUsd: number;
  readonly onDemandCostUsd: number;
  /** Seconds of the hour the node was priced (3600 for a whole hour). */
  readonly pricedSeconds: number;
  readonly priceSources: readonly string[];
  /** Node labels from kcost.kube.v1; empty when the node's state was not seen. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A container's requests. */
export interface ContainerRequests {
  readonly name: string;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly gpus: number;
}

/** A pod that ran in the hour: its last requests in the hour, where it ran, and what it cost. */
export interface PodHour {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string;
  readonly workloadKind: string;
  readonly workloadName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerRequests[];
  /** Its containers' cost over the hour. */
  readonly costUsd: number;
  /** Names of the PersistentVolumes its claims were bound to (zonal: they pin the pod to its zone). */
  readonly persistentVolumes: readonly string[];
}

/** A Deployment's or StatefulSet's desired replicas. */
export interface WorkloadSpec {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly desiredReplicas: number;
}


/** A PodDisruptionBudget and what it allows now. */
export interface DisruptionBudget {
  readonly namespace: string;
  readonly name: string;
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly SelectorRequirement[];
  readonly minAvailable: string | null;
  readonly maxUnavailable: string | null;
  readonly disruptionsAllowed: number;
}

/** The newest price of an instance type in a region and capacity type, with its shape where the source gives it. */
export interface CatalogEntry {
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
  readonly capacityType: string;
  readonly hourlyUsd: number;
  readonly vcpus: number | null;
  readonly memoryBytes: number | null;
  readonly gpus: number | null;
  readonly architecture: Architecture | null;
  readonly source: string;
}


/** Recommended requests of one workload container (a WORKLOAD_RESOURCES record with action CHANGE or KEEP). */
export interface AdvisedRequests {
  readonly cpuCores: number | null;
  readonly memoryBytes: number | null;
}

/** On-demand node spend per hour of the lookback, per instance type (spot and reserved excluded). */
export interface OnDemandSpend {
  /** Start of the first hour, epoch milliseconds. */
  readonly firstHour: number;
  readonly hours: number;
  /** Hours of the lookback that hold any stored node cost at all. */
  readonly coveredHours: number;
  /** Lookback asked for, hours. */
  readonly lookbackHours: number;
  readonly byInstanceType: ReadonlyMap<string, readonly number[]>;
}

export interface ClusterSavingsInput {
  readonly cluster: string;
  /** The hour the advice rests on: [hourStart, hourStart + 1 h). generatedAt is its end. */
  readonly hourStart: number;
  readonly nodes: readonly NodeHour[];
  readonly pods: readonly PodHour[];
  readonly workloads: readonly WorkloadSpec[];
  readonly budgets: readonly DisruptionBudget[];
  /** PersistentVolume names that are local (spec.local or hostPath). */
  readonly localVolumes: ReadonlySet<string>;
  readonly catalog: readonly CatalogEntry[];
  /** The spot price points in effect at some time of the spot lookback (the one in effect at its start included). */
  readonly spotPrices: readonly SpotPricePoint[];
  /** The spot lookback, hours before the end of the advice hour. */
  readonly spotLookbackHours: number;
  /** Keyed by the WORKLOAD_RESOURCES key, cluster/namespace/Kind/name/container. */
  readonly advisedRequests: ReadonlyMap<string, AdvisedRequests>;
  readonly onDemandSpend: OnDemandSpend;
}

export const HOUR_MILLIS = 3_600_000;
export const HOURS_PER_MONTH = 730;
