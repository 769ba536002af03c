-- Reconciliation with the cloud bill (kcost reconcile; docs/billing.md).
-- Shared by both storage paths.
--
-- NodeCost v2 carries the node's spec.providerID, which names the VM the
-- bill charges. A nullable column without a default is allowed on a
-- compressed hypertable and on a partitioned table; rows loaded before this
-- migration keep NULL and are not matched to billing lines.
ALTER TABLE node_cost ADD COLUMN IF NOT EXISTS provider_id text;
COMMENT ON COLUMN node_cost.provider_id IS 'The node''s spec.providerID (aws:///us-east-1a/i-0abc); reconciliation matches it with billing_line.instance_id. NULL when the node has none or the row predates NodeCost v2.';

-- The reconciled tables are plain keyed tables on both paths, replaced a UTC
-- day at a time in one transaction: a restated day is recomputed whole and
-- replaces its rows, so a re-delivery or a restart never counts a cost twice.

-- One row per reconciled UTC day: what went in (the digest) and the totals.
CREATE TABLE IF NOT EXISTS reconciled_day (
  day date NOT NULL PRIMARY KEY,
  inputs_digest text NOT NULL,
  reconciled_at timestamptz NOT NULL,
  billed_effective_cost_usd double precision NOT NULL,
  node_list_cost_usd double precision NOT NULL,
  node_reconciled_cost_usd double precision NOT NULL,
  external_cost_usd double precision NOT NULL
);

CREATE TABLE IF NOT EXISTS reconciled_node_cost_daily (
  day date NOT NULL,
  cluster text NOT NULL,
  node_name text NOT NULL,
  instance_id text,
  status text NOT NULL,
  factor double precision NOT NULL,
  list_cost_usd double precision NOT NULL,
  reconciled_cost_usd double precision NOT NULL,
  adjustment_usd double precision NOT NULL,
  list_idle_cost_usd double precision NOT NULL,
  reconciled_idle_cost_usd double precision NOT NULL,
  PRIMARY KEY (day, cluster, node_name)
);

CREATE TABLE IF NOT EXISTS reconciled_pod_cost_daily (
  day date NOT NULL,
  cluster text NOT NULL,
  node_name text NOT NULL,
  namespace text NOT NULL,
  workload_kind text NOT NULL,
  workload_name text NOT NULL,
  list_cost_usd double precision NOT NULL,
  reconciled_cost_usd double precision NOT NULL,
  PRIMARY KEY (day, cluster, node_name, namespace, workload_kind, workload_name)
);
CREATE INDEX IF NOT EXISTS reconciled_pod_cost_daily_namespace ON reconciled_pod_cost_daily (cluster, namespace, day);

CREATE TABLE IF NOT EXISTS external_cost_daily (
  day date NOT NULL,
  cluster text NOT NULL,
  namespace text NOT NULL,
  service_name text NOT NULL,
  attribution text NOT NULL,
  cost_usd double precision NOT NULL,
  PRIMARY KEY (day, cluster, namespace, service_name, attribution)
);
CREATE INDEX IF NOT EXISTS external_cost_daily_namespace ON external_cost_daily (cluster, namespace, day);

