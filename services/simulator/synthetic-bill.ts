import { Prng } from './prng.js';
import { ebsVolumeIdOf } from './sim-records.js';
import type { NodeIncarnation, VolumePair } from './timeline.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A VM of the simulated cluster as the bill sees it. */
export interface BilledMachine {
  /** The node's spec.providerID (aws:///us-east-1a/i-0abc). */
  readonly providerId: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  readonly onDemandHourlyUsd: number;
  readonly upFrom: number;
  /** null: still running at the end of the month. */
  readonly upTo: number | null;
}

/** The simulator's node incarnations as billed machines. */
export function billedMachinesOf(nodes: readonly NodeIncarnation[]): BilledMachine[] {
  return nodes.map((n) => ({
    providerId: n.providerId,
    instanceType: n.position.type.name,
    zone: n.position.zone,
    capacityType: n.position.capacityType,
    onDemandHourlyUsd: n.position.type.onDemandHourlyUsd,
    upFrom: n.upFrom,
    upTo: n.deletedAt,
  }));
}

/** A persistent volume's disk as the bill sees it: an EBS volume, billed by the GiB-month for the hours it exists. */
export interface BilledVolume {
  /** The EBS volume id (vol-…), as the PersistentVolume's CSI volumeHandle names it. */
  readonly volumeId: string;
  readonly zone: string;
  readonly sizeGib: number;
  /** gp3 in us-east-1 by default: 0.08 $/GiB-month. */
  readonly gibMonthUsd?: number;
  readonly upFrom: number;
  /** null: still there at the end of the month. */
  readonly upTo: number | null;
}

/** The simulator's EBS volumes (not the local ones, which no bill names) as billed volumes, never deleted. */
export function billedVolumesOf(volumes: readonly VolumePair[], zone: string, isLocal: (v: VolumePair) => boolean = () => false): BilledVolume[] {
  return volumes.filter((v) => !isLocal(v)).map((v) => ({ volumeId: ebsVolumeIdOf(v.volumeUid), zone, sizeGib: v.sizeBytes / 1024 ** 3, upFrom: v.createdAt, upTo: null }));
}

export interface SyntheticBillOptions {
  readonly seed: number;
  readonly cluster: string;
  /** Start of the billing month (UTC midnight of its first day). */
  readonly monthStart: number;
  readonly machines: readonly BilledMachine[];
  /** EBS volumes billed daily (none by default). */
  readonly volumes?: readonly BilledVolume[];
  readonly accountId?: string;
  readonly region?: string;
  /** Share of the on-demand machines (by instance id order) the Savings Plan covers. */
  readonly savingsPlanCoverage?: number;
  /** Enterprise discount on the non-committed, non-spot spend. */
  readonly enterpriseDiscount?: number;
}

