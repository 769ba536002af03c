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

const column = <N extends string, T extends FocusDataType>(name: N, type: T, nullable: boolean, description: string) => ({ name, type, nullable, description }) as const;

export const FOCUS_COLUMNS = [
  column('BilledCost', 'Decimal', false, 'kcost\'s cost of the row (equal to EffectiveCost: kcost prices usage, it amortizes no purchase), USD.'),
  column('BillingAccountId', 'String', false, 'The cluster: kcost has no billing account of its own.'),
  column('BillingAccountName', 'String', true, 'The cluster.'),
  column('BillingCurrency', 'String', false, 'USD.'),
  column('BillingPeriodStart', 'Date/Time', false, 'First instant of the UTC calendar month holding the charge period.'),
  column('BillingPeriodEnd', 'Date/Time', false, 'First instant of the next UTC calendar month (exclusive).'),
  column('ChargeCategory', 'String', false, 'Usage.'),
  column('ChargeClass', 'String', true, 'Null: kcost rows are never corrections of an invoiced period.'),
  column('ChargeDescription', 'String', true, 'What the row is, in words.'),
  column('ChargeFrequency', 'String', false, 'Usage-Based.'),
  column('ChargePeriodStart', 'Date/Time', false, 'Start of the day (or hour, step=1h), clipped to the window.'),
  column('ChargePeriodEnd', 'Date/Time', false, 'End of the day (or hour), clipped to the window (exclusive).'),
  column('ContractedCost', 'Decimal', false, 'Equal to EffectiveCost: kcost knows no negotiated discount before reconciliation.'),
  column('EffectiveCost', 'Decimal', false, 'kcost\'s cost of the row, USD: the allocation API\'s totalCostUsd for a workload or namespace, the idle cost for an idle row.'),
  column('InvoiceIssuerName', 'String', false, 'kcost: the rows are an allocation, invoiced by nobody; the provider\'s own export holds the invoiced rows.'),
  column('ListCost', 'Decimal', false, 'The same allocation at on-demand prices (onDemandCostUsd); equal to EffectiveCost on idle rows.'),
  column('PricingCategory', 'String', false, 'Idle rows: Standard (on-demand node), Dynamic (spot), Committed (reserved) or Other. Allocation rows: Standard when all of it was priced at on-demand rates (ListCost = EffectiveCost), Other when part ran on spot or reserved capacity (a day of a workload may span nodes of several kinds).'),
  column('PricingQuantity', 'Decimal', false, 'Container-hours charged (allocation rows) or node-hours (idle rows).'),
  column('PricingUnit', 'String', false, 'Hours.'),
  column('ProviderName', 'String', false, 'kcost.'),
  column('PublisherName', 'String', false, 'kcost.'),
  column('ResourceId', 'String', true, '<cluster>/<namespace>[/<kind>/<workload>] or <cluster>/nodes/<node> for idle.'),
  column('ResourceName', 'String', true, 'The workload, namespace or node name.'),
  column('ResourceType', 'String', true, 'Kubernetes Namespace, Kubernetes <Kind> (Deployment, StatefulSet, ...), Kubernetes Pod (bare pods) or Kubernetes Node (idle).'),
  column('ServiceCategory', 'String', false, 'Compute.'),
  column('ServiceName', 'String', false, 'Kubernetes.'),
  column('ServiceSubcategory', 'String', false, 'Containers.'),
  column('Tags', 'JSON', true, 'kcost.io/cluster, kcost.io/namespace, kcost.io/workload-kind, kcost.io/workload and kcost.io/node, where the row has them.'),
  column('x_KcostCluster', 'String', false, 'Cluster.'),
  column('x_KcostNamespace', 'String', true, 'Namespace; null on idle rows.'),
  column('x_KcostWorkloadKind', 'String', true, 'Top controller kind (empty for bare pods); null unless aggregate=workload.'),
  column('x_KcostWorkload', 'String', true, 'Top controller name (empty for bare pods); null unless aggregate=workload.'),
  column('x_KcostNode', 'String', true, 'Node of an idle row; null on allocation rows.'),
  column('x_KcostInstanceType', 'String', true, 'Instance type of the node of an idle row; null on allocation rows. (Not SkuId: FOCUS requires SkuId on every usage row, from a SKU list kcost does not publish.)'),
  column('x_KcostCostKind', 'String', false, 'allocation (cost charged to containers) or idle (node cost no container was charged).'),
  column('x_KcostIdle', 'Boolean', false, 'true on idle rows.'),
  column('x_KcostPriceSource', 'String', false, 'Price sources of the row joined by ";" (aws-pricing, aws-spot, azure-retail, gcp-catalog, pricebook, default).'),
  column('x_KcostCpuCost', 'Decimal', false, 'CPU part of EffectiveCost, USD.'),
  column('x_KcostMemoryCost', 'Decimal', false, 'Memory part of EffectiveCost, USD.'),
  column('x_KcostGpuCost', 'Decimal', false, 'GPU part of EffectiveCost, USD.'),
  column('x_KcostStorageCost', 'Decimal', false, 'Persistent volume part of EffectiveCost, USD (0 on idle rows).'),
  column('x_KcostNetworkCost', 'Decimal', false, 'Network part of EffectiveCost, USD (0 on idle rows).'),
] as const satisfies readonly FocusColumn[];

export type FocusColumnName = (typeof FOCUS_COLUMNS)[number]['name'];

/** One row of the export: a value per column, null where the column allows it. */
export type FocusRow = { [K in FocusColumnName]: K extends DecimalColumn ? number : K extends BooleanColumn ? boolean : K extends DateColumn ? number : string | null };

type DecimalColumn = Extract<(typeof FOCUS_COLUMNS)[number], { type: 'Decimal' }>['name'];
type BooleanColumn = Extract<(typeof FOCUS_COLUMNS)[number], { type: 'Boolean' }>['name'];
/** Date/Time values are held as epoch milliseconds and formatted on output. */
type DateColumn = Extract<(typeof FOCUS_COLUMNS)[number], { type: 'Date/Time' }>['name'];
