-- Raw cost tables, one row per record of the Kafka topics. Shared by both
-- storage paths; {{PARTITION_BY_DAY(col)}} becomes "PARTITION BY RANGE (col)"
-- on plain PostgreSQL and nothing on TimescaleDB (hypertables come in 0002).

CREATE TABLE IF NOT EXISTS pod_cost (
  cluster text NOT NULL,
  namespace text NOT NULL,
  pod_uid text NOT NULL,
  pod_name text NOT NULL,
  container text NOT NULL,
  node_name text NOT NULL,
  workload_kind text NOT NULL,
  workload_name text NOT NULL,
  labels jsonb NOT NULL,
  window_start timestamptz NOT NULL,
  window_seconds integer NOT NULL CHECK (window_seconds > 0),
  cpu_request_cores double precision NOT NULL,
  cpu_usage_cores_avg double precision NOT NULL,
  cpu_allocated_cores double precision NOT NULL,
  memory_request_bytes double precision NOT NULL,
  memory_usage_bytes_avg double precision NOT NULL,
  memory_allocated_bytes double precision NOT NULL,
  gpu_request double precision NOT NULL,
  gpu_allocated double precision NOT NULL,
  cpu_cost_usd double precision NOT NULL,
  memory_cost_usd double precision NOT NULL,
  gpu_cost_usd double precision NOT NULL,
  storage_cost_usd double precision NOT NULL,
  network_cost_usd double precision NOT NULL,
  total_cost_usd double precision NOT NULL,
  on_demand_cost_usd double precision NOT NULL,
  spot_savings_usd double precision NOT NULL,
  capacity_type text NOT NULL,
  instance_type text NOT NULL,
  region text NOT NULL,
  price_source text NOT NULL,
  price_effective_from timestamptz,
  flags text[] NOT NULL,
  -- 'NaN' and 'Infinity' are valid float8 input; a cost that is not a finite number is a bad record.
  CONSTRAINT pod_cost_finite_costs CHECK (
    total_cost_usd > '-Infinity' AND total_cost_usd < 'Infinity'
    AND cpu_cost_usd < 'Infinity' AND memory_cost_usd < 'Infinity' AND gpu_cost_usd < 'Infinity'
    AND storage_cost_usd < 'Infinity' AND network_cost_usd < 'Infinity' AND on_demand_cost_usd < 'Infinity'
  )
) {{PARTITION_BY_DAY(window_start)}};

CREATE INDEX IF NOT EXISTS pod_cost_window_idx ON pod_cost (window_start DESC);
CREATE INDEX IF NOT EXISTS pod_cost_workload_idx ON pod_cost (cluster, namespace, workload_kind, workload_name, window_start DESC);

CREATE TABLE IF NOT EXISTS node_cost (
  cluster text NOT NULL,
  node_name text NOT NULL,
  node_uid text NOT NULL,
  provider text NOT NULL,
  instance_type text NOT NULL,
  region text NOT NULL,
  zone text NOT NULL,
  capacity_type text NOT NULL,
  window_start timestamptz NOT NULL,
  window_seconds integer NOT NULL CHECK (window_seconds > 0),
  cpu_cores double precision NOT NULL,
  memory_bytes double precision NOT NULL,
  gpu_count double precision NOT NULL,
  cpu_cost_usd double precision NOT NULL,
  memory_cost_usd double precision NOT NULL,
  gpu_cost_usd double precision NOT NULL,
  cost_usd double precision NOT NULL,
  cpu_allocated_cost_usd double precision NOT NULL,
  memory_allocated_cost_usd double precision NOT NULL,
  gpu_allocated_cost_usd double precision NOT NULL,
  cpu_idle_cost_usd double precision NOT NULL,
  memory_idle_cost_usd double precision NOT NULL,
  gpu_idle_cost_usd double precision NOT NULL,
  idle_cost_usd double precision NOT NULL,
  on_demand_cost_usd double precision NOT NULL,
  spot_savings_usd double precision NOT NULL,
  price_source text NOT NULL,
  price_effective_from timestamptz,
  flags text[] NOT NULL,
  CONSTRAINT node_cost_finite_costs CHECK (
    cost_usd > '-Infinity' AND cost_usd < 'Infinity' AND idle_cost_usd > '-Infinity' AND idle_cost_usd < 'Infinity'
    AND on_demand_cost_usd < 'Infinity'
  )
) {{PARTITION_BY_DAY(window_start)}};

CREATE INDEX IF NOT EXISTS node_cost_window_idx ON node_cost (window_start DESC);
CREATE INDEX IF NOT EXISTS node_cost_node_idx ON node_cost (cluster, node_name, window_start DESC);

