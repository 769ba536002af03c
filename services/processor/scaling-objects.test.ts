import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../codec/records.generated.js';
import { currentSchemas, releasedSchemas } from '../codec/records.generated.js';
import { parseSchema } from '../codec/schema-catalog.js';
import { ClusterState } from './cluster-state.js';
import { PriceHistory } from './price-history.js';
import { autoscalerObject, claimAndVolume, disruptionBudgetObject, container, nodeObject, podObject, priceUpdate, usageSample, workloadObject } from './record-builders.js';
import { priceWindow } from './window-pricer.js';

// Autoscalers and workloads (KubeObject v3) are inputs for right-sizing, and
// disruption budgets (v4) for spot advice, never for cost: a cluster priced with them must cost exactly what it costs
// without them, whatever names and uids they share with priced objects, and
// also when a processor still on KubeObject v2 reads them (as POD, pod null).

const START = Date.UTC(2026, 0, 5, 10);

function pricedHour(extra: readonly KubeObject[]) {
  const state = new ClusterState();
  const prices = new PriceHistory();
  state.apply(nodeObject({ name: 'node-a', instanceType: 'm5.2xlarge', cores: 8, memoryGib: 32 }));
  state.apply(podObject({ name: 'web', nodeName: 'node-a', containers: [container('app', 2, 4)], workload: { kind: 'Deployment', name: 'web' } }));
  state.apply(podObject({ name: 'db', nodeName: 'node-a', containers: [container('pg', 1, 8)], workload: { kind: 'StatefulSet', name: 'db' }, claimNames: ['data'] }));
  for (const object of claimAndVolume({ claim: 'data', volume: 'pv-data', sizeGib: 50 })) state.apply(object);
  // Applied after the objects they share names and uids with, so a mix-up would replace them.
  for (const object of extra) state.apply(object);
  prices.add(priceUpdate({ sku: 'm5.2xlarge', effectiveFrom: START - 86_400_000, hourlyUsd: 0.384 }));
  prices.add(priceUpdate({ kind: 'STORAGE', sku: 'gp3', capacityType: 'UNKNOWN', effectiveFrom: START - 86_400_000, storageGibMonthUsd: 0.08 }));
  const windows = Array.from({ length: 60 }, (_, minute) => {
    const windowStart = START + minute * 60_000;
    const samples = [
      usageSample({ podName: 'web', container: 'app', windowStart, cpuCores: 3, memoryGib: 3 }),
      usageSample({ podName: 'db', container: 'pg', windowStart, cpuCores: 0.5, memoryGib: 9 }),
    ];
    return priceWindow({ windowStart, windowSeconds: 60, samples }, state, prices);
  });
  return { windows, counts: state.counts };
}

const scalingObjects: KubeObject[] = [
  autoscalerObject({ name: 'web', replicas: 6, maxReplicas: 12 }),
  // The same uid as the pod, and a workload named like the node and the volume: kinds keep them apart.
  autoscalerObject({ name: 'web-2', uid: 'uid-web' }),
  workloadObject({ name: 'web', desiredReplicas: 6, readyReplicas: 5 }),
  workloadObject({ name: 'node-a', uid: 'uid-node-a', desiredReplicas: 3 }),
  workloadObject({ name: 'pv-data', controllerKind: 'StatefulSet', uid: 'uid-pv-data', desiredReplicas: 2, observedAt: 10 }),
  workloadObject({ name: 'db', controllerKind: 'StatefulSet', desiredReplicas: 1, deletedAt: START + 600_000, observedAt: START + 600_000 }),
  disruptionBudgetObject({ name: 'web' }),
  // A budget with the pod's uid and one named like the node: again, kinds keep them apart.
  disruptionBudgetObject({ name: 'db', uid: 'uid-db', disruptionsAllowed: 0 }),
  disruptionBudgetObject({ name: 'node-a', uid: 'uid-node-a' }),
];

describe('autoscaler, workload and disruption budget objects change no cost', () => {
  const baseline = pricedHour([]);

  it('prices every pod, node and volume the same with them as without them', () => {
    const withThem = pricedHour(scalingObjects);
    expect(withThem.windows).toEqual(baseline.windows);
    expect(withThem.counts).toEqual(baseline.counts);
    expect(baseline.windows.flatMap((w) => w.podCosts)).toHaveLength(120);
    expect(baseline.windows[0]?.podCosts.find((c) => c.podName === 'db')?.storageCostUsd).toBeGreaterThan(0);
  });

  it('changes nothing when a processor on KubeObject v2 reads them as POD with pod null', () => {
    const v2 = parseSchema((releasedSchemas.KubeObject ?? [])[1] ?? {});
    const current = parseSchema(currentSchemas.KubeObject);
    const resolver = v2.createResolver(current);
    const asOldReaderSees = scalingObjects.map((object) => v2.fromBuffer(current.toBuffer(object), resolver) as KubeObject);
    expect(asOldReaderSees.map((o) => [o.kind, o.pod])).toEqual(scalingObjects.map(() => ['POD', null]));
    const old = pricedHour(asOldReaderSees);
    expect(old.windows).toEqual(baseline.windows);
    expect(old.counts).toEqual(baseline.counts);
  });
});
