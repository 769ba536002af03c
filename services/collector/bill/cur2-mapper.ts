import { number, requiredNumber, requiredText, requiredTime, RowError, stringMap, text, type Cells } from './cell-values.js';
import { checkLine, type RowSource } from './focus-mapper.js';
import { instanceIdOfResourceId, type UnidentifiedLine } from './line-identity.js';

/** FOCUS ChargeCategory of each CUR 2.0 line_item_line_item_type (docs/billing.md). */
const CHARGE_CATEGORY: Readonly<Record<string, string>> = {
  Usage: 'Usage',
  DiscountedUsage: 'Usage',
  SavingsPlanCoveredUsage: 'Usage',
  SavingsPlanNegation: 'Usage',
  Fee: 'Purchase',
  RIFee: 'Purchase',
  SavingsPlanRecurringFee: 'Purchase',
  SavingsPlanUpfrontFee: 'Purchase',
  Tax: 'Tax',
  Credit: 'Credit',
  Refund: 'Adjustment',
  EdpDiscount: 'Adjustment',
  PrivateRateDiscount: 'Adjustment',
  BundledDiscount: 'Adjustment',
  SppDiscount: 'Adjustment',
  DistributorDiscount: 'Adjustment',
};

/** FOCUS ServiceCategory of the AWS product codes kcost meets around a cluster; others are Other. */
const SERVICE_CATEGORY: Readonly<Record<string, string>> = {
  AmazonEC2: 'Compute',
  AmazonEKS: 'Compute',
  AWSLambda: 'Compute',
  AmazonRDS: 'Databases',
  AmazonDynamoDB: 'Databases',
  AmazonElastiCache: 'Databases',
  AWSELB: 'Networking',
  AWSDataTransfer: 'Networking',
  AmazonVPC: 'Networking',
  AmazonCloudFront: 'Networking',
  AmazonS3: 'Storage',
  AmazonEFS: 'Storage',
  AmazonECR: 'Storage',
  AmazonCloudWatch: 'Management and Governance',
};

/**
 * EffectiveCost of a CUR 2.0 line, as AWS amortizes: covered usage at its
 * commitment's effective cost, the negation of covered on-demand usage and
 * upfront fees at zero, recurring fees at their unused part (the used part
 * is in the covered usage already), everything else at its unblended cost.
 */
function effectiveCostOf(type: string, cells: Cells, unblended: number): number {
  switch (type) {
    case 'SavingsPlanCoveredUsage':
      return requiredNumber(cells, 'savings_plan_savings_plan_effective_cost');
    case 'DiscountedUsage':
      return requiredNumber(cells, 'reservation_effective_cost');
    case 'SavingsPlanNegation':
    case 'SavingsPlanUpfrontFee':
      return 0;
    case 'SavingsPlanRecurringFee':
      return (number(cells, 'savings_plan_total_commitment_to_date') ?? unblended) - (number(cells, 'savings_plan_used_commitment') ?? 0);
    case 'RIFee':
      return (number(cells, 'reservation_unused_amortized_upfront_fee_for_billing_period') ?? 0) + (number(cells, 'reservation_unused_recurring_fee') ?? 0);
    default:
      return unblended;
  }
}

function pricingCategoryOf(type: string, cells: Cells): string | null {
  if (type === 'SavingsPlanCoveredUsage' || type === 'DiscountedUsage') return 'Committed';
  if (type !== 'Usage' && type !== 'SavingsPlanNegation') return null;
  const term = text(cells, 'pricing_term');
  if (term === 'Spot' || (text(cells, 'line_item_usage_type') ?? '').includes('SpotUsage')) return 'Dynamic';
  return term === 'OnDemand' || term === null ? 'Standard' : 'Other';
}

/** Maps one AWS CUR 2.0 line item to a BillingLine (without its id); throws RowError for a line that cannot be read. */
export function mapCur2Row(cells: Cells, source: RowSource): UnidentifiedLine {
  const type = requiredText(cells, 'line_item_line_item_type');
  const category = CHARGE_CATEGORY[type];
  if (category === undefined) throw new RowError(`line_item_line_item_type is not a known type: ${JSON.stringify(type)}`);
  const billedCost = requiredNumber(cells, 'line_item_unblended_cost');
  const billingPeriodStart = requiredTime(cells, 'bill_billing_period_start_date');
  const chargePeriodStart = requiredTime(cells, 'line_item_usage_start_date');
  const resourceId = text(cells, 'line_item_resource_id');
  const productCode = requiredText(cells, 'line_item_product_code');
  const savingsPlan = text(cells, 'savings_plan_savings_plan_a_r_n');
  const reservation = text(cells, 'reservation_reservation_a_r_n');
  return checkLine({
    billingAccountId: requiredText(cells, 'bill_payer_account_id'),
    billingAccountName: text(cells, 'bill_payer_account_name'),
    subAccountId: text(cells, 'line_item_usage_account_id'),
    billingPeriodStart,
    billingPeriodEnd: requiredTime(cells, 'bill_billing_period_end_date'),
    chargePeriodStart,
    chargePeriodEnd: requiredTime(cells, 'line_item_usage_end_date'),
    chargeCategory: category,
    // CUR 2.0 has no correction flag; a line for usage before its billing period corrects an invoiced one.
    chargeClass: chargePeriodStart < billingPeriodStart ? 'Correction' : null,
    chargeDescription: text(cells, 'line_item_line_item_description'),
    chargeFrequency: type.endsWith('Fee') ? 'Recurring' : category === 'Usage' ? 'Usage-Based' : 'One-Time',
    pricingCategory: pricingCategoryOf(type, cells),
    billedCost,
    effectiveCost: effectiveCostOf(type, cells, billedCost),
    listCost: number(cells, 'pricing_public_on_demand_cost') ?? 0,
    contractedCost: null,
    billingCurrency: requiredText(cells, 'line_item_currency_code'),
    commitmentDiscountId: savingsPlan ?? reservation,
    commitmentDiscountType: savingsPlan ? 'Savings Plan' : reservation ? 'Reservation' : null,
    resourceId,
    instanceId: instanceIdOfResourceId(resourceId),
    resourceName: null,
    resourceType: text(cells, 'product_instance_type') ? 'Instance' : null,
    serviceName: text(cells, 'product_servicecode') ?? productCode,
    serviceCategory: SERVICE_CATEGORY[productCode] ?? 'Other',
    providerName: 'AWS',
    regionId: text(cells, 'product_region_code'),
    availabilityZone: text(cells, 'line_item_availability_zone'),
    skuId: text(cells, 'product_sku'),
    consumedQuantity: category === 'Usage' ? number(cells, 'line_item_usage_amount') : null,
    consumedUnit: text(cells, 'pricing_unit'),
    tags: stringMap(cells, 'resource_tags'),
    extensions: {},
    ...source,
  });
}
