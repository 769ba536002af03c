import { NO_DETAILS } from './recommendation.js';
import type { Recommendation } from './recommendation.js';

type ContainerAdvice = Recommendation & { workloadResources: NonNullable<Recommendation['workloadResources']> };

/** The thresholds of "near zero" (documented in docs/processor.md, "Idle workloads"). */
export interface IdleOptions {
  /** A container is idle when the 95th percentile of its CPU is at most this: 0.01 core, the CPU histogram's first bucket. */
  readonly maxCpuP95Cores: number;
  /** ... and its largest daily memory peak is at most this times the median one (memory flat). */
  readonly maxMemoryPeakRatio: number;
  /** ... over at least this part of the strategy's history window (its record's confidence). */
  readonly minConfidence: number;
}

export const IDLE_DEFAULTS: IdleOptions = Object.freeze({ maxCpuP95Cores: 0.01, maxMemoryPeakRatio: 1.25, minConfidence: 0.9 });

/** `cluster/namespace/Kind/name`: the workload of a container key. */
export function workloadKeyOf(advice: ContainerAdvice): string {
  const t = advice.workloadResources.target;
  return [t.cluster, t.namespace, t.workloadKind, t.workloadName].join('/');
}

/**
 * The latest WORKLOAD_RESOURCES record of every container, from
 * kcost.recommendations.v1 read in full, grouped by workload: what the idle
 * rule reads. A tombstone forgets its container. Of the other kinds only
 * the keys of IDLE_WORKLOAD records are kept: which workloads have idle
 * advice on the topic, to retire.
 */
export class ContainerAdviceTable {
  private readonly byKey = new Map<string, ContainerAdvice>();
  private readonly idleKeys = new Set<string>();

  apply(key: string, record: Recommendation | null): void {
    if (record === null) {
      this.byKey.delete(key);
      this.idleKeys.delete(key);
      return;
    }
    if (record.kind === 'IDLE_WORKLOAD') this.idleKeys.add(key);
    if (record.kind !== 'WORKLOAD_RESOURCES' || record.workloadResources === null) return;
    const previous = this.byKey.get(key);
    if (!previous || previous.generatedAt <= record.generatedAt) this.byKey.set(key, record as ContainerAdvice);
  }

  /** Whether an IDLE_WORKLOAD record for the workload is on the topic (as read so far). */
  hasIdleAdvice(workloadKey: string): boolean {
    return this.idleKeys.has(workloadKey);
  }

  /** Keys of the IDLE_WORKLOAD records on the topic, sorted. */
  idleAdviceKeys(): string[] {
    return [...this.idleKeys].sort();
  }

  /** Workload key → its containers' records sorted by key, workloads in key order. */
  workloads(): Array<[string, ContainerAdvice[]]> {
    const groups = new Map<string, ContainerAdvice[]>();
    for (const advice of this.byKey.values()) {
      const key = workloadKeyOf(advice);
      groups.set(key, [...(groups.get(key) ?? []), advice]);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, list]) => [key, list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))]);
  }
}

function isIdle(advice: ContainerAdvice, options: IdleOptions): boolean {
  const { cpu, memory } = advice.workloadResources;
  return (
    advice.confidence >= options.minConfidence &&
    cpu.percentiles.p95 <= options.maxCpuP95Cores &&
    memory.percentiles.max <= options.maxMemoryPeakRatio * memory.percentiles.p50
  );
}

/**
 * The advice for one workload, or null: every one of its containers idle
 * (CPU p95 at most 0.01 core, memory flat, over at least 90 % of the
 * strategy's window). Scaling it to zero saves what its containers cost
 * today, the sum of their records' currentMonthlyUsd, which already
 * includes whatever those records save: the record lists them in
 * supersedes. Its event time is the newest of those records'.
 */
export function idleWorkloadOf(workloadKey: string, containers: readonly ContainerAdvice[], options: IdleOptions = IDLE_DEFAULTS): Recommendation | null {
  const [first] = containers;
  if (!first || !containers.every((c) => isIdle(c, options))) return null;
  const target = first.workloadResources.target;
  let monthly = 0;
  for (const c of containers) monthly += c.saving.currentMonthlyUsd;
  return {
    ...NO_DETAILS,
    kind: 'IDLE_WORKLOAD',
    key: workloadKey,
    cluster: target.cluster,
    generatedAt: Math.max(...containers.map((c) => c.generatedAt)),
    confidence: Math.min(...containers.map((c) => c.confidence)),
    risk: 'MEDIUM',
    reasons: ['IDLE'],
    strategy: { name: 'idle-workload', parameters: { ...options, rightSizingStrategy: first.strategy.name } },
    saving: { currentMonthlyUsd: monthly, recommendedMonthlyUsd: 0, monthlySavingsUsd: monthly, priceSources: [...new Set(containers.flatMap((c) => c.saving.priceSources))].sort() },
    idleWorkload: {
      target: { cluster: target.cluster, namespace: target.namespace, workloadKind: target.workloadKind, workloadName: target.workloadName },
      replicas: first.workloadResources.pricing.replicas,
      supersedes: containers.map((c) => c.key),
      containers: containers
        .map((c) => ({
          container: c.workloadResources.target.container,
          cpuP95Cores: c.workloadResources.cpu.percentiles.p95,
          cpuRequestCores: c.workloadResources.cpu.currentRequest,
          memoryP50Bytes: c.workloadResources.memory.percentiles.p50,
          memoryMaxBytes: c.workloadResources.memory.percentiles.max,
          historyHours: c.workloadResources.evidence.historyHours,
        }))
        .sort((a, b) => (a.container < b.container ? -1 : a.container > b.container ? 1 : 0)),
    },
  };
}
