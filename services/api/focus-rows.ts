// kcost's costs as FOCUS rows. Money is never counted twice: a node's cost is
// exactly the cost charged to its containers plus its idle (the processor's
// conservation rule), so the export holds allocation rows (what containers
// were charged, per cluster, namespace or workload and day) and idle rows
// (what no container was charged, per node and day), and no row of the
// node's whole cost. The sum of EffectiveCost over an export is the
// allocation API's totalCostUsd over the same window with idle=include.

import type { AllocationPlan } from './allocation-planner.js';
import { toRow, type DbRow } from './allocation-rows.js';
import type { FocusRow } from './focus-columns.js';
import type { FocusQuery } from './focus-query.js';
import type { AllocationQuery } from './allocation-params.js';
import { textOf } from './sql-params.js';

/** The prefix of the tags kcost sets: FOCUS requires provider-defined tag keys to carry one. */
export const TAG_PREFIX = 'kcost.io/';

/** FOCUS PricingCategory of a node's capacity type. */
export const PRICING_CATEGORY: Readonly<Record<string, string>> = { ON_DEMAND: 'Standard', SPOT: 'Dynamic', RESERVED: 'Committed' };

/** The columns every kcost row of Kubernetes usage holds alike. */
export const FIXED = {
  BillingCurrency: 'USD',
  ChargeCategory: 'Usage',
  ChargeClass: null,
  ChargeFrequency: 'Usage-Based',
  InvoiceIssuerName: 'kcost',
  PricingUnit: 'Hours',
  ProviderName: 'kcost',
  PublisherName: 'kcost',
  ServiceCategory: 'Compute',
  ServiceName: 'Kubernetes',
  ServiceSubcategory: 'Containers',
} as const;

/**
 * What an allocation row is a cost of, on either basis: its description and
 * the columns naming it (resource, tags, kcost's own dimensions). Bare pods
 * (no controller) are one row per namespace, with no workload tags rather
 * than empty ones.
 */
export function allocationResource(query: FocusQuery, cluster: string, namespace: string, kind: string, workload: string) {
  const byWorkload = query.aggregate === 'workload';
  const bare = byWorkload && kind === '' && workload === '';
  const resource = !byWorkload
    ? { id: `${cluster}/${namespace}`, name: namespace, type: 'Kubernetes Namespace', what: `namespace ${namespace}` }
    : bare
      ? { id: `${cluster}/${namespace}/Pod`, name: namespace, type: 'Kubernetes Pod', what: `pods without a controller in namespace ${namespace}` }
      : { id: `${cluster}/${namespace}/${kind}/${workload}`, name: workload, type: `Kubernetes ${kind}`, what: `${kind} ${namespace}/${workload}` };
  return {
    what: resource.what,
    columns: {
      ResourceId: resource.id,
      ResourceName: resource.name,
      ResourceType: resource.type,
      Tags: JSON.stringify({
        [`${TAG_PREFIX}cluster`]: cluster,
        [`${TAG_PREFIX}namespace`]: namespace,
        ...(byWorkload && !bare ? { [`${TAG_PREFIX}workload-kind`]: kind, [`${TAG_PREFIX}workload`]: workload } : {}),
      }),
      x_KcostCluster: cluster,
      x_KcostNamespace: namespace,
      x_KcostWorkloadKind: byWorkload ? kind : null,
      x_KcostWorkload: byWorkload ? workload : null,
      x_KcostNode: null,
      x_KcostInstanceType: null,
    },
  };
}

/** The FOCUS row of one row of the export's allocation statement (the allocation API's plan). */
export function allocationFocusRow(query: FocusQuery, allocation: AllocationQuery, plan: AllocationPlan, row: DbRow): FocusRow {
  const a = toRow(allocation, plan, row);
  const cluster = a.properties.cluster ?? '';
  const namespace = a.properties.namespace ?? '';
  const { what, columns } = allocationResource(query, cluster, namespace, a.properties.controllerKind ?? '', a.properties.controller ?? '');
  const start = Date.parse(a.start);
  return {
    ...FIXED,
    ...periods(start, Date.parse(a.end)),
    BilledCost: a.totalCostUsd,
    BillingAccountId: cluster,
    BillingAccountName: cluster,
    ChargeDescription: `Kubernetes cost of ${what} in cluster ${cluster}`,
    ContractedCost: a.totalCostUsd,
    EffectiveCost: a.totalCostUsd,
    ListCost: a.onDemandCostUsd,
    // A rollup row cannot say which part ran on which capacity: Standard only when all of it was at on-demand rates.
    PricingCategory: a.onDemandCostUsd === a.totalCostUsd ? 'Standard' : 'Other',
    PricingQuantity: Number(row.seconds ?? 0) / 3600,
    ...columns,
    x_KcostCostKind: 'allocation',
    x_KcostCostBasis: 'list',
    x_KcostAttribution: null,
    x_KcostIdle: false,
    x_KcostPriceSource: a.priceSources.join(';'),
    x_KcostCpuCost: a.cpuCostUsd,
    x_KcostMemoryCost: a.memoryCostUsd,
    x_KcostGpuCost: a.gpuCostUsd,
    x_KcostStorageCost: a.storageCostUsd,
    x_KcostNetworkCost: a.networkCostUsd,
  };
}

