import { describe, expect, it } from 'vitest';
import { syntheticBill, type BilledMachine, type BilledVolume, type SyntheticCharge } from '../simulator/synthetic-bill.js';
import { allocateExternal, UNALLOCATED_NAMESPACE, type ExternalRules } from './external.js';
import { dayShare, reconcileDay, type DayLine, type NodeDay, type PodDay } from './reconcile.js';
import { diskIdOf } from './volumes.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONTH = Date.UTC(2026, 10, 1);
const machines: BilledMachine[] = [
  { providerId: 'aws:///us-east-1a/i-01', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.192, upFrom: MONTH, upTo: null },
  { providerId: 'aws:///us-east-1a/i-02', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.192, upFrom: MONTH, upTo: null },
  { providerId: 'aws:///us-east-1b/i-03', instanceType: 'c5.xlarge', zone: 'us-east-1b', capacityType: 'SPOT', onDemandHourlyUsd: 0.17, upFrom: MONTH + 3.5 * DAY, upTo: MONTH + 9 * DAY },
];
// shop's database disk, mounted by shop's pods on node-0 all month: 100 GiB of gp3.
const volumes: BilledVolume[] = [{ volumeId: 'vol-0db0000000000001a', zone: 'us-east-1a', sizeGib: 100, upFrom: MONTH - 40 * DAY, upTo: null }];
const bill = syntheticBill({ seed: 3, cluster: 'sim', monthStart: MONTH, machines, volumes });
const rules: ExternalRules = { clusterTag: null, namespaceTag: 'kcost.io/namespace', unattributed: 'proportional' };
const NAMESPACES = ['shop', 'payments', 'batch'];
const total = (values: number[]): number => values.reduce((s, v) => s + v, 0);

/** kcost's list-price view of the same machines: on-demand list, spot at a list spot price, a node split over three namespaces and idle. */
function costsOfDay(day: number): { nodes: NodeDay[]; pods: PodDay[] } {
  const from = MONTH + day * DAY;
  const nodes: NodeDay[] = [];
  const pods: PodDay[] = [];
  machines.forEach((m, i) => {
    const hours = (Math.min(from + DAY, m.upTo ?? Infinity) - Math.max(from, m.upFrom)) / HOUR;
    if (hours <= 0) return;
    const nodeName = `node-${i}`;
    const list = m.onDemandHourlyUsd * hours * (m.capacityType === 'SPOT' ? 0.45 : 1);
    nodes.push({ cluster: 'sim', nodeName, instanceId: m.providerId.split('/').pop() as string, listCostUsd: list });
    NAMESPACES.forEach((namespace, n) => {
      // kcost prices the disk at list (0.08 $/GiB-month over 730 h) for its CSI volumeHandle.
      const disk = i === 0 && namespace === 'shop' ? [{ providerVolumeId: 'vol-0db0000000000001a', listCostUsd: (100 * 0.08 * 24) / 730 }] : [];
      const storage = total(disk.map((d) => d.listCostUsd));
      pods.push({ cluster: 'sim', nodeName, namespace, workloadKind: 'Deployment', workloadName: `${namespace}-app`, computeCostUsd: list * (0.1 + 0.2 * n), storageCostUsd: storage, networkCostUsd: 0, volumes: disk });
    });
  });
  return { nodes, pods };
}

function linesOfDay(charges: readonly SyntheticCharge[], day: number): DayLine[] {
  return charges
    .map((c) => ({ c, share: dayShare(c.chargePeriodStart, c.chargePeriodEnd, MONTH + day * DAY) }))
    .filter(({ share }) => share > 0)
    .map(({ c, share }) => ({ instanceId: c.kind === 'node' ? c.resourceId : null, resourceId: c.resourceId, serviceName: c.serviceName, tags: c.tags, effectiveCostUsd: c.effectiveCost * share }));
}

const cents = (usd: number): number => Math.round(usd * 100);