CREATE TABLE IF NOT EXISTS cost_anomaly (
  cluster text NOT NULL,
  scope text NOT NULL,
  key text NOT NULL,
  namespace text NOT NULL,
  window_start timestamptz NOT NULL,
  window_seconds integer NOT NULL CHECK (window_seconds > 0),
  observed_hourly_usd double precision NOT NULL,
  expected_hourly_usd double precision NOT NULL,
  score double precision NOT NULL,
  direction text NOT NULL,
  severity text NOT NULL,
  baseline_hours integer NOT NULL,
  detected_at timestamptz NOT NULL
) {{PARTITION_BY_DAY(window_start)}};

CREATE INDEX IF NOT EXISTS cost_anomaly_window_idx ON cost_anomaly (window_start DESC);
CREATE INDEX IF NOT EXISTS cost_anomaly_scope_idx ON cost_anomaly (cluster, namespace, window_start DESC);

-- Partitioned by when the price was observed, not by effectiveFrom: a price in
-- effect since years ago is still observed (and kept) today.
CREATE TABLE IF NOT EXISTS price_history (
  provider text NOT NULL,
  region text NOT NULL,
  zone text,
  kind text NOT NULL,
  sku text NOT NULL,
  capacity_type text NOT NULL,
  effective_from timestamptz NOT NULL,
  hourly_usd double precision,
  cpu_core_hour_usd double precision,
  memory_gib_hour_usd double precision,
  gpu_hour_usd double precision,
  storage_gib_month_usd double precision,
  network_gib_usd double precision,
  discount double precision NOT NULL,
  source text NOT NULL,
  source_ref text,
  observed_at timestamptz NOT NULL
) {{PARTITION_BY_DAY(observed_at)}};

CREATE INDEX IF NOT EXISTS price_history_observed_idx ON price_history (observed_at DESC);
CREATE INDEX IF NOT EXISTS price_history_sku_idx ON price_history (provider, region, kind, sku, capacity_type, effective_from DESC);

CREATE TABLE IF NOT EXISTS sink_offset (
  consumer_group text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);

COMMENT ON TABLE pod_cost IS 'Priced cost of one container over one window (topic kcost.costs.v1, schema PodCost). For every node and window, the sum of its containers'' total_cost_usd plus the node''s idle_cost_usd in node_cost equals the node''s cost_usd.';
COMMENT ON COLUMN pod_cost.cluster IS 'Cluster name.';
COMMENT ON COLUMN pod_cost.namespace IS 'Pod namespace.';
COMMENT ON COLUMN pod_cost.pod_uid IS 'Pod metadata.uid.';
COMMENT ON COLUMN pod_cost.pod_name IS 'Pod name.';
COMMENT ON COLUMN pod_cost.container IS 'Container name.';
COMMENT ON COLUMN pod_cost.node_name IS 'Node the container ran on; empty when unknown (see flags).';
COMMENT ON COLUMN pod_cost.workload_kind IS 'Kind of the pod''s top controller (Deployment, StatefulSet, ...); empty for a bare pod.';
COMMENT ON COLUMN pod_cost.workload_name IS 'Name of the pod''s top controller; empty for a bare pod.';
COMMENT ON COLUMN pod_cost.labels IS 'Pod labels at the time of the window, as a JSON object of strings.';
COMMENT ON COLUMN pod_cost.window_start IS 'Start of the window (inclusive).';
COMMENT ON COLUMN pod_cost.window_seconds IS 'Length of the window in seconds.';
COMMENT ON COLUMN pod_cost.cpu_request_cores IS 'CPU request in cores.';
COMMENT ON COLUMN pod_cost.cpu_usage_cores_avg IS 'Average CPU used over the window, in cores.';
COMMENT ON COLUMN pod_cost.cpu_allocated_cores IS 'CPU the container is charged for, in cores (by the allocation basis, after any scaling to the node''s capacity).';
COMMENT ON COLUMN pod_cost.memory_request_bytes IS 'Memory request in bytes.';
COMMENT ON COLUMN pod_cost.memory_usage_bytes_avg IS 'Average memory working set over the window, in bytes.';
COMMENT ON COLUMN pod_cost.memory_allocated_bytes IS 'Memory the container is charged for, in bytes.';
COMMENT ON COLUMN pod_cost.gpu_request IS 'GPUs requested.';
COMMENT ON COLUMN pod_cost.gpu_allocated IS 'GPUs the container is charged for.';
COMMENT ON COLUMN pod_cost.cpu_cost_usd IS 'CPU cost of the window in USD.';
COMMENT ON COLUMN pod_cost.memory_cost_usd IS 'Memory cost of the window in USD.';
COMMENT ON COLUMN pod_cost.gpu_cost_usd IS 'GPU cost of the window in USD.';
COMMENT ON COLUMN pod_cost.storage_cost_usd IS 'Persistent volume cost of the window in USD (the container''s share of the pod''s claims).';
COMMENT ON COLUMN pod_cost.network_cost_usd IS 'Network transfer cost of the window in USD, where measured.';
COMMENT ON COLUMN pod_cost.total_cost_usd IS 'Sum of the per-resource costs in USD.';
COMMENT ON COLUMN pod_cost.on_demand_cost_usd IS 'What the same allocation would have cost at the on-demand price of the same instance type, in USD.';
COMMENT ON COLUMN pod_cost.spot_savings_usd IS 'on_demand_cost_usd - total_cost_usd for spot (and reserved) capacity; 0 on on-demand.';
COMMENT ON COLUMN pod_cost.capacity_type IS 'Capacity type of the node: ON_DEMAND, SPOT, RESERVED or UNKNOWN.';
COMMENT ON COLUMN pod_cost.instance_type IS 'Instance type of the node.';
COMMENT ON COLUMN pod_cost.region IS 'Region of the node.';
COMMENT ON COLUMN pod_cost.price_source IS 'Which price source priced the node: aws-pricing, aws-spot, azure-retail, gcp-catalog, pricebook or default.';
COMMENT ON COLUMN pod_cost.price_effective_from IS 'Start of validity of the price used; NULL for built-in defaults.';
COMMENT ON COLUMN pod_cost.flags IS 'Caveats on the figure: UNKNOWN_POD, UNKNOWN_NODE, SCALED, GAP.';

