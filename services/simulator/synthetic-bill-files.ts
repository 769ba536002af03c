import type { SyntheticBill, SyntheticCharge } from './synthetic-bill.js';

/** A row of a billing file: column name to value (null is an empty cell). */
export type BillRow = Record<string, string | number | null>;

const iso = (millis: number): string => new Date(millis).toISOString().replace('.000Z', 'Z');

/** The FOCUS 1.2 columns the synthetic bill fills, in file order. */
export const FOCUS_COLUMNS = [
  'BillingAccountId', 'BillingAccountName', 'BillingAccountType', 'SubAccountId', 'SubAccountType', 'BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd',
  'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'PricingCategory', 'BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'BillingCurrency',
  'PricingCurrency', 'InvoiceId', 'CommitmentDiscountId', 'CommitmentDiscountType', 'ResourceId', 'ResourceName', 'ResourceType', 'ServiceName', 'ServiceCategory', 'ProviderName',
  'PublisherName', 'InvoiceIssuerName', 'RegionId', 'RegionName', 'AvailabilityZone', 'SkuId', 'ConsumedQuantity', 'ConsumedUnit', 'Tags', 'x_UsageType',
] as const;

/** The synthetic bill's charges as FOCUS 1.2 rows (AWS's FOCUS export writes EC2 ResourceIds as instance ids, as here). */
export function focusRows(bill: SyntheticBill, charges: readonly SyntheticCharge[], region = 'us-east-1'): BillRow[] {
  return charges.map((c) => ({
    BillingAccountId: bill.accountId,
    BillingAccountName: 'kcost-simulated',
    BillingAccountType: 'Billing Account',
    SubAccountId: bill.accountId,
    SubAccountType: 'Account',
    BillingPeriodStart: iso(bill.billingPeriodStart),
    BillingPeriodEnd: iso(bill.billingPeriodEnd),
    ChargePeriodStart: iso(c.chargePeriodStart),
    ChargePeriodEnd: iso(c.chargePeriodEnd),
    ChargeCategory: c.chargeCategory,
    ChargeClass: c.chargeClass,
    ChargeDescription: c.description,
    ChargeFrequency: c.chargeCategory === 'Purchase' ? 'Recurring' : c.chargeCategory === 'Usage' ? 'Usage-Based' : 'One-Time',
    PricingCategory: c.pricingCategory,
    BilledCost: c.billedCost,
    EffectiveCost: c.effectiveCost,
    ListCost: c.listCost,
    ContractedCost: c.billedCost,
    BillingCurrency: 'USD',
    PricingCurrency: 'USD',
    InvoiceId: null,
    CommitmentDiscountId: c.commitmentDiscountId,
    CommitmentDiscountType: c.commitmentDiscountId === null ? null : 'Savings Plan',
    ResourceId: c.resourceId,
    ResourceName: null,
    ResourceType: c.resourceType,
    ServiceName: c.serviceName,
    ServiceCategory: c.serviceCategory,
    ProviderName: 'AWS',
    PublisherName: 'AWS',
    InvoiceIssuerName: 'AWS',
    RegionId: region,
    RegionName: 'US East (N. Virginia)',
    AvailabilityZone: c.availabilityZone,
    SkuId: c.skuId,
    ConsumedQuantity: c.consumedQuantity,
    ConsumedUnit: c.consumedUnit,
    Tags: JSON.stringify(c.tags),
    x_UsageType: c.usageType,
  }));
}

/** The CUR 2.0 columns the synthetic bill fills, in file order. */
export const CUR2_COLUMNS = [
  'identity_line_item_id', 'bill_payer_account_id', 'line_item_usage_account_id', 'bill_billing_period_start_date', 'bill_billing_period_end_date', 'line_item_usage_start_date',
  'line_item_usage_end_date', 'line_item_line_item_type', 'line_item_line_item_description', 'line_item_product_code', 'line_item_usage_type', 'line_item_resource_id',
  'line_item_availability_zone', 'line_item_usage_amount', 'line_item_unblended_cost', 'line_item_currency_code', 'pricing_public_on_demand_cost', 'pricing_term', 'pricing_unit',
  'product_region_code', 'product_sku', 'product_instance_type', 'savings_plan_savings_plan_a_r_n', 'savings_plan_savings_plan_effective_cost',
  'savings_plan_total_commitment_to_date', 'savings_plan_used_commitment', 'resource_tags',
] as const;