describe('reconcileDay on the synthetic month', () => {
  it('per day, namespaces + idle + external rows equal the bill\'s EffectiveCost to the cent (the billed disk in shop\'s pods, not external), and every node-day conserves', () => {
    for (let day = 0; day < 30; day++) {
      const { nodes, pods } = costsOfDay(day);
      const lines = linesOfDay(bill.finalDelivery, day);
      const result = reconcileDay(nodes, pods, lines, rules);
      const kcost = total(result.pods.map((p) => p.reconciledCostUsd)) + total(result.nodes.map((n) => n.reconciledIdleCostUsd)) + total(result.external.map((e) => e.costUsd));
      expect(cents(kcost)).toBe(cents(total(lines.map((l) => l.effectiveCostUsd))));
      expect(cents(result.billedEffectiveCostUsd)).toBe(cents(kcost));
      const disk = lines.filter((l) => l.resourceId === 'vol-0db0000000000001a');
      expect(disk).toHaveLength(1);
      expect(result.volumes).toEqual([{ cluster: 'sim', volumeId: 'vol-0db0000000000001a', listCostUsd: expect.closeTo((100 * 0.08 * 24) / 730, 12) as number, billedCostUsd: disk[0]?.effectiveCostUsd }]);
      const shop = result.pods.find((p) => p.nodeName === 'node-0' && p.namespace === 'shop');
      expect(shop?.reconciledStorageCostUsd).toBeCloseTo(disk[0]?.effectiveCostUsd ?? NaN, 12);
      expect(result.external.filter((e) => e.serviceName === 'AmazonEC2' && e.attribution !== 'proportional')).toEqual([]);
      for (const node of result.nodes) {
        const podCompute = total(result.pods.filter((p) => p.nodeName === node.nodeName).map((p) => p.reconciledComputeCostUsd));
        expect(podCompute + node.reconciledIdleCostUsd).toBeCloseTo(node.reconciledCostUsd, 9);
        expect(node.reconciledIdleCostUsd).toBeGreaterThanOrEqual(0);
        expect(node.status).toBe('BILLED');
      }
    }
  });

  it('puts the Savings Plan rate on the covered node and the billed spot rate on the spot node', () => {
    const day = 5;
    const result = reconcileDay(costsOfDay(day).nodes, costsOfDay(day).pods, linesOfDay(bill.finalDelivery, day), rules);
    const byName = new Map(result.nodes.map((n) => [n.nodeName, n]));
    expect(byName.get('node-0')?.factor).toBeCloseTo(0.72, 6);
    expect(byName.get('node-1')?.factor).toBeCloseTo(1, 6);
    const spotLine = bill.finalDelivery.find((c) => c.resourceId === 'i-03' && c.chargePeriodStart === MONTH + day * DAY);
    expect(byName.get('node-2')?.reconciledCostUsd).toBeCloseTo(spotLine?.effectiveCost ?? NaN, 9);
    expect(byName.get('node-2')?.factor).toBeCloseTo((spotLine?.effectiveCost ?? NaN) / (0.17 * 24 * 0.45), 9);
  });

  it('charges the RDS instance to its namespace tag, each load balancer to its Service\'s namespace, and shares the rest', () => {
    const day = 14;
    const result = reconcileDay(costsOfDay(day).nodes, costsOfDay(day).pods, linesOfDay(bill.finalDelivery, day), rules);
    const rds = result.external.filter((e) => e.serviceName === 'AmazonRDS');
    expect(rds.map((e) => [e.cluster, e.namespace, e.attribution])).toEqual([['sim', 'shop', 'tag']]);
    expect(rds[0]?.costUsd).toBeCloseTo(0.171 * 24, 9);
    expect(result.external.filter((e) => e.serviceName === 'AWSELB').map((e) => [e.namespace, e.attribution]).sort()).toEqual([['payments', 'service'], ['shop', 'service']]);
    const shared = result.external.filter((e) => e.attribution === 'proportional');
    expect(new Set(shared.map((e) => e.namespace))).toEqual(new Set(NAMESPACES));
    // The credit is shared too: proportional rows of EC2 are negative on day 15.
    expect(total(shared.filter((e) => e.serviceName === 'AmazonEC2').map((e) => e.costUsd))).toBeLessThan(-40);
  });

  it('a node with no billing line keeps its list figure, and its bill-less instance line goes external', () => {
    const nodes: NodeDay[] = [{ cluster: 'sim', nodeName: 'a', instanceId: 'i-a', listCostUsd: 10 }];
    const pods: PodDay[] = [{ cluster: 'sim', nodeName: 'a', namespace: 'shop', workloadKind: '', workloadName: '', computeCostUsd: 6, storageCostUsd: 0.5, networkCostUsd: 0.5, volumes: [] }];
    const lines: DayLine[] = [{ instanceId: 'i-b', resourceId: 'i-b', serviceName: 'AmazonEC2', tags: { 'user:kubernetes.io/cluster/sim': 'owned' }, effectiveCostUsd: 3 }];
    const result = reconcileDay(nodes, pods, lines, { ...rules, unattributed: 'unallocated' });
    expect(result.nodes[0]).toMatchObject({ status: 'UNBILLED', factor: 1, reconciledCostUsd: 10, reconciledIdleCostUsd: 4 });
    expect(result.pods[0]).toMatchObject({ listCostUsd: 7, reconciledCostUsd: 7 });
    expect(result.external).toEqual([{ cluster: 'sim', namespace: UNALLOCATED_NAMESPACE, serviceName: 'AmazonEC2', attribution: 'unallocated', costUsd: 3 }]);
  });

  it('scales compute by the factor and keeps storage and network at list', () => {
    const nodes: NodeDay[] = [{ cluster: 'sim', nodeName: 'a', instanceId: 'i-a', listCostUsd: 10 }];
    const pods: PodDay[] = [{ cluster: 'sim', nodeName: 'a', namespace: 'shop', workloadKind: '', workloadName: '', computeCostUsd: 6, storageCostUsd: 0.5, networkCostUsd: 0.5, volumes: [] }];
    const result = reconcileDay(nodes, pods, [{ instanceId: 'i-a', resourceId: 'i-a', serviceName: 'AmazonEC2', tags: {}, effectiveCostUsd: 5 }], rules);
    expect(result.nodes[0]).toMatchObject({ status: 'BILLED', factor: 0.5, reconciledCostUsd: 5, listIdleCostUsd: 4, reconciledIdleCostUsd: 2 });
    expect(result.pods[0]?.reconciledCostUsd).toBe(4);
    expect(result.external).toEqual([]);
  });
});

