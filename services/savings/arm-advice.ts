import type { ArmMove, Recommendation } from '../codec/records.generated.js';
import { savingsRecord } from './advice-envelope.js';
import { armCandidate } from './arm-candidates.js';
import { compare, nodeArchitecture } from './node-pools.js';
import { HOUR_MILLIS, type CatalogEntry, type ClusterSavingsInput } from './savings-inputs.js';
import { workloadPods } from './workload-pods.js';

const NOTE = 'A candidate only: kcost cannot see whether every image of the workload is built for arm64. Check the images (docker manifest inspect) before moving it.';

/**
 * ARM_WORKLOAD advice for every Deployment, ReplicaSet and StatefulSet with
 * pods on x86 nodes whose instance type has a cheaper ARM sibling of the
 * same class and size in the region's on-demand catalog (arm-candidates.ts:
 * the newest such generation): the workload's cost on those nodes scales by
 * the ratio of the two on-demand prices.
 */
export function adviseArm(input: ClusterSavingsInput): Recommendation[] {
  // Per provider and region: the on-demand catalog entries, and their prices as armCandidate takes them.
  const regional = new Map<string, { entries: Map<string, CatalogEntry>; prices: Map<string, number> }>();
  for (const e of input.catalog) {
    if (e.capacityType !== 'ON_DEMAND') continue;
    const where = `${e.provider}\u0000${e.region}`;
    const region = regional.get(where) ?? { entries: new Map<string, CatalogEntry>(), prices: new Map<string, number>() };
    region.entries.set(e.instanceType, e);
    region.prices.set(e.instanceType, e.hourlyUsd);
    regional.set(where, region);
  }
  const out: Recommendation[] = [];
  for (const workload of workloadPods(input)) {
    const moves = new Map<string, ArmMove & { sources: string[] }>();
    for (const { pod, node } of workload.pods) {
      if (nodeArchitecture(node) === 'arm64') continue;
      const region = regional.get(`${node.provider}\u0000${node.region}`);
      const here = region?.entries.get(node.instanceType);
      if (!region || !here) continue;
      // The pod's share of its node's cost today is what moves: its share of an ARM node of the advised type costs that share of the ARM price.
      const candidate = armCandidate({ provider: node.provider, instanceType: node.instanceType, onDemandHourlyUsd: here.hourlyUsd, catalog: region.prices, workloadShareOfNodes: 1 });
      if (!candidate) continue;
      const move = moves.get(node.instanceType) ?? {
        instanceType: node.instanceType,
        armInstanceType: candidate.armInstanceType,
        instanceHourlyUsd: here.hourlyUsd,
        armInstanceHourlyUsd: candidate.armNodeHourlyUsd,
        workloadHourlyUsd: 0,
        sources: [here.source, region.entries.get(candidate.armInstanceType)?.source ?? here.source],
      };
      move.workloadHourlyUsd += pod.costUsd;
      moves.set(node.instanceType, move);
    }
    if (moves.size === 0) continue;
    const list = [...moves.values()].sort((a, b) => compare(a.instanceType, b.instanceType));
    const current = list.reduce((a, m) => a + m.workloadHourlyUsd, 0);
    const after = list.reduce((a, m) => a + (m.workloadHourlyUsd * m.armInstanceHourlyUsd) / m.instanceHourlyUsd, 0);
    out.push(
      savingsRecord(
        {
          kind: 'ARM_WORKLOAD',
          key: `${input.cluster}/${workload.namespace}/${workload.kind}/${workload.name}/Arm`,
          cluster: input.cluster,
          generatedAt: input.hourStart + HOUR_MILLIS,
          // Half: the price difference is known, whether the images run on arm64 is not.
          confidence: 0.5,
          risk: 'HIGH',
          reasons: ['ARM_SIBLING'],
          strategy: { name: 'kcost-arm', parameters: { hoursPerMonth: 730 } },
        },
        { currentUsd: current, recommendedUsd: after, priceSources: list.flatMap((m) => m.sources) },
        {
          armWorkload: {
            target: { cluster: input.cluster, namespace: workload.namespace, workloadKind: workload.kind, workloadName: workload.name },
            moves: list.map(({ sources: _sources, ...move }) => move),
            note: NOTE,
          },
        },
      ),
    );
  }
  return out;
}