COMMENT ON TABLE node_cost IS 'Cost of one node over one window, split into what containers were charged and what stayed idle (topic kcost.node-costs.v1, schema NodeCost). cost_usd = allocated + idle, per resource.';
COMMENT ON COLUMN node_cost.cluster IS 'Cluster name.';
COMMENT ON COLUMN node_cost.node_name IS 'Node name.';
COMMENT ON COLUMN node_cost.node_uid IS 'Node metadata.uid.';
COMMENT ON COLUMN node_cost.provider IS 'aws, gcp, azure or unknown.';
COMMENT ON COLUMN node_cost.instance_type IS 'Instance type.';
COMMENT ON COLUMN node_cost.region IS 'Region.';
COMMENT ON COLUMN node_cost.zone IS 'Zone.';
COMMENT ON COLUMN node_cost.capacity_type IS 'ON_DEMAND, SPOT, RESERVED or UNKNOWN.';
COMMENT ON COLUMN node_cost.window_start IS 'Start of the window (inclusive).';
COMMENT ON COLUMN node_cost.window_seconds IS 'Length of the window in seconds.';
COMMENT ON COLUMN node_cost.cpu_cores IS 'Allocatable CPU in cores (what the node''s CPU cost is spread over).';
COMMENT ON COLUMN node_cost.memory_bytes IS 'Allocatable memory in bytes.';
COMMENT ON COLUMN node_cost.gpu_count IS 'Allocatable GPUs.';
COMMENT ON COLUMN node_cost.cpu_cost_usd IS 'The node''s CPU cost for the window in USD.';
COMMENT ON COLUMN node_cost.memory_cost_usd IS 'The node''s memory cost for the window in USD.';
COMMENT ON COLUMN node_cost.gpu_cost_usd IS 'The node''s GPU cost for the window in USD.';
COMMENT ON COLUMN node_cost.cost_usd IS 'The node''s total cost for the window in USD (cpu + memory + gpu).';
COMMENT ON COLUMN node_cost.cpu_allocated_cost_usd IS 'CPU cost charged to containers, in USD.';
COMMENT ON COLUMN node_cost.memory_allocated_cost_usd IS 'Memory cost charged to containers, in USD.';
COMMENT ON COLUMN node_cost.gpu_allocated_cost_usd IS 'GPU cost charged to containers, in USD.';
COMMENT ON COLUMN node_cost.cpu_idle_cost_usd IS 'CPU cost not charged to any container, in USD (never negative).';
COMMENT ON COLUMN node_cost.memory_idle_cost_usd IS 'Memory cost not charged to any container, in USD (never negative).';
COMMENT ON COLUMN node_cost.gpu_idle_cost_usd IS 'GPU cost not charged to any container, in USD (never negative).';
COMMENT ON COLUMN node_cost.idle_cost_usd IS 'Sum of the idle costs in USD.';
COMMENT ON COLUMN node_cost.on_demand_cost_usd IS 'The node''s cost at the on-demand price of its instance type, in USD.';
COMMENT ON COLUMN node_cost.spot_savings_usd IS 'on_demand_cost_usd - cost_usd.';
COMMENT ON COLUMN node_cost.price_source IS 'Which price source priced the node.';
COMMENT ON COLUMN node_cost.price_effective_from IS 'Start of validity of the price used; NULL for built-in defaults.';
COMMENT ON COLUMN node_cost.flags IS 'Caveats: DEFAULT_PRICE (no cloud price), OVERCOMMITTED (allocations were scaled down).';

