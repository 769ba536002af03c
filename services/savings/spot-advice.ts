import type { Recommendation } from '../codec/records.generated.js';
import { selectorMatches } from '../collector/kube/label-selector.js';
import { savingsRecord } from './advice-envelope.js';
import { compare } from './node-pools.js';
import { HOUR_MILLIS, type ClusterSavingsInput, type SpotPrice } from './savings-inputs.js';
import { judgeSpot } from './spot-suitability.js';
import { nodeHourly, workloadPods } from './workload-pods.js';

export interface SpotOptions {
  /** Spot price history averaged, hours (what the reader read). */
  readonly lookbackHours: number;
}

/**
 * SPOT_WORKLOAD advice for every Deployment, ReplicaSet and StatefulSet with
 * a pod on an on-demand node this hour: the verdict of every rule
 * (spot-suitability.ts) and, for a suitable workload, the saving of running
 * the pods it has on on-demand nodes at the average spot price of the same
 * instance type (in the same zone where spot is priced by zone). A pod's cost
 * scales with its node's price, so its spot cost is its cost times the ratio
 * of the spot price to the on-demand price of its node's type.
 */
export function adviseSpot(input: ClusterSavingsInput, options: SpotOptions): Recommendation[] {
  const out: Recommendation[] = [];
  for (const workload of workloadPods(input)) {
    const onDemand = workload.pods.filter((p) => p.node.capacityType === 'ON_DEMAND');
    if (onDemand.length === 0) continue;
    const verdict = judgeSpot({
      workloadKind: workload.kind,
      namespace: workload.namespace,
      name: workload.name,
      replicas: workload.replicas,
      pods: workload.pods.map(({ pod, node }) => ({ name: pod.name, node: node.name, capacityType: node.capacityType, usesLocalStorage: pod.persistentVolumes.some((pv) => input.localVolumes.has(pv)) })),
      disruptionBudgets: input.budgets
        .filter((b) => b.namespace === workload.namespace && workload.pods.some(({ pod }) => selectorMatches(pod.labels, b.matchLabels, b.matchExpressions)))
        .map((b) => ({ name: b.name, disruptionsAllowed: b.disruptionsAllowed, maxUnavailable: b.maxUnavailable, minAvailable: b.minAvailable })),
    });
    let currentHourly = 0;
    let spotHourly = 0;
    let priced = 0;
    const sources = new Set<string>();
    for (const { pod, node } of onDemand) {
      currentHourly += pod.costUsd;
      const spot = spotPriceOf(input.spotPrices, node.instanceType, node.zone);
      const { onDemandUsd } = nodeHourly(node);
      if (spot && onDemandUsd > 0) {
        spotHourly += pod.costUsd * Math.min(1, spot.averageHourlyUsd / onDemandUsd);
        sources.add(spot.source);
        priced += 1;
      } else {
        spotHourly += pod.costUsd;
      }
    }
    const target = { cluster: input.cluster, namespace: workload.namespace, workloadKind: workload.kind, workloadName: workload.name };
    out.push(
      savingsRecord(
        {
          kind: 'SPOT_WORKLOAD',
          key: `${input.cluster}/${workload.namespace}/${workload.kind}/${workload.name}/Spot`,
          cluster: input.cluster,
          generatedAt: input.hourStart + HOUR_MILLIS,
          // The share of its on-demand pods whose instance type has a spot price: the rest are priced as today.
          confidence: priced / onDemand.length,
          risk: 'MEDIUM',
          reasons: [verdict.suitable ? 'SPOT_SUITABLE' : 'SPOT_UNSUITABLE'],
          strategy: { name: 'kcost-spot', parameters: { spotLookbackHours: options.lookbackHours, hoursPerMonth: 730 } },
        },
        { currentUsd: currentHourly, recommendedUsd: verdict.suitable ? spotHourly : currentHourly, priceSources: [...onDemand.flatMap((p) => p.node.priceSources), ...sources] },
        {
          spotWorkload: {
            target,
            replicas: workload.replicas,
            suitable: verdict.suitable,
            rules: verdict.rules.map((r) => ({ rule: r.rule, passed: r.passed, detail: r.detail })),
            instanceTypes: [...new Set(onDemand.map((p) => p.node.instanceType))].sort(compare),
            onDemandHourlyUsd: currentHourly,
            spotHourlyUsd: spotHourly,
            lookbackHours: options.lookbackHours,
          },
        },
      ),
    );
  }
  return out;
}

/** The zone's average spot price of the type, else the average over the zones that have one. */
export function spotPriceOf(prices: readonly SpotPrice[], instanceType: string, zone: string): SpotPrice | null {
  const ofType = prices.filter((p) => p.instanceType === instanceType);
  const inZone = ofType.find((p) => p.zone === zone) ?? ofType.find((p) => p.zone === null);
  if (inZone) return inZone;
  if (ofType.length === 0) return null;
  return {
    instanceType,
    zone: null,
    averageHourlyUsd: ofType.reduce((a, p) => a + p.averageHourlyUsd, 0) / ofType.length,
    points: ofType.reduce((a, p) => a + p.points, 0),
    source: ofType[0]!.source,
  };
}
