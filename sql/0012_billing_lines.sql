-- Billing lines, shared by both storage paths: the cloud bill as last
-- delivered, one row per key of kcost.billing.v1 (compacted), loaded by the
-- sink exactly once (sink_offset in the same transaction). A re-delivered
-- line replaces its row; a tombstone (a line a re-delivery no longer holds)
-- deletes it. A plain keyed table on both paths, not a hypertable: rows are
-- replaced and deleted by key as providers restate a month, and a month of
-- a cluster's bill is small next to pod_cost.
CREATE TABLE IF NOT EXISTS billing_line (
  key text NOT NULL PRIMARY KEY,
  billing_account_id text NOT NULL,
  billing_account_name text,
  sub_account_id text,
  billing_period_start timestamptz NOT NULL,
  billing_period_end timestamptz NOT NULL,
  line_id text NOT NULL,
  charge_period_start timestamptz NOT NULL,
  charge_period_end timestamptz NOT NULL,
  charge_category text NOT NULL,
  charge_class text,
  charge_description text,
  charge_frequency text,
  pricing_category text,
  billed_cost double precision NOT NULL,
  effective_cost double precision NOT NULL,
  list_cost double precision NOT NULL,
  contracted_cost double precision,
  billing_currency text NOT NULL,
  commitment_discount_id text,
  commitment_discount_type text,
  resource_id text,
  instance_id text,
  resource_name text,
  resource_type text,
  service_name text NOT NULL,
  service_category text,
  provider_name text NOT NULL,
  region_id text,
  availability_zone text,
  sku_id text,
  consumed_quantity double precision,
  consumed_unit text,
  tags jsonb NOT NULL,
  extensions jsonb NOT NULL,
  source_format text NOT NULL,
  source_file text NOT NULL,
  source_row bigint NOT NULL,
  source_version text NOT NULL,
  ingested_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS billing_line_charge_period ON billing_line (charge_period_start);
CREATE INDEX IF NOT EXISTS billing_line_instance ON billing_line (instance_id, charge_period_start) WHERE instance_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS billing_line_period ON billing_line (billing_account_id, billing_period_start);

COMMENT ON TABLE billing_line IS 'Cloud bill lines (FOCUS columns; AWS CUR 2.0 mapped to them) as last delivered, one per kcost.billing.v1 key, from kcost collect bill; docs/billing.md.';
COMMENT ON COLUMN billing_line.key IS 'The kcost.billing.v1 key: billing_account_id/billing period start as YYYY-MM-DD/line_id.';
COMMENT ON COLUMN billing_line.billing_account_id IS 'FOCUS BillingAccountId (CUR 2.0 bill_payer_account_id).';
COMMENT ON COLUMN billing_line.billing_account_name IS 'FOCUS BillingAccountName.';
COMMENT ON COLUMN billing_line.sub_account_id IS 'FOCUS SubAccountId (CUR 2.0 line_item_usage_account_id).';
COMMENT ON COLUMN billing_line.billing_period_start IS 'FOCUS BillingPeriodStart, inclusive.';
COMMENT ON COLUMN billing_line.billing_period_end IS 'FOCUS BillingPeriodEnd, exclusive.';
COMMENT ON COLUMN billing_line.line_id IS 'Stable id of the line in its account and billing period (a hash of what was charged; schemas/BillingLine.avsc).';
COMMENT ON COLUMN billing_line.charge_period_start IS 'FOCUS ChargePeriodStart, inclusive.';
COMMENT ON COLUMN billing_line.charge_period_end IS 'FOCUS ChargePeriodEnd, exclusive.';
COMMENT ON COLUMN billing_line.charge_category IS 'FOCUS ChargeCategory: Usage, Purchase, Tax, Credit or Adjustment.';
COMMENT ON COLUMN billing_line.charge_class IS 'FOCUS ChargeClass: Correction for a correction to a previously invoiced billing period, else NULL.';
COMMENT ON COLUMN billing_line.charge_description IS 'FOCUS ChargeDescription.';
COMMENT ON COLUMN billing_line.charge_frequency IS 'FOCUS ChargeFrequency: One-Time, Recurring or Usage-Based.';
COMMENT ON COLUMN billing_line.pricing_category IS 'FOCUS PricingCategory: Standard, Dynamic (spot), Committed or Other.';
COMMENT ON COLUMN billing_line.billed_cost IS 'FOCUS BilledCost, in billing_currency: what is invoiced.';
COMMENT ON COLUMN billing_line.effective_cost IS 'FOCUS EffectiveCost, in billing_currency: amortized, after commitment discounts; what reconciliation compares with.';
COMMENT ON COLUMN billing_line.list_cost IS 'FOCUS ListCost, in billing_currency: at public list prices.';
COMMENT ON COLUMN billing_line.contracted_cost IS 'FOCUS ContractedCost, in billing_currency; NULL where the source has none (CUR 2.0).';
COMMENT ON COLUMN billing_line.billing_currency IS 'FOCUS BillingCurrency (ISO 4217).';
COMMENT ON COLUMN billing_line.commitment_discount_id IS 'FOCUS CommitmentDiscountId: the Savings Plan or reservation ARN on AWS.';
COMMENT ON COLUMN billing_line.commitment_discount_type IS 'FOCUS CommitmentDiscountType (AWS: Savings Plan, Reservation).';
COMMENT ON COLUMN billing_line.resource_id IS 'FOCUS ResourceId, as the provider writes it.';
COMMENT ON COLUMN billing_line.instance_id IS 'The VM the line bills, as a node''s providerID ends with it (i-0abc); NULL for other resources. Join nodes here.';
COMMENT ON COLUMN billing_line.resource_name IS 'FOCUS ResourceName.';
COMMENT ON COLUMN billing_line.resource_type IS 'FOCUS ResourceType.';
COMMENT ON COLUMN billing_line.service_name IS 'FOCUS ServiceName.';
COMMENT ON COLUMN billing_line.service_category IS 'FOCUS ServiceCategory.';
COMMENT ON COLUMN billing_line.provider_name IS 'FOCUS ProviderName.';
COMMENT ON COLUMN billing_line.region_id IS 'FOCUS RegionId.';
COMMENT ON COLUMN billing_line.availability_zone IS 'FOCUS AvailabilityZone.';
COMMENT ON COLUMN billing_line.sku_id IS 'FOCUS SkuId.';
COMMENT ON COLUMN billing_line.consumed_quantity IS 'FOCUS ConsumedQuantity, in consumed_unit.';
COMMENT ON COLUMN billing_line.consumed_unit IS 'FOCUS ConsumedUnit.';
COMMENT ON COLUMN billing_line.tags IS 'FOCUS Tags (CUR 2.0 resource_tags) as a JSON object of strings.';
COMMENT ON COLUMN billing_line.extensions IS 'The row''s x_ columns as a JSON object of strings.';
COMMENT ON COLUMN billing_line.source_format IS 'FOCUS-1.0, FOCUS-1.1, FOCUS-1.2 or CUR-2.0.';
COMMENT ON COLUMN billing_line.source_file IS 'The file the line was read from (file:///... or s3://bucket/key).';
COMMENT ON COLUMN billing_line.source_row IS 'Its row in that file (1 = first data row).';
COMMENT ON COLUMN billing_line.source_version IS 'The file''s version when read (S3 ETag, or mtime-size).';
COMMENT ON COLUMN billing_line.ingested_at IS 'When kcost collect bill read the file.';