/** The columns naming a node, on the idle rows of either basis. */
export function nodeResource(cluster: string, node: string, instanceType: string | null) {
  return {
    ResourceId: `${cluster}/nodes/${node}`,
    ResourceName: node,
    ResourceType: 'Kubernetes Node',
    Tags: JSON.stringify({ [`${TAG_PREFIX}cluster`]: cluster, [`${TAG_PREFIX}node`]: node }),
    x_KcostCluster: cluster,
    x_KcostNamespace: null,
    x_KcostWorkloadKind: null,
    x_KcostWorkload: null,
    x_KcostNode: node,
    x_KcostInstanceType: instanceType,
  };
}

/** The FOCUS row of one row of the export's idle statement: one node's idle over one step. */
export function idleFocusRow(query: FocusQuery, stepMillis: number, row: DbRow): FocusRow {
  const bucket = new Date(row.bucket as Date | string).getTime();
  const start = Math.max(bucket, query.window.startMillis);
  const end = Math.min(bucket + stepMillis, query.window.endMillis);
  const cluster = textOf(row.cluster);
  const node = textOf(row.node_name);
  const n = (alias: string) => Number(row[alias] ?? 0);
  const idle = n('cpu_idle_cost_usd') + n('memory_idle_cost_usd') + n('gpu_idle_cost_usd');
  const sources = typeof row.price_sources === 'string' && row.price_sources !== '' ? [...new Set(row.price_sources.split(','))].sort() : [];
  return {
    ...FIXED,
    ...periods(start, end),
    BilledCost: idle,
    BillingAccountId: cluster,
    BillingAccountName: cluster,
    ChargeDescription: `Idle capacity of node ${node} (${textOf(row.instance_type)}) in cluster ${cluster}: node cost no container was charged`,
    ContractedCost: idle,
    EffectiveCost: idle,
    ListCost: idle,
    PricingCategory: PRICING_CATEGORY[textOf(row.capacity_type)] ?? 'Other',
    PricingQuantity: n('seconds') / 3600,
    ...nodeResource(cluster, node, textOf(row.instance_type)),
    x_KcostCostKind: 'idle',
    x_KcostCostBasis: 'list',
    x_KcostAttribution: null,
    x_KcostIdle: true,
    x_KcostPriceSource: sources.join(';'),
    x_KcostCpuCost: n('cpu_idle_cost_usd'),
    x_KcostMemoryCost: n('memory_idle_cost_usd'),
    x_KcostGpuCost: n('gpu_idle_cost_usd'),
    x_KcostStorageCost: 0,
    x_KcostNetworkCost: 0,
  };
}

/** Charge period and its billing period (the UTC calendar month holding it: a day or hour never spans two). */
export function periods(startMillis: number, endMillis: number) {
  const month = new Date(startMillis);
  return {
    BillingPeriodStart: Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1),
    BillingPeriodEnd: Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1),
    ChargePeriodStart: startMillis,
    ChargePeriodEnd: endMillis,
  };
}

/** A date as FOCUS writes it: ISO 8601 in UTC to the second, with a Z. */
export function focusDateTime(millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 19)}Z`;
}

/**
 * A number as a plain decimal (FOCUS NumericFormat), exact to the double:
 * String() would write 1e-7 in scientific notation, toFixed() would round or
 * invent digits. Number(decimalText(x)) === x for every finite x.
 */
export function decimalText(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, head, tail = '', exponentText] = match as unknown as [string, string, string, string | undefined, string];
  const digits = head + tail;
  const point = 1 + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