/** One charge of the synthetic bill, in FOCUS terms; the FOCUS and CUR 2.0 renderings are both made from it. */
export interface SyntheticCharge {
  readonly kind: 'node' | 'volume' | 'savings-plan-fee' | 'enterprise-discount' | 'credit' | 'rds' | 'load-balancer' | 'egress' | 'correction';
  readonly chargePeriodStart: number;
  readonly chargePeriodEnd: number;
  readonly chargeCategory: 'Usage' | 'Purchase' | 'Credit' | 'Adjustment';
  readonly chargeClass: 'Correction' | null;
  readonly pricingCategory: 'Standard' | 'Dynamic' | 'Committed' | null;
  readonly billedCost: number;
  readonly effectiveCost: number;
  readonly listCost: number;
  readonly resourceId: string | null;
  readonly resourceType: string | null;
  readonly serviceName: string;
  readonly serviceCategory: string;
  readonly skuId: string | null;
  readonly availabilityZone: string | null;
  readonly consumedQuantity: number | null;
  readonly consumedUnit: string | null;
  readonly usageType: string | null;
  readonly commitmentDiscountId: string | null;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The month as the provider delivers it twice: before the day-20 restatement, and the whole month after it. */
export interface SyntheticBill {
  readonly accountId: string;
  readonly billingPeriodStart: number;
  readonly billingPeriodEnd: number;
  readonly savingsPlanArn: string;
  /** Delivered on day 19: days 1-19, egress at its first figures. */
  readonly firstDelivery: readonly SyntheticCharge[];
  /** Delivered at month end: every day, egress of days 1-19 restated on day 20, and a correction to the previous month. */
  readonly finalDelivery: readonly SyntheticCharge[];
}

const money = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/**
 * A month of AWS billing for the simulated cluster, as a pure function of
 * its options: daily lines per node (part of the on-demand nodes covered by
 * a Savings Plan, spot at billed spot rates below list), the Savings Plan's
 * daily fee with a small unused part, an enterprise discount on the
 * uncommitted spend, a credit on day 15, the daily GB-months of the given
 * EBS volumes, an RDS instance, two load
 * balancers tagged kubernetes.io/service-name, daily egress, and on day 20
 * a restatement of the egress of days 1-19 and a correction of the
 * previous month. Reconciliation tests compare kcost's costs with its
 * EffectiveCost; the ingest tests load it as FOCUS and as CUR 2.0.
 */
export function syntheticBill(options: SyntheticBillOptions): SyntheticBill {
  const prng = new Prng(options.seed);
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const start = options.monthStart;
  const startDate = new Date(start);
  const end = Date.UTC(startDate.getUTCFullYear(), startDate.getUTCMonth() + 1, 1);
  const days = Math.round((end - start) / DAY);
  const savingsPlanArn = `arn:aws:savingsplans::${accountId}:savingsplan/${prng.uuid()}`;
  const clusterTag = { [`kubernetes.io/cluster/${options.cluster}`]: 'owned' };
  const onDemand = options.machines.filter((m) => m.capacityType === 'ON_DEMAND').map((m) => m.providerId).sort();
  const covered = new Set(onDemand.slice(0, Math.round(onDemand.length * (options.savingsPlanCoverage ?? 0.5))));
  const savingsPlanRate = 0.72;
  const spotRate = new Map(options.machines.map((m) => [m.providerId, prng.range(0.28, 0.42)]));
  const discount = options.enterpriseDiscount ?? 0.03;
  const rds = { id: `arn:aws:rds:${region}:${accountId}:db:orders-db`, hourly: 0.171 };
  const loadBalancers = [
    { id: `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/net/k8s-shop-frontend/${prng.uuid().slice(0, 16)}`, service: 'shop/frontend', hourly: 0.0225 },
    { id: `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/net/k8s-payments-api/${prng.uuid().slice(0, 16)}`, service: 'payments/api', hourly: 0.0225 },
  ];
  const egressGib = Array.from({ length: days }, () => prng.range(40, 160));
  const restatement = 1.04;
  const base = { chargeClass: null, resourceType: null, skuId: null, availabilityZone: null, commitmentDiscountId: null, usageType: null, tags: {} } as const;

  const dayCharges = (day: number, restated: boolean): SyntheticCharge[] => {
    const from = start + day * DAY;
    const to = from + DAY;
    const charges: SyntheticCharge[] = [];
    let committedUsed = 0;
    let discountable = 0;
    for (const m of options.machines) {
      const upFrom = Math.max(from, m.upFrom);
      const upTo = Math.min(to, m.upTo ?? Number.POSITIVE_INFINITY);
      if (upTo <= upFrom) continue;
      const hours = (upTo - upFrom) / HOUR;
      const instanceId = m.providerId.split('/').pop() as string;
      const list = money(m.onDemandHourlyUsd * hours);
      const node = { ...base, kind: 'node' as const, chargePeriodStart: upFrom, chargePeriodEnd: upTo, chargeCategory: 'Usage' as const, listCost: list, resourceId: instanceId, resourceType: 'Instance', serviceName: 'AmazonEC2', serviceCategory: 'Compute', skuId: `SKU-${m.instanceType}`, availabilityZone: m.zone, consumedQuantity: hours, consumedUnit: 'Hrs', tags: clusterTag };
      if (m.capacityType === 'SPOT') {
        const billed = money(list * (spotRate.get(m.providerId) as number));
        charges.push({ ...node, pricingCategory: 'Dynamic', billedCost: billed, effectiveCost: billed, usageType: `USE1-SpotUsage:${m.instanceType}`, description: `${m.instanceType} Linux/UNIX Spot Instance-hour` });
      } else if (covered.has(m.providerId)) {
        const effective = money(list * savingsPlanRate);
        committedUsed += effective;
        charges.push({ ...node, pricingCategory: 'Committed', billedCost: 0, effectiveCost: effective, commitmentDiscountId: savingsPlanArn, usageType: `USE1-BoxUsage:${m.instanceType}`, description: `${m.instanceType} covered by Compute Savings Plan` });
      } else {
        discountable += list;
        charges.push({ ...node, pricingCategory: 'Standard', billedCost: list, effectiveCost: list, usageType: `USE1-BoxUsage:${m.instanceType}`, description: `${m.instanceType} Linux/UNIX On Demand Instance-hour` });
      }
    }
    for (const v of options.volumes ?? []) {
      const upFrom = Math.max(from, v.upFrom);
      const upTo = Math.min(to, v.upTo ?? Number.POSITIVE_INFINITY);
      if (upTo <= upFrom) continue;
      // AWS bills EBS by the GB-month, prorated over the hours of the month (kcost's list price divides by 730 hours).
      const gibMonths = (v.sizeGib * (upTo - upFrom)) / (end - start);
      const cost = money(gibMonths * (v.gibMonthUsd ?? 0.08));
      discountable += cost;
      charges.push({ ...base, kind: 'volume', chargePeriodStart: upFrom, chargePeriodEnd: upTo, chargeCategory: 'Usage', pricingCategory: 'Standard', billedCost: cost, effectiveCost: cost, listCost: cost, resourceId: v.volumeId, resourceType: 'Volume', serviceName: 'AmazonEC2', serviceCategory: 'Storage', skuId: 'SKU-ebs-gp3', availabilityZone: v.zone, consumedQuantity: money(gibMonths), consumedUnit: 'GB-Mo', usageType: 'USE1-EBS:VolumeUsage.gp3', description: 'EBS gp3 volume GB-month', tags: clusterTag });
    }
    if (committedUsed > 0) {
      const commitment = money(committedUsed * 1.05);
      charges.push({ ...base, kind: 'savings-plan-fee', chargePeriodStart: from, chargePeriodEnd: to, chargeCategory: 'Purchase', pricingCategory: null, billedCost: commitment, effectiveCost: money(commitment - committedUsed), listCost: 0, resourceId: savingsPlanArn, serviceName: 'ComputeSavingsPlans', serviceCategory: 'Compute', consumedQuantity: null, consumedUnit: null, commitmentDiscountId: savingsPlanArn, description: 'Compute Savings Plan recurring fee' });
    }
    const rdsCost = money(rds.hourly * 24);
    discountable += rdsCost;
    charges.push({ ...base, kind: 'rds', chargePeriodStart: from, chargePeriodEnd: to, chargeCategory: 'Usage', pricingCategory: 'Standard', billedCost: rdsCost, effectiveCost: rdsCost, listCost: rdsCost, resourceId: rds.id, resourceType: 'DBInstance', serviceName: 'AmazonRDS', serviceCategory: 'Databases', skuId: 'SKU-db.m5.large', availabilityZone: `${region}a`, consumedQuantity: 24, consumedUnit: 'Hrs', usageType: 'USE1-InstanceUsage:db.m5.large', description: 'RDS db.m5.large PostgreSQL', tags: { ...clusterTag, 'kcost.io/namespace': 'shop' } });
    for (const lb of loadBalancers) {
      const cost = money(lb.hourly * 24);
      discountable += cost;
      charges.push({ ...base, kind: 'load-balancer', chargePeriodStart: from, chargePeriodEnd: to, chargeCategory: 'Usage', pricingCategory: 'Standard', billedCost: cost, effectiveCost: cost, listCost: cost, resourceId: lb.id, resourceType: 'LoadBalancer', serviceName: 'AWSELB', serviceCategory: 'Networking', skuId: 'SKU-nlb-hour', consumedQuantity: 24, consumedUnit: 'Hrs', usageType: 'USE1-LoadBalancerUsage', description: 'Network Load Balancer hour', tags: { ...clusterTag, 'kubernetes.io/service-name': lb.service } });
    }
    const gib = egressGib[day] as number;
    const egress = money(gib * 0.09 * (restated ? restatement : 1));
    discountable += egress;
    charges.push({ ...base, kind: 'egress', chargePeriodStart: from, chargePeriodEnd: to, chargeCategory: 'Usage', pricingCategory: 'Standard', billedCost: egress, effectiveCost: egress, listCost: egress, resourceId: null, serviceName: 'AWSDataTransfer', serviceCategory: 'Networking', skuId: 'SKU-egress-internet', consumedQuantity: money(gib), consumedUnit: 'GB', usageType: 'USE1-DataTransfer-Out-Bytes', description: 'Data transfer out to the internet', tags: clusterTag });
    const off = money(-discountable * discount);
    charges.push({ ...base, kind: 'enterprise-discount', chargePeriodStart: from, chargePeriodEnd: to, chargeCategory: 'Adjustment', pricingCategory: null, billedCost: off, effectiveCost: off, listCost: 0, resourceId: null, serviceName: 'AmazonEC2', serviceCategory: 'Compute', consumedQuantity: null, consumedUnit: null, description: `Enterprise discount ${discount * 100} %` });
    if (day === 14) charges.push({ ...base, kind: 'credit', chargePeriodStart: from, chargePeriodEnd: to, chargeCategory: 'Credit', pricingCategory: null, billedCost: -50, effectiveCost: -50, listCost: 0, resourceId: null, serviceName: 'AmazonEC2', serviceCategory: 'Compute', consumedQuantity: null, consumedUnit: null, description: 'Promotional credit' });
    return charges;
  };

  const RESTATED_ON = 19; // day 20, zero-based
  const firstDelivery = Array.from({ length: RESTATED_ON }, (_, d) => dayCharges(d, false)).flat();
  const previousMonth = Date.UTC(startDate.getUTCFullYear(), startDate.getUTCMonth() - 1, 1);
  const finalDelivery = [
    ...Array.from({ length: days }, (_, d) => dayCharges(d, d < RESTATED_ON)).flat(),
    { ...base, kind: 'correction' as const, chargePeriodStart: previousMonth, chargePeriodEnd: start, chargeCategory: 'Credit' as const, chargeClass: 'Correction' as const, pricingCategory: null, billedCost: -12.34, effectiveCost: -12.34, listCost: 0, resourceId: null, serviceName: 'AmazonEC2', serviceCategory: 'Compute', consumedQuantity: null, consumedUnit: null, description: 'Correction of last month\'s promotional credit' },
  ];
  return { accountId, billingPeriodStart: start, billingPeriodEnd: end, savingsPlanArn, firstDelivery, finalDelivery };
}
