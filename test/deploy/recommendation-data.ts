import type { PodCost, Recommendation, WorkloadContainerRef } from '../../services/codec/records.generated.js';
import type { Rates } from '../../services/recommender/pricing.js';
import type { ContainerState } from '../../services/recommender/recommend.js';
import { recommendationKey } from '../../services/recommender/recommendation.js';
import { Recommender } from '../../services/recommender/recommender.js';
import { compileStrategy } from '../../services/recommender/strategy.js';

const HOUR = 3_600_000;

/** A record of kcost.recommendations.v1 in offset order: a version, or a tombstone (value null). */
export interface RecommendationEvent {
  readonly key: string;
  readonly value: Recommendation | null;
}

interface Latest {
  readonly target: WorkloadContainerRef;
  windowStart: number;
  pods: Set<string>;
  record: PodCost;
}

/** The per-resource rates the record was charged at: its cost over its allocation and window. */
function ratesOf(record: PodCost): Rates {
  const hours = record.windowSeconds / 3600;
  return {
    cpuCoreHourUsd: record.cpuAllocatedCores > 0 ? record.cpuCostUsd / (record.cpuAllocatedCores * hours) : 0.031611,
    memoryGibHourUsd: record.memoryAllocatedBytes > 0 ? record.memoryCostUsd / ((record.memoryAllocatedBytes / 2 ** 30) * hours) : 0.004237,
    cpuPriceSource: record.priceSource,
    memoryPriceSource: record.priceSource,
  };
}

/**
 * What a right-sizing stage running kcost's recommender (default strategy)
 * over these container-windows would have published: each hour of event
 * time, a version for every workload container seen in the hour before, its
 * spec and replicas from its latest window, priced at the rates it was
 * charged; and a tombstone for a container unseen for `retireAfterMillis`.
 * Containers of bare pods (no workload) get no advice.
 */
export function simulatedRecommendations(pods: readonly PodCost[], retireAfterMillis = 24 * HOUR): RecommendationEvent[] {
  const recommender = new Recommender(compileStrategy('kcost'));
  const latest = new Map<string, Latest>();
  const events: RecommendationEvent[] = [];
  const publish = (at: number) => {
    for (const [key, container] of latest) {
      if (container.windowStart < at - retireAfterMillis) {
        latest.delete(key);
        events.push({ key, value: null });
        continue;
      }
      if (container.windowStart < at - HOUR) continue;
      const r = container.record;
      const state: ContainerState = {
        target: container.target,
        replicas: container.pods.size,
        containersPerPod: 1,
        cpuRequestCores: r.cpuRequestCores > 0 ? r.cpuRequestCores : null,
        cpuLimitCores: null,
        memoryRequestBytes: r.memoryRequestBytes > 0 ? r.memoryRequestBytes : null,
        memoryLimitBytes: r.memoryRequestBytes > 0 ? r.memoryRequestBytes : null,
        restartCount: 0,
        hpa: null,
      };
      events.push({ key, value: recommender.recommend(key, state, ratesOf(r), at) });
    }
  };
  const ordered = [...pods].sort((a, b) => a.windowStart - b.windowStart);
  let nextAt = ordered.length > 0 ? Math.floor((ordered[0] as PodCost).windowStart / HOUR) * HOUR + HOUR : 0;
  for (const record of ordered) {
    while (record.windowStart >= nextAt) {
      publish(nextAt);
      nextAt += HOUR;
    }
    if (record.workloadKind === '' || record.workloadName === '') continue;
    const target: WorkloadContainerRef = { cluster: record.cluster, namespace: record.namespace, workloadKind: record.workloadKind, workloadName: record.workloadName, container: record.container };
    const key = recommendationKey(target);
    recommender.observeUsage(key, {
      podUid: record.podUid,
      windowStart: record.windowStart,
      windowSeconds: record.windowSeconds,
      cpuCores: record.cpuUsageCoresAvg,
      memoryPeakBytes: record.memoryUsageBytesAvg,
      cpuRequestCores: record.cpuRequestCores,
    });
    const seen = latest.get(key);
    if (!seen || seen.windowStart < record.windowStart) latest.set(key, { target, windowStart: record.windowStart, pods: new Set([record.podUid]), record });
    else if (seen.windowStart === record.windowStart) seen.pods.add(record.podUid);
  }
  return events;
}

/** The latest version per key after the events, as the recommendation table holds it. */
export function latestRecommendations(events: readonly RecommendationEvent[]): Recommendation[] {
  const latest = new Map<string, Recommendation>();
  for (const event of events) {
    if (event.value === null) latest.delete(event.key);
    else if ((latest.get(event.key)?.generatedAt ?? -Infinity) <= event.value.generatedAt) latest.set(event.key, event.value);
  }
  return [...latest.values()];
}