describe('reconcileDay with billed volumes', () => {
  const nodes: NodeDay[] = [{ cluster: 'sim', nodeName: 'a', instanceId: 'i-a', listCostUsd: 10 }];
  const pod = (namespace: string, volumes: PodDay['volumes'], storageCostUsd = total(volumes.map((v) => v.listCostUsd))): PodDay => ({
    cluster: 'sim', nodeName: 'a', namespace, workloadKind: 'StatefulSet', workloadName: `${namespace}-db`, computeCostUsd: 2, storageCostUsd, networkCostUsd: 0.25, volumes,
  });
  const line = (resourceId: string, effectiveCostUsd: number, instanceId: string | null = null): DayLine => ({ instanceId, resourceId, serviceName: 'AmazonEC2', tags: { 'kubernetes.io/cluster/sim': 'owned' }, effectiveCostUsd });
  const unallocated = { ...rules, unattributed: 'unallocated' } as const;

  it('a billed disk replaces the list cost of the pods that mounted it, split by their list cost; an unbilled disk stays at list; a disk no pod mounted stays external', () => {
    const pods = [
      pod('shop', [{ providerVolumeId: 'vol-0aaa', listCostUsd: 1 }]),
      // payments also has a volume of unknown disk (0.5 at list, no providerVolumeId): it stays at list.
      pod('payments', [{ providerVolumeId: 'aws://us-east-1a/vol-0AAA', listCostUsd: 3 }, { providerVolumeId: 'vol-0bbb', listCostUsd: 2 }], 5.5),
    ];
    const lines = [line('i-a', 10, 'i-a'), line('arn:aws:ec2:us-east-1:123456789012:volume/vol-0aaa', 6), line('vol-0aaa', 2), line('vol-0ccc', 0.7)];
    const result = reconcileDay(nodes, pods, lines, unallocated);
    const [shop, payments] = result.pods;
    expect(shop).toMatchObject({ listStorageCostUsd: 1, reconciledStorageCostUsd: 2, reconciledComputeCostUsd: 2, listCostUsd: 3.25, reconciledCostUsd: 4.25 });
    expect(payments).toMatchObject({ listStorageCostUsd: 5.5, reconciledStorageCostUsd: 6 + 2 + 0.5, listCostUsd: 7.75, reconciledCostUsd: 10.75 });
    expect(result.volumes).toEqual([{ cluster: 'sim', volumeId: 'vol-0aaa', listCostUsd: 4, billedCostUsd: 8 }]);
    expect(result.external).toEqual([{ cluster: 'sim', namespace: UNALLOCATED_NAMESPACE, serviceName: 'AmazonEC2', attribution: 'unallocated', costUsd: 0.7 }]);
    // The day adds up: pods + idle + external = the lines, plus the list figures the bill does not cover (an unbilled disk, network).
    const kcost = total(result.pods.map((p) => p.reconciledCostUsd)) + total(result.nodes.map((n) => n.reconciledIdleCostUsd)) + total(result.external.map((e) => e.costUsd));
    expect(kcost).toBeCloseTo(result.billedEffectiveCostUsd + 2 + 0.5 + 2 * 0.25, 12);
  });

  it('splits a disk priced at 0 evenly, and never takes a node\'s instance line for a disk', () => {
    const pods = [pod('shop', [{ providerVolumeId: 'vol-0aaa', listCostUsd: 0 }]), pod('payments', [{ providerVolumeId: 'vol-0aaa', listCostUsd: 0 }])];
    const result = reconcileDay(nodes, pods, [line('vol-0aaa', 3), line('vol-0aaa', 7, 'i-vol-0aaa')], unallocated);
    expect(result.pods.map((p) => p.reconciledStorageCostUsd)).toEqual([1.5, 1.5]);
    expect(result.external.map((e) => e.costUsd)).toEqual([7]);
  });
});

