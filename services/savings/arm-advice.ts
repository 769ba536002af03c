import type { ArmMove, Recommendation } from '../codec/records.generated.js';
import { savingsRecord } from './advice-envelope.js';
import { architectureOf, armSiblings } from './instance-family.js';
import { compare, nodeArchitecture } from './node-pools.js';
import { HOUR_MILLIS, type CatalogEntry, type ClusterSavingsInput } from './savings-inputs.js';
import { workloadPods } from './workload-pods.js';

const NOTE = 'A candidate only: kcost cannot see whether every image of the workload is built for arm64. Check the images (docker manifest inspect) before moving it.';

/**
 * ARM_WORKLOAD advice for every Deployment, ReplicaSet and StatefulSet with
 * pods on x86 nodes whose instance type has an ARM sibling of the same class
 * and size in the on-demand catalog of the region (instance-family.ts) that
 * costs less: the workload's cost on those nodes scales by the ratio of the
 * two on-demand prices.
 */
export function adviseArm(input: ClusterSavingsInput): Recommendation[] {
  const onDemand = new Map<string, CatalogEntry>();
  for (const e of input.catalog) if (e.capacityType === 'ON_DEMAND') onDemand.set(`${e.provider}\u0000${e.region}\u0000${e.instanceType}`, e);
  const out: Recommendation[] = [];
  for (const workload of workloadPods(input)) {
    const moves = new Map<string, ArmMove & { sources: string[] }>();
    for (const { pod, node } of workload.pods) {
      const arch = nodeArchitecture(node) ?? architectureOf(node.provider, node.instanceType);
      if (arch !== 'amd64' && arch !== null) continue;
      const here = onDemand.get(`${node.provider}\u0000${node.region}\u0000${node.instanceType}`);
      if (!here) continue;
      const regional = input.catalog.filter((e) => e.capacityType === 'ON_DEMAND' && e.provider === node.provider && e.region === node.region).map((e) => e.instanceType);
      const sibling = armSiblings(node.provider, node.instanceType, regional)
        .map((t) => onDemand.get(`${node.provider}\u0000${node.region}\u0000${t}`))
        .find((e): e is CatalogEntry => e !== undefined && e.hourlyUsd < here.hourlyUsd);
      if (!sibling) continue;
      const move = moves.get(node.instanceType) ?? { instanceType: node.instanceType, armInstanceType: sibling.instanceType, instanceHourlyUsd: here.hourlyUsd, armInstanceHourlyUsd: sibling.hourlyUsd, workloadHourlyUsd: 0, sources: [here.source, sibling.source] };
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
