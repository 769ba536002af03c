import { number, requiredNumber, requiredText, requiredTime, RowError, stringMap, text, type Cells } from './cell-values.js';
import { instanceIdOfResourceId, type UnidentifiedLine } from './line-identity.js';

/** Where a row was read, carried into its BillingLine. */
export interface RowSource {
  readonly sourceFormat: string;
  readonly sourceFile: string;
  readonly sourceRow: number;
  readonly sourceVersion: string;
  readonly ingestedAt: number;
}

/** FOCUS ChargeCategory's allowed values (1.0-1.2). */
export const CHARGE_CATEGORIES = ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'] as const;

/** Checks what FOCUS requires of every row, whatever its source. */
export function checkLine(line: UnidentifiedLine): UnidentifiedLine {
  if (!(CHARGE_CATEGORIES as readonly string[]).includes(line.chargeCategory)) throw new RowError(`ChargeCategory is not one of ${CHARGE_CATEGORIES.join(', ')}: ${JSON.stringify(line.chargeCategory)}`);
  if (line.chargeClass !== null && line.chargeClass !== 'Correction') throw new RowError(`ChargeClass is neither empty nor Correction: ${JSON.stringify(line.chargeClass)}`);
  if (line.chargePeriodEnd < line.chargePeriodStart) throw new RowError('ChargePeriodEnd is before ChargePeriodStart');
  if (line.billingPeriodEnd <= line.billingPeriodStart) throw new RowError('BillingPeriodEnd is not after BillingPeriodStart');
  return line;
}

/** FOCUS custom columns (x_ prefix), kept as text. */
export function extensionsOf(cells: Cells): Record<string, string> {
  const out: Record<string, string> = {};
  for (const column of Object.keys(cells)) {
    if (!column.startsWith('x_')) continue;
    const value = text(cells, column);
    if (value !== null) out[column] = value;
  }
  return out;
}

/** Maps one FOCUS 1.0-1.2 row to a BillingLine (without its id); throws RowError for a row that breaks the spec. */
export function mapFocusRow(cells: Cells, source: RowSource): UnidentifiedLine {
  const resourceId = text(cells, 'ResourceId');
  return checkLine({
    billingAccountId: requiredText(cells, 'BillingAccountId'),
    billingAccountName: text(cells, 'BillingAccountName'),
    subAccountId: text(cells, 'SubAccountId'),
    billingPeriodStart: requiredTime(cells, 'BillingPeriodStart'),
    billingPeriodEnd: requiredTime(cells, 'BillingPeriodEnd'),
    chargePeriodStart: requiredTime(cells, 'ChargePeriodStart'),
    chargePeriodEnd: requiredTime(cells, 'ChargePeriodEnd'),
    chargeCategory: requiredText(cells, 'ChargeCategory'),
    chargeClass: text(cells, 'ChargeClass'),
    chargeDescription: text(cells, 'ChargeDescription'),
    chargeFrequency: text(cells, 'ChargeFrequency'),
    pricingCategory: text(cells, 'PricingCategory'),
    billedCost: requiredNumber(cells, 'BilledCost'),
    effectiveCost: requiredNumber(cells, 'EffectiveCost'),
    listCost: number(cells, 'ListCost') ?? 0,
    contractedCost: number(cells, 'ContractedCost'),
    billingCurrency: requiredText(cells, 'BillingCurrency'),
    commitmentDiscountId: text(cells, 'CommitmentDiscountId'),
    commitmentDiscountType: text(cells, 'CommitmentDiscountType'),
    resourceId,
    instanceId: instanceIdOfResourceId(resourceId),
    resourceName: text(cells, 'ResourceName'),
    resourceType: text(cells, 'ResourceType'),
    serviceName: requiredText(cells, 'ServiceName'),
    serviceCategory: text(cells, 'ServiceCategory'),
    providerName: text(cells, 'ProviderName') ?? text(cells, 'ServiceProviderName') ?? requiredText(cells, 'ProviderName'),
    regionId: text(cells, 'RegionId'),
    availabilityZone: text(cells, 'AvailabilityZone'),
    skuId: text(cells, 'SkuId'),
    consumedQuantity: number(cells, 'ConsumedQuantity'),
    consumedUnit: text(cells, 'ConsumedUnit'),
    tags: stringMap(cells, 'Tags'),
    extensions: extensionsOf(cells),
    ...source,
  });
}
