// The columns of GET /v1/focus, in order: every FOCUS 1.2 Mandatory column,
// the Recommended and Conditional ones kcost can fill, then kcost's own
// (x_ prefixed, as FOCUS requires of custom columns). One table drives the
// CSV header, the Parquet schema and the OpenAPI description, so they cannot
// drift apart; test/api/focus-spec.test.ts checks it against the spec's
// column definitions (test/fixtures/focus/focus-1.2-columns.json).

/** The FOCUS data type of a column, and how it is written: Decimal as a plain decimal, Date/Time as YYYY-MM-DDTHH:mm:ssZ, JSON as an object's text. */
export type FocusDataType = 'String' | 'Decimal' | 'Date/Time' | 'JSON' | 'Boolean';

export interface FocusColumn {
  readonly name: string;
  readonly type: FocusDataType;
  readonly nullable: boolean;
  readonly description: string;
}

const column = <N extends string, T extends FocusDataType, B extends boolean>(name: N, type: T, nullable: B, description: string) => ({ name, type, nullable, description }) as const;

export const FOCUS_COLUMNS = [
  column('BilledCost', 'Decimal', false, 'Equal to EffectiveCost, USD: on the list basis kcost prices usage and amortizes no purchase; on the reconciled basis the rows allocate the bill\'s amortized EffectiveCost, and the invoiced BilledCost stays on the provider\'s own rows (docs/focus.md).'),
  column('BillingAccountId', 'String', false, 'The cluster: kcost has no billing account of its own (__unallocated__ on external rows no cluster could be told for).'),
  column('BillingAccountName', 'String', true, 'As BillingAccountId.'),
  column('BillingCurrency', 'String', false, 'USD.'),
  column('BillingPeriodStart', 'Date/Time', false, 'First instant of the UTC calendar month holding the charge period.'),
  column('BillingPeriodEnd', 'Date/Time', false, 'First instant of the next UTC calendar month (exclusive).'),
  column('ChargeCategory', 'String', false, 'Usage; Adjustment on external rows (costBasis=reconciled: a namespace\'s share of out-of-cluster lines of one service and day, usage, fees, discounts and credits together).'),
  column('ChargeClass', 'String', true, 'Null: kcost rows are never corrections of an invoiced period.'),
  column('ChargeDescription', 'String', true, 'What the row is, in words.'),
  column('ChargeFrequency', 'String', false, 'Usage-Based.'),
  column('ChargePeriodStart', 'Date/Time', false, 'Start of the day (or hour, step=1h), clipped to the window.'),
  column('ChargePeriodEnd', 'Date/Time', false, 'End of the day (or hour), clipped to the window (exclusive).'),
  column('ContractedCost', 'Decimal', false, 'Equal to EffectiveCost: kcost cannot tell a negotiated discount from a commitment discount in what it allocates.'),
  column('EffectiveCost', 'Decimal', false, 'kcost\'s cost of the row, USD: list basis, the allocation API\'s totalCostUsd for a workload or namespace and the idle cost for an idle row; reconciled basis, the reconciled cost, the reconciled idle, or the external cost allocated.'),
  column('InvoiceIssuerName', 'String', false, 'kcost: the rows are an allocation, invoiced by nobody; the provider\'s own export holds the invoiced rows.'),
  column('ListCost', 'Decimal', false, 'List basis: the same allocation at on-demand prices (onDemandCostUsd), equal to EffectiveCost on idle rows. Reconciled basis: kcost\'s list-price figure of the allocation or idle (listCostUsd), equal to EffectiveCost on external rows.'),
  column('PricingCategory', 'String', true, 'Idle rows: Standard (on-demand node), Dynamic (spot), Committed (reserved) or Other. Allocation rows: Standard when all of it was priced at on-demand rates (ListCost = EffectiveCost), Other when part ran on spot or reserved capacity (a day of a workload may span nodes of several kinds). Reconciled basis: Other on allocation rows (a blend of the rates billed for their nodes), on idle rows Other for a billed on-demand node (a commitment may cover it); null on external rows (not Usage).'),
  column('PricingQuantity', 'Decimal', true, 'Container-hours charged (allocation rows) or node-hours (idle rows); null on external rows.'),
  column('PricingUnit', 'String', true, 'Hours; null on external rows.'),
  column('ProviderName', 'String', false, 'kcost.'),
  column('PublisherName', 'String', false, 'kcost.'),
  column('ResourceId', 'String', true, '<cluster>/<namespace>[/<kind>/<workload>] or <cluster>/nodes/<node> for idle; null on external rows (the provider\'s rows name those resources).'),
  column('ResourceName', 'String', true, 'The workload, namespace or node name.'),
  column('ResourceType', 'String', true, 'Kubernetes Namespace, Kubernetes <Kind> (Deployment, StatefulSet, ...), Kubernetes Pod (bare pods) or Kubernetes Node (idle).'),
  column('ServiceCategory', 'String', false, 'Compute; on external rows the ServiceCategory of the service\'s billing lines (Other when none is known).'),
  column('ServiceName', 'String', false, 'Kubernetes; on external rows the service of the billing lines (AmazonRDS, AWSELB, ...).'),
  column('ServiceSubcategory', 'String', false, 'Containers; on external rows Other (<ServiceCategory>).'),
  column('Tags', 'JSON', true, 'kcost.io/cluster, kcost.io/namespace, kcost.io/workload-kind, kcost.io/workload and kcost.io/node, where the row has them.'),
  column('x_KcostCluster', 'String', true, 'Cluster; null on external rows no cluster could be told for.'),
  column('x_KcostNamespace', 'String', true, 'Namespace (__unallocated__ on external rows no rule attributed); null on idle rows.'),
  column('x_KcostWorkloadKind', 'String', true, 'Top controller kind (empty for bare pods); null unless aggregate=workload.'),
  column('x_KcostWorkload', 'String', true, 'Top controller name (empty for bare pods); null unless aggregate=workload.'),
  column('x_KcostNode', 'String', true, 'Node of an idle row; null on allocation rows.'),
  column('x_KcostInstanceType', 'String', true, 'Instance type of the node of an idle row; null on allocation rows. (Not SkuId: FOCUS requires SkuId on every usage row, from a SKU list kcost does not publish.)'),
  column('x_KcostCostKind', 'String', false, 'allocation (cost charged to containers), idle (node cost no container was charged) or external (costBasis=reconciled: billing lines outside the cluster allocated to a namespace).'),
  column('x_KcostIdle', 'Boolean', false, 'true on idle rows.'),
  column('x_KcostPriceSource', 'String', false, 'Price sources of the row joined by ";" (aws-pricing, aws-spot, azure-retail, gcp-catalog, pricebook, default; bill for what the reconciled basis took from the bill).'),
  column('x_KcostCpuCost', 'Decimal', true, 'CPU part of EffectiveCost, USD; null on the reconciled basis (its tables keep one figure per workload and node-day).'),
  column('x_KcostMemoryCost', 'Decimal', true, 'Memory part of EffectiveCost, USD; null on the reconciled basis.'),
  column('x_KcostGpuCost', 'Decimal', true, 'GPU part of EffectiveCost, USD; null on the reconciled basis.'),
  column('x_KcostStorageCost', 'Decimal', true, 'Persistent volume part of EffectiveCost, USD (0 on idle rows); null on the reconciled basis.'),
  column('x_KcostNetworkCost', 'Decimal', true, 'Network part of EffectiveCost, USD (0 on idle rows); null on the reconciled basis.'),
  // Added with the reconciled basis: appended, so the columns before keep their positions.
  column('x_KcostCostBasis', 'String', false, 'list (kcost\'s prices) or reconciled (reconciled with the bill by kcost reconcile).'),
  column('x_KcostAttribution', 'String', true, 'External rows: how the cost came to the namespace (tag, service, proportional, even, unallocated); null on other rows.'),
] as const satisfies readonly FocusColumn[];

export type FocusColumnName = (typeof FOCUS_COLUMNS)[number]['name'];

/** One row of the export: a value per column, null only where the column allows it. */
export type FocusRow = { [K in FocusColumnName]: ValueOf<ColumnOf<K>> | (ColumnOf<K> extends { nullable: true } ? null : never) };

type ColumnOf<K extends FocusColumnName> = Extract<(typeof FOCUS_COLUMNS)[number], { name: K }>;
/** Date/Time values are held as epoch milliseconds and formatted on output. */
type ValueOf<C> = C extends { type: 'Decimal' | 'Date/Time' } ? number : C extends { type: 'Boolean' } ? boolean : string;