COMMENT ON TABLE reconciled_day IS 'One row per UTC day kcost reconcile has reconciled with billing_line: the digest of its inputs (billing lines, node and pod costs of the day) and its totals. billed_effective_cost_usd = node_reconciled_cost_usd + external_cost_usd, less what matched a node with no kcost cost that day (that goes to external).';
COMMENT ON COLUMN reconciled_day.inputs_digest IS 'md5 of the day''s billing lines (keys and effective costs) and node/pod cost counts and sums; the day is recomputed when it changes.';
COMMENT ON COLUMN reconciled_day.billed_effective_cost_usd IS 'Sum of the EffectiveCost of the billing lines charged in the day (lines spanning several days prorated by time).';
COMMENT ON TABLE reconciled_node_cost_daily IS 'Per node and UTC day: the list-price cost kcost estimated and the billed EffectiveCost of its instance that replaces it. reconciled = list × factor; pods and idle of the node-day are scaled by the same factor, so Σ reconciled pod compute + reconciled idle = reconciled node cost.';
COMMENT ON COLUMN reconciled_node_cost_daily.status IS 'BILLED: the instance''s billed effective cost replaced the estimate; UNBILLED: no billing line for the instance that day, the list figure stands (factor 1); ALL_IDLE: billed but kcost estimated 0, so the billed cost is idle.';
COMMENT ON COLUMN reconciled_node_cost_daily.factor IS 'reconciled_cost_usd / list_cost_usd (1 when unbilled, 0 when the list cost is 0).';
COMMENT ON COLUMN reconciled_node_cost_daily.adjustment_usd IS 'reconciled_cost_usd − list_cost_usd: what the bill changed.';
COMMENT ON TABLE reconciled_pod_cost_daily IS 'Per pod workload, node and UTC day: list_cost_usd is pod_cost total_cost_usd; reconciled_cost_usd scales its compute part (cpu + memory + gpu) by the node-day factor and keeps storage and network at their list figures.';
COMMENT ON TABLE external_cost_daily IS 'Billing lines that are not a node of a cluster (databases, load balancers, egress, fees, discounts, credits), allocated per UTC day to cluster and namespace. cluster '''' and namespace __unallocated__ when the rule leaves them unattributed.';
COMMENT ON COLUMN external_cost_daily.attribution IS 'How the cost came to the namespace: tag (the namespace tag), service (kubernetes.io/service-name), even, proportional (shared by the configured rule), unallocated.';
COMMENT ON COLUMN reconciled_day.day IS 'The UTC day.';
COMMENT ON COLUMN reconciled_day.reconciled_at IS 'When the day was last recomputed (it changes only when its inputs do).';
COMMENT ON COLUMN reconciled_day.node_list_cost_usd IS 'Sum of the day''s node costs at list prices (node_cost.cost_usd).';
COMMENT ON COLUMN reconciled_day.node_reconciled_cost_usd IS 'Sum of the day''s reconciled node costs.';
COMMENT ON COLUMN reconciled_day.external_cost_usd IS 'Sum of the day''s external_cost_daily rows.';
COMMENT ON COLUMN reconciled_node_cost_daily.day IS 'The UTC day.';
COMMENT ON COLUMN reconciled_node_cost_daily.cluster IS 'Cluster name.';
COMMENT ON COLUMN reconciled_node_cost_daily.node_name IS 'Node name.';
COMMENT ON COLUMN reconciled_node_cost_daily.instance_id IS 'The VM of the node (from node_cost.provider_id), as billing_line.instance_id names it; NULL when the node has no providerID.';
COMMENT ON COLUMN reconciled_node_cost_daily.list_cost_usd IS 'The node''s cost for the day at list prices (sum of node_cost.cost_usd).';
COMMENT ON COLUMN reconciled_node_cost_daily.reconciled_cost_usd IS 'The billed EffectiveCost of the node''s instance for the day (the list figure when UNBILLED).';
COMMENT ON COLUMN reconciled_node_cost_daily.list_idle_cost_usd IS 'The node''s idle cost for the day at list prices.';
COMMENT ON COLUMN reconciled_node_cost_daily.reconciled_idle_cost_usd IS 'reconciled_cost_usd less the reconciled compute cost of its pods: idle after reconciliation.';
COMMENT ON COLUMN reconciled_pod_cost_daily.day IS 'The UTC day.';
COMMENT ON COLUMN reconciled_pod_cost_daily.cluster IS 'Cluster name.';
COMMENT ON COLUMN reconciled_pod_cost_daily.node_name IS 'The node the pods ran on.';
COMMENT ON COLUMN reconciled_pod_cost_daily.namespace IS 'Namespace.';
COMMENT ON COLUMN reconciled_pod_cost_daily.workload_kind IS 'Owning workload kind; empty for bare pods.';
COMMENT ON COLUMN reconciled_pod_cost_daily.workload_name IS 'Owning workload name; empty for bare pods.';
COMMENT ON COLUMN reconciled_pod_cost_daily.list_cost_usd IS 'Sum of pod_cost.total_cost_usd at list prices.';
COMMENT ON COLUMN reconciled_pod_cost_daily.reconciled_cost_usd IS 'Compute cost × the node-day factor, plus storage and network at list.';
COMMENT ON COLUMN external_cost_daily.day IS 'The UTC day (a line spanning several days is prorated by time).';
COMMENT ON COLUMN external_cost_daily.cluster IS 'From the kubernetes.io/cluster/<name> tag or the configured cluster tag; empty when no cluster could be told.';
COMMENT ON COLUMN external_cost_daily.namespace IS 'The namespace charged, or __unallocated__.';
COMMENT ON COLUMN external_cost_daily.service_name IS 'FOCUS ServiceName of the lines (AmazonRDS, AWSELB, AWSDataTransfer, ...).';
COMMENT ON COLUMN external_cost_daily.cost_usd IS 'The EffectiveCost allocated (negative for credits and discounts).';

-- Teams' database roles (0010): their namespaces' reconciled and external
-- rows; node figures only with node costs. reconciled_day (whole-day totals
-- over every cluster) has no scope to check, so no team role is granted it.
SELECT kcost_guard_table('reconciled_pod_cost_daily', 'namespace');
SELECT kcost_guard_table('external_cost_daily', 'namespace');
SELECT kcost_guard_table('reconciled_node_cost_daily', 'NULL');
