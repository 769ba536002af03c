import type { BillingLine } from '../codec/records.generated.js';
import { billingLineKey } from '../kafka/topics.js';
import { col, type TableSpec } from './table-spec.js';

type B = BillingLine;

/** billing_line: the bill as last delivered, one row per kcost.billing.v1 key (sql/0012_billing_lines.sql). */
export const BILLING_LINE_TABLE: TableSpec<'BillingLine'> = {
  table: 'billing_line',
  schema: 'BillingLine',
  // A plain keyed table on both paths: rows are replaced and deleted as providers restate a month.
  partitionTime: null,
  check: (r) => {
    if (r.billingAccountId === '') return 'billingAccountId is empty';
    if (r.lineId === '') return 'lineId is empty';
    if (![r.billedCost, r.effectiveCost, r.listCost].every(Number.isFinite)) return 'a cost is not a finite number';
    return undefined;
  },
  columns: [
    col<B>('key', 'text', (r) => billingLineKey(r)),
    col<B>('billing_account_id', 'text', (r) => r.billingAccountId),
    col<B>('billing_account_name', 'text', (r) => r.billingAccountName, true),
    col<B>('sub_account_id', 'text', (r) => r.subAccountId, true),
    col<B>('billing_period_start', 'timestamptz', (r) => r.billingPeriodStart),
    col<B>('billing_period_end', 'timestamptz', (r) => r.billingPeriodEnd),
    col<B>('line_id', 'text', (r) => r.lineId),
    col<B>('charge_period_start', 'timestamptz', (r) => r.chargePeriodStart),
    col<B>('charge_period_end', 'timestamptz', (r) => r.chargePeriodEnd),
    col<B>('charge_category', 'text', (r) => r.chargeCategory),
    col<B>('charge_class', 'text', (r) => r.chargeClass, true),
    col<B>('charge_description', 'text', (r) => r.chargeDescription, true),
    col<B>('charge_frequency', 'text', (r) => r.chargeFrequency, true),
    col<B>('pricing_category', 'text', (r) => r.pricingCategory, true),
    col<B>('billed_cost', 'float8', (r) => r.billedCost),
    col<B>('effective_cost', 'float8', (r) => r.effectiveCost),
    col<B>('list_cost', 'float8', (r) => r.listCost),
    col<B>('contracted_cost', 'float8', (r) => r.contractedCost, true),
    col<B>('billing_currency', 'text', (r) => r.billingCurrency),
    col<B>('commitment_discount_id', 'text', (r) => r.commitmentDiscountId, true),
    col<B>('commitment_discount_type', 'text', (r) => r.commitmentDiscountType, true),
    col<B>('resource_id', 'text', (r) => r.resourceId, true),
    col<B>('instance_id', 'text', (r) => r.instanceId, true),
    col<B>('resource_name', 'text', (r) => r.resourceName, true),
    col<B>('resource_type', 'text', (r) => r.resourceType, true),
    col<B>('service_name', 'text', (r) => r.serviceName),
    col<B>('service_category', 'text', (r) => r.serviceCategory, true),
    col<B>('provider_name', 'text', (r) => r.providerName),
    col<B>('region_id', 'text', (r) => r.regionId, true),
    col<B>('availability_zone', 'text', (r) => r.availabilityZone, true),
    col<B>('sku_id', 'text', (r) => r.skuId, true),
    col<B>('consumed_quantity', 'float8', (r) => r.consumedQuantity, true),
    col<B>('consumed_unit', 'text', (r) => r.consumedUnit, true),
    col<B>('tags', 'jsonb', (r) => r.tags),
    col<B>('extensions', 'jsonb', (r) => r.extensions),
    col<B>('source_format', 'text', (r) => r.sourceFormat),
    col<B>('source_file', 'text', (r) => r.sourceFile),
    col<B>('source_row', 'int8', (r) => r.sourceRow),
    col<B>('source_version', 'text', (r) => r.sourceVersion),
    col<B>('ingested_at', 'timestamptz', (r) => r.ingestedAt),
  ],
};