describe('diskIdOf', () => {
  it.each([
    ['vol-0a1b', 'vol-0a1b'],
    ['arn:aws:ec2:us-east-1:123456789012:volume/vol-0A1B', 'vol-0a1b'],
    ['projects/p/zones/europe-west1-b/disks/pvc-1', 'pvc-1'],
    ['//compute.googleapis.com/projects/p/zones/europe-west1-b/disks/pvc-1', 'pvc-1'],
    ['/subscriptions/S/resourceGroups/MC_rg/providers/Microsoft.Compute/disks/PVC-2', 'pvc-2'],
  ])('%s → %s', (id, disk) => {
    expect(diskIdOf(id)).toBe(disk);
  });
});

describe('allocateExternal', () => {
  const namespaceCost = new Map([['prod', new Map([['a', 30], ['b', 10]])], ['dev', new Map([['c', 60]])]]);
  const untagged = { serviceName: 'AmazonCloudWatch', tags: {}, effectiveCostUsd: 100 };

  it.each([
    ['even', [['prod', 'a', 100 / 3], ['prod', 'b', 100 / 3], ['dev', 'c', 100 / 3]]],
    ['proportional', [['prod', 'a', 30], ['prod', 'b', 10], ['dev', 'c', 60]]],
    ['unallocated', [['', UNALLOCATED_NAMESPACE, 100]]],
  ] as const)('shares an untagged line across every cluster by the %s rule', (rule, expected) => {
    const rows = allocateExternal([untagged], namespaceCost, { ...rules, unattributed: rule });
    expect(rows.map((r) => [r.cluster, r.namespace])).toEqual(expected.map(([c, n]) => [c, n]));
    rows.forEach((r, i) => expect(r.costUsd).toBeCloseTo(expected[i]?.[2] ?? NaN, 9));
  });

  it('shares a line tagged with a cluster only among that cluster\'s namespaces, reading a configured cluster tag', () => {
    const rows = allocateExternal([{ ...untagged, tags: { 'user:eks:cluster-name': 'prod' } }], namespaceCost, { ...rules, clusterTag: 'eks:cluster-name', unattributed: 'even' });
    expect(rows.map((r) => [r.cluster, r.namespace, r.costUsd])).toEqual([['prod', 'a', 50], ['prod', 'b', 50]]);
  });

  it('charges a disk no pod mounted to the namespace of the claim the EBS CSI driver made it for', () => {
    const disk = { serviceName: 'AmazonEC2', tags: { 'user:kubernetes.io/cluster/prod': 'owned', 'user:kubernetes.io/created-for/pvc/namespace': 'b' }, effectiveCostUsd: 2 };
    expect(allocateExternal([disk], namespaceCost, rules)).toEqual([{ cluster: 'prod', namespace: 'b', serviceName: 'AmazonEC2', attribution: 'tag', costUsd: 2 }]);
  });

  it('leaves a line unallocated when its cluster has no namespace cost that day', () => {
    const rows = allocateExternal([{ ...untagged, tags: { 'kubernetes.io/cluster/gone': 'owned' } }], namespaceCost, rules);
    expect(rows).toEqual([{ cluster: 'gone', namespace: UNALLOCATED_NAMESPACE, serviceName: 'AmazonCloudWatch', attribution: 'unallocated', costUsd: 100 }]);
  });
});

describe('dayShare', () => {
  it.each([
    ['a daily line in its day', MONTH, MONTH + DAY, MONTH, 1],
    ['a daily line in another day', MONTH, MONTH + DAY, MONTH + DAY, 0],
    ['a 30-day fee', MONTH, MONTH + 30 * DAY, MONTH + 4 * DAY, 1 / 30],
    ['six hours of a day', MONTH + 18 * HOUR, MONTH + DAY, MONTH, 1],
    ['a one-time charge at an instant', MONTH + HOUR, MONTH + HOUR, MONTH, 1],
  ])('%s', (_name, start, end, day, expected) => {
    expect(dayShare(start, end, day)).toBeCloseTo(expected, 12);
  });
});
