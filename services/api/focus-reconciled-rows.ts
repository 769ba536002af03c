// FOCUS rows of the reconciled basis (GET /v1/focus?costBasis=reconciled),
// one per database row of planReconciledFocus. The reconciled tables keep
// one figure per workload and node-day, so these rows have no split by
// resource (x_KcostCpuCost … null).

import { UNALLOCATED, type DbRow } from './allocation-rows.js';
import type { FocusRow } from './focus-columns.js';
import type { FocusQuery } from './focus-query.js';
import { RECONCILED_PARTS } from './focus-reconciled-query.js';
import { allocationResource, FIXED, nodeResource, periods, PRICING_CATEGORY, TAG_PREFIX } from './focus-rows.js';
import { textOf } from './sql-params.js';
import { DAY_MILLIS } from './time-window.js';

/** FOCUS 1.2 ServiceCategory values: a billing line's category outside them is written as Other. */
export const SERVICE_CATEGORIES = [
  'AI and Machine Learning',
  'Analytics',
  'Business Applications',
  'Compute',
  'Databases',
  'Developer Tools',
  'Multicloud',
  'Identity',
  'Integration',
  'Internet of Things',
  'Management and Governance',
  'Media',
  'Migration',
  'Mobile',
  'Networking',
  'Security',
  'Storage',
  'Web',
  'Other',
] as const;

/** Where the reconciled figure came from: the bill for billed node-days, kcost's list price sources for unbilled ones. */
const BILL_SOURCE = 'bill';

const NO_RESOURCE_SPLIT = { x_KcostCpuCost: null, x_KcostMemoryCost: null, x_KcostGpuCost: null, x_KcostStorageCost: null, x_KcostNetworkCost: null } as const;

/** The FOCUS row of one row of the reconciled export's statement. */
export function reconciledFocusRow(query: FocusQuery, row: DbRow): FocusRow {
  const part = Number(row.part);
  if (part === RECONCILED_PARTS.allocation) return allocationRow(query, row);
  if (part === RECONCILED_PARTS.external) return externalRow(row);
  return idleRow(row);
}

function common(row: DbRow) {
  const start = Date.parse(`${textOf(row.day)}T00:00:00Z`);
  const cost = Number(row.cost ?? 0);
  return { cost, list: Number(row.list ?? 0), cluster: textOf(row.cluster), ...periods(start, start + DAY_MILLIS) };
}

/** The row's price sources: bill where a node-day was billed, the list sources where one was not. */
function sourcesOf(row: DbRow): string {
  const list = typeof row.price_sources === 'string' && row.price_sources !== '' ? row.price_sources.split(',') : [];
  const sources = new Set([...(row.billed === true ? [BILL_SOURCE] : []), ...(row.unbilled === true ? list : [])]);
  return [...sources].sort().join(';');
}

function allocationRow(query: FocusQuery, row: DbRow): FocusRow {
  const { cost, list, cluster, ...period } = common(row);
  const { what, columns } = allocationResource(query, cluster, textOf(row.namespace), textOf(row.workload_kind), textOf(row.workload_name));
  return {
    ...FIXED,
    ...period,
    BilledCost: cost,
    BillingAccountId: cluster,
    BillingAccountName: cluster,
    ChargeDescription: `Kubernetes cost of ${what} in cluster ${cluster}, reconciled with the bill`,
    ContractedCost: cost,
    EffectiveCost: cost,
    ListCost: list,
    // A day of a namespace or workload after reconciliation is a blend of the rates billed for its nodes.
    PricingCategory: 'Other',
    PricingQuantity: Number(row.seconds ?? 0) / 3600,
    ...columns,
    x_KcostCostKind: 'allocation',
    x_KcostCostBasis: 'reconciled',
    x_KcostAttribution: null,
    x_KcostIdle: false,
    x_KcostPriceSource: sourcesOf(row),
    ...NO_RESOURCE_SPLIT,
  };
}

/**
 * An external row: a namespace's share of one service's out-of-cluster
 * lines of a day. It sums usage, fees, discounts and credits of the service
 * alike, so it is no Usage row of its own (which would need a quantity and
 * unit kcost does not have): FOCUS's Adjustment, with the provider's rows
 * keeping each line's own category.
 */
function externalRow(row: DbRow): FocusRow {
  const { cost, cluster, ...period } = common(row);
  const namespace = textOf(row.namespace);
  const service = textOf(row.service_name);
  const attribution = textOf(row.attribution);
  const category = (SERVICE_CATEGORIES as readonly string[]).includes(textOf(row.service_category)) ? textOf(row.service_category) : 'Other';
  const account = cluster === '' ? UNALLOCATED : cluster;
  const to = namespace === UNALLOCATED ? 'left unallocated' : `allocated to namespace ${namespace} (${attribution})`;
  return {
    ...FIXED,
    ...period,
    BilledCost: cost,
    BillingAccountId: account,
    BillingAccountName: account,
    ChargeCategory: 'Adjustment',
    ChargeDescription: `${service} billed outside the cluster${cluster === '' ? '' : ` ${cluster}`}, ${to}`,
    ContractedCost: cost,
    EffectiveCost: cost,
    ListCost: cost,
    PricingCategory: null,
    PricingQuantity: null,
    PricingUnit: null,
    ResourceId: null,
    ResourceName: null,
    ResourceType: null,
    ServiceCategory: category,
    ServiceName: service,
    ServiceSubcategory: `Other (${category})`,
    Tags: JSON.stringify({ ...(cluster === '' ? {} : { [`${TAG_PREFIX}cluster`]: cluster }), [`${TAG_PREFIX}namespace`]: namespace }),
    x_KcostCluster: cluster === '' ? null : cluster,
    x_KcostNamespace: namespace,
    x_KcostWorkloadKind: null,
    x_KcostWorkload: null,
    x_KcostNode: null,
    x_KcostInstanceType: null,
    x_KcostCostKind: 'external',
    x_KcostCostBasis: 'reconciled',
    x_KcostAttribution: attribution,
    x_KcostIdle: false,
    x_KcostPriceSource: BILL_SOURCE,
    ...NO_RESOURCE_SPLIT,
  };
}

function idleRow(row: DbRow): FocusRow {
  const { cost, list, cluster, ...period } = common(row);
  const node = textOf(row.node_name);
  const instanceType = textOf(row.instance_type);
  const capacity = textOf(row.capacity_type);
  const status = textOf(row.status);
  // A billed on-demand node may be covered by a Savings Plan or reservation: the bill's rate is no longer the Standard one.
  const pricing = row.billed === true && capacity === 'ON_DEMAND' ? 'Other' : (PRICING_CATEGORY[capacity] ?? 'Other');
  return {
    ...FIXED,
    ...period,
    BilledCost: cost,
    BillingAccountId: cluster,
    BillingAccountName: cluster,
    ChargeDescription: `Idle capacity of node ${node}${instanceType === '' ? '' : ` (${instanceType})`} in cluster ${cluster}, reconciled with the bill (${status}): node cost no container was charged`,
    ContractedCost: cost,
    EffectiveCost: cost,
    ListCost: list,
    PricingCategory: pricing,
    PricingQuantity: Number(row.seconds ?? 0) / 3600,
    ...nodeResource(cluster, node, instanceType === '' ? null : instanceType),
    x_KcostCostKind: 'idle',
    x_KcostCostBasis: 'reconciled',
    x_KcostAttribution: null,
    x_KcostIdle: true,
    x_KcostPriceSource: sourcesOf(row),
    ...NO_RESOURCE_SPLIT,
  };
}