/**
 * The synthetic bill's charges as AWS CUR 2.0 line items: covered usage as
 * SavingsPlanCoveredUsage plus its SavingsPlanNegation, the fee as
 * SavingsPlanRecurringFee, the discount as EdpDiscount; EC2 resource ids
 * are instance ids, tags carry the user: prefix of cost allocation tags.
 */
export function cur2Rows(bill: SyntheticBill, charges: readonly SyntheticCharge[], region = 'us-east-1'): BillRow[] {
  const rows: BillRow[] = [];
  charges.forEach((c, i) => {
    const row: BillRow = {
      identity_line_item_id: `li-${i}`,
      bill_payer_account_id: bill.accountId,
      line_item_usage_account_id: bill.accountId,
      bill_billing_period_start_date: iso(bill.billingPeriodStart),
      bill_billing_period_end_date: iso(bill.billingPeriodEnd),
      line_item_usage_start_date: iso(c.chargePeriodStart),
      line_item_usage_end_date: iso(c.chargePeriodEnd),
      line_item_line_item_type: 'Usage',
      line_item_line_item_description: c.description,
      line_item_product_code: c.serviceName,
      line_item_usage_type: c.usageType,
      line_item_resource_id: c.resourceId,
      line_item_availability_zone: c.availabilityZone,
      line_item_usage_amount: c.consumedQuantity,
      line_item_unblended_cost: c.billedCost,
      line_item_currency_code: 'USD',
      pricing_public_on_demand_cost: c.listCost,
      pricing_term: c.pricingCategory === 'Dynamic' ? 'Spot' : c.pricingCategory === null ? null : 'OnDemand',
      pricing_unit: c.consumedUnit,
      product_region_code: region,
      product_sku: c.skuId,
      product_instance_type: c.kind === 'node' ? (c.usageType ?? '').split(':')[1] ?? null : null,
      savings_plan_savings_plan_a_r_n: null,
      savings_plan_savings_plan_effective_cost: null,
      savings_plan_total_commitment_to_date: null,
      savings_plan_used_commitment: null,
      resource_tags: JSON.stringify(Object.fromEntries(Object.entries(c.tags).map(([k, v]) => [`user:${k}`, v]))),
    };
    switch (c.kind) {
      case 'node':
        if (c.pricingCategory === 'Committed') {
          rows.push({ ...row, line_item_line_item_type: 'SavingsPlanCoveredUsage', line_item_unblended_cost: c.listCost, savings_plan_savings_plan_a_r_n: c.commitmentDiscountId, savings_plan_savings_plan_effective_cost: c.effectiveCost });
          rows.push({ ...row, identity_line_item_id: `li-${i}-negation`, line_item_line_item_type: 'SavingsPlanNegation', line_item_unblended_cost: -c.listCost, pricing_public_on_demand_cost: 0, savings_plan_savings_plan_a_r_n: c.commitmentDiscountId, line_item_line_item_description: `${c.description} (negation)` });
          return;
        }
        break;
      case 'savings-plan-fee':
        rows.push({ ...row, line_item_line_item_type: 'SavingsPlanRecurringFee', line_item_product_code: 'ComputeSavingsPlans', savings_plan_savings_plan_a_r_n: c.commitmentDiscountId, savings_plan_total_commitment_to_date: c.billedCost, savings_plan_used_commitment: money(c.billedCost - c.effectiveCost) });
        return;
      case 'enterprise-discount':
        rows.push({ ...row, line_item_line_item_type: 'EdpDiscount' });
        return;
      case 'credit':
      case 'correction':
        rows.push({ ...row, line_item_line_item_type: 'Credit' });
        return;
      default:
        break;
    }
    rows.push(row);
  });
  return rows;
}

const money = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/** Rows as CSV text with a header, quoting where needed. */
export function toCsv(columns: readonly string[], rows: readonly BillRow[]): string {
  const cell = (value: string | number | null): string => {
    if (value === null) return '';
    const s = String(value);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${columns.join(',')}\n${rows.map((row) => columns.map((c) => cell(row[c] ?? null)).join(',')).join('\n')}\n`;
}
