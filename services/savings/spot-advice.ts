import type { Recommendation } from '../codec/records.generated.js';
import { selectorMatches } from '../collector/kube/label-selector.js';
import { savingsRecord } from './advice-envelope.js';
import { compare } from './node-pools.js';
import { HOUR_MILLIS, HOURS_PER_MONTH, type ClusterSavingsInput } from './savings-inputs.js';
import { judgeSpot, spotSaving } from './spot-suitability.js';
import { nodeHourly } from './node-hourly.js';
import { workloadPods } from './workload-pods.js';

/**
 * SPOT_WORKLOAD advice for every Deployment, ReplicaSet and StatefulSet with
 * a pod on an on-demand node this hour: the verdict of every rule
 * (spot-suitability.ts) and, for a suitable workload, the saving of running
 * the pods it has on on-demand nodes at the time-weighted average spot price
 * of the same instance type over the spot lookback (in the same zone where
 * spot is priced by zone): each pod keeps its share of its node (its cost
 * this hour over the node's), priced at spot instead of on-demand.
 */
export function adviseSpot(input: ClusterSavingsInput): Recommendation[] {
  const toMillis = input.hourStart + HOUR_MILLIS;
  const fromMillis = toMillis - input.spotLookbackHours * HOUR_MILLIS;
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
    const saving = spotSaving({
      pods: onDemand.map(({ pod, node }) => {
        const { costUsd, onDemandUsd } = nodeHourly(node);
        return { pod: pod.name, instanceType: node.instanceType, zone: node.zone || null, capacityType: node.capacityType, nodeShare: costUsd > 0 ? Math.min(1, pod.costUsd / costUsd) : 0, onDemandHourlyUsd: onDemandUsd, onDemandPriceSource: node.priceSources[0] ?? 'default' };
      }),
      spotPrices: input.spotPrices,
      fromMillis,
      toMillis,
      hoursPerMonth: HOURS_PER_MONTH,
    });
    const currentHourly = (saving?.currentMonthlyUsd ?? 0) / HOURS_PER_MONTH;
    const spotHourly = (saving?.spotMonthlyUsd ?? 0) / HOURS_PER_MONTH;
    const priced = onDemand.length - (saving?.unpricedPods.length ?? onDemand.length);
    const target = { cluster: input.cluster, namespace: workload.namespace, workloadKind: workload.kind, workloadName: workload.name };
    out.push(
      savingsRecord(
        {
          kind: 'SPOT_WORKLOAD',
          key: `${input.cluster}/${workload.namespace}/${workload.kind}/${workload.name}/Spot`,
          cluster: input.cluster,
          generatedAt: input.hourStart + HOUR_MILLIS,
          // The share of its on-demand pods whose instance type has spot history: the others are left out of both figures.
          confidence: priced / onDemand.length,
          risk: 'MEDIUM',
          reasons: [verdict.suitable ? 'SPOT_SUITABLE' : 'SPOT_UNSUITABLE'],
          strategy: { name: 'kcost-spot', parameters: { spotLookbackHours: input.spotLookbackHours, hoursPerMonth: HOURS_PER_MONTH } },
        },
        { currentUsd: currentHourly, recommendedUsd: verdict.suitable ? spotHourly : currentHourly, priceSources: (saving?.priceSources ?? []).map((source) => source.replace(/^(on-demand|spot):/, '')) },
        {
          spotWorkload: {
            target,
            replicas: workload.replicas,
            suitable: verdict.suitable,
            rules: verdict.rules.map((r) => ({ rule: r.rule, passed: r.passed, detail: r.detail })),
            instanceTypes: [...new Set(onDemand.map((p) => p.node.instanceType))].sort(compare),
            onDemandHourlyUsd: currentHourly,
            spotHourlyUsd: spotHourly,
            lookbackHours: input.spotLookbackHours,
          },
        },
      ),
    );
  }
  return out;
}
