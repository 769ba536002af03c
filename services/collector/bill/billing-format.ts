/** The billing formats kcost collect bill reads. */
export type BillingFormat = 'FOCUS-1.0' | 'FOCUS-1.1' | 'FOCUS-1.2' | 'CUR-2.0';

/**
 * Tells the format from a file's column names: CUR 2.0 by its
 * line_item_ and bill_ columns, FOCUS by BilledCost, and the FOCUS version by
 * the mandatory columns each version added (1.1: CapacityReservationId,
 * ServiceSubcategory, …; 1.2: InvoiceId, PricingCurrency, …). Undefined when
 * it is neither.
 */
export function detectFormat(columns: readonly string[]): BillingFormat | undefined {
  const has = new Set(columns);
  if (has.has('line_item_unblended_cost') && has.has('bill_billing_period_start_date')) return 'CUR-2.0';
  if (!has.has('BilledCost') || !has.has('ChargePeriodStart')) return undefined;
  if (['InvoiceId', 'PricingCurrency', 'BillingAccountType', 'SubAccountType'].some((c) => has.has(c))) return 'FOCUS-1.2';
  if (['CapacityReservationId', 'ServiceSubcategory', 'CommitmentDiscountQuantity', 'SkuMeter'].some((c) => has.has(c))) return 'FOCUS-1.1';
  return 'FOCUS-1.0';
}