COMMENT ON TABLE cost_anomaly IS 'An hourly cost rate that departs from its own trailing baseline (topic kcost.anomalies.v1, schema CostAnomaly).';
COMMENT ON COLUMN cost_anomaly.cluster IS 'Cluster name.';
COMMENT ON COLUMN cost_anomaly.scope IS 'What was scored: WORKLOAD, NAMESPACE or CLUSTER.';
COMMENT ON COLUMN cost_anomaly.key IS 'namespace/kind/name for a workload, the namespace for a namespace, the cluster for a cluster.';
COMMENT ON COLUMN cost_anomaly.namespace IS 'Namespace of the workload or namespace; empty for a cluster.';
COMMENT ON COLUMN cost_anomaly.window_start IS 'Start of the scored interval.';
COMMENT ON COLUMN cost_anomaly.window_seconds IS 'Length of the scored interval in seconds.';
COMMENT ON COLUMN cost_anomaly.observed_hourly_usd IS 'Cost rate observed in the interval, USD per hour.';
COMMENT ON COLUMN cost_anomaly.expected_hourly_usd IS 'Cost rate the baseline expects for that hour of day, USD per hour.';
COMMENT ON COLUMN cost_anomaly.score IS 'Robust z-score: (observed - expected) / (1.4826 x MAD of the baseline).';
COMMENT ON COLUMN cost_anomaly.direction IS 'UP when cost rose above the baseline, DOWN when it fell below.';
COMMENT ON COLUMN cost_anomaly.severity IS 'INFO, WARNING or CRITICAL by the configured score thresholds.';
COMMENT ON COLUMN cost_anomaly.baseline_hours IS 'How many hours of history the baseline was computed from.';
COMMENT ON COLUMN cost_anomaly.detected_at IS 'Event time at which the processor scored it.';

COMMENT ON TABLE price_history IS 'Every price observed by the price collectors (schema PriceUpdate): a price takes effect at effective_from and stays in effect until the next row of the same provider/region/zone/kind/sku/capacity_type.';
COMMENT ON COLUMN price_history.provider IS 'aws, gcp, azure, or custom (a price book).';
COMMENT ON COLUMN price_history.region IS 'Provider region; empty for a price that applies everywhere.';
COMMENT ON COLUMN price_history.zone IS 'Availability zone for prices that differ by zone (spot); NULL when region-wide.';
COMMENT ON COLUMN price_history.kind IS 'NODE, STORAGE, GPU or NETWORK.';
COMMENT ON COLUMN price_history.sku IS 'Instance type, storage class, GPU model or network class.';
COMMENT ON COLUMN price_history.capacity_type IS 'ON_DEMAND, SPOT or RESERVED; UNKNOWN for storage and network.';
COMMENT ON COLUMN price_history.effective_from IS 'From when this price applies.';
COMMENT ON COLUMN price_history.hourly_usd IS 'Total price per hour of one node (NODE) or one GPU (GPU), in USD; NULL when only per-resource prices are given.';
COMMENT ON COLUMN price_history.cpu_core_hour_usd IS 'Price of one vCPU-hour in USD, where the source prices resources separately.';
COMMENT ON COLUMN price_history.memory_gib_hour_usd IS 'Price of one GiB-hour of memory in USD, where the source prices resources separately.';
COMMENT ON COLUMN price_history.gpu_hour_usd IS 'Price of one GPU-hour in USD.';
COMMENT ON COLUMN price_history.storage_gib_month_usd IS 'Price of one GiB-month of storage in USD (STORAGE).';
COMMENT ON COLUMN price_history.network_gib_usd IS 'Price of one GiB transferred in USD (NETWORK).';
COMMENT ON COLUMN price_history.discount IS 'Fraction (0..1) already taken off the list price.';
COMMENT ON COLUMN price_history.source IS 'Price source: aws-pricing, aws-spot, azure-retail, gcp-catalog, pricebook or default.';
COMMENT ON COLUMN price_history.source_ref IS 'The source''s own identifier for the price (AWS SKU and offer term, Azure meterId, GCP skuId, price book file).';
COMMENT ON COLUMN price_history.observed_at IS 'When the collector fetched it.';

COMMENT ON TABLE sink_offset IS 'Next Kafka offset to load per consumer group, topic and partition, written in the same transaction as the rows: the sink resumes from here, so a crash or rebalance neither loses nor duplicates a record.';
COMMENT ON COLUMN sink_offset.consumer_group IS 'Kafka consumer group of the sink.';
COMMENT ON COLUMN sink_offset.topic IS 'Kafka topic.';
COMMENT ON COLUMN sink_offset.partition IS 'Kafka partition.';
COMMENT ON COLUMN sink_offset.next_offset IS 'Offset of the first record not yet loaded.';
COMMENT ON COLUMN sink_offset.updated_at IS 'When the sink last moved this offset.';
