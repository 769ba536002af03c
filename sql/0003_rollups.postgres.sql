-- Plain PostgreSQL path: the rollups are tables that the sink upserts in the
-- same transaction as the raw rows it loads (services/sink/rollups.ts), so a
-- rollup never counts a row twice or misses one. Column order and types match
-- the continuous aggregates of the TimescaleDB path exactly.

CREATE TABLE IF NOT EXISTS pod_cost_hourly (
  bucket_start timestamptz NOT NULL,
  cluster text NOT NULL,
  namespace text NOT NULL,
  workload_kind text NOT NULL,
  workload_name text NOT NULL,
  record_count bigint NOT NULL,
  container_seconds bigint NOT NULL,
  cpu_core_seconds_requested double precision NOT NULL,
  cpu_core_seconds_used double precision NOT NULL,
  cpu_core_seconds_allocated double precision NOT NULL,
  memory_byte_seconds_requested double precision NOT NULL,
  memory_byte_seconds_used double precision NOT NULL,
  memory_byte_seconds_allocated double precision NOT NULL,
  gpu_seconds_requested double precision NOT NULL,
  gpu_seconds_allocated double precision NOT NULL,
  cpu_cost_usd double precision NOT NULL,
  memory_cost_usd double precision NOT NULL,
  gpu_cost_usd double precision NOT NULL,
  storage_cost_usd double precision NOT NULL,
  network_cost_usd double precision NOT NULL,
  total_cost_usd double precision NOT NULL,
  on_demand_cost_usd double precision NOT NULL,
  spot_savings_usd double precision NOT NULL,
  price_sources text[] NOT NULL,
  PRIMARY KEY (cluster, namespace, workload_kind, workload_name, bucket_start)
);

CREATE INDEX IF NOT EXISTS pod_cost_hourly_bucket_idx ON pod_cost_hourly (bucket_start, cluster);

CREATE TABLE IF NOT EXISTS pod_cost_daily (
  bucket_start timestamptz NOT NULL,
  cluster text NOT NULL,
  namespace text NOT NULL,
  workload_kind text NOT NULL,
  workload_name text NOT NULL,
  record_count bigint NOT NULL,
  container_seconds bigint NOT NULL,
  cpu_core_seconds_requested double precision NOT NULL,
  cpu_core_seconds_used double precision NOT NULL,
  cpu_core_seconds_allocated double precision NOT NULL,
  memory_byte_seconds_requested double precision NOT NULL,
  memory_byte_seconds_used double precision NOT NULL,
  memory_byte_seconds_allocated double precision NOT NULL,
  gpu_seconds_requested double precision NOT NULL,
  gpu_seconds_allocated double precision NOT NULL,
  cpu_cost_usd double precision NOT NULL,
  memory_cost_usd double precision NOT NULL,
  gpu_cost_usd double precision NOT NULL,
  storage_cost_usd double precision NOT NULL,
  network_cost_usd double precision NOT NULL,
  total_cost_usd double precision NOT NULL,
  on_demand_cost_usd double precision NOT NULL,
  spot_savings_usd double precision NOT NULL,
  price_sources text[] NOT NULL,
  PRIMARY KEY (cluster, namespace, workload_kind, workload_name, bucket_start)
);

CREATE INDEX IF NOT EXISTS pod_cost_daily_bucket_idx ON pod_cost_daily (bucket_start, cluster);

CREATE TABLE IF NOT EXISTS node_cost_hourly (
  bucket_start timestamptz NOT NULL,
  cluster text NOT NULL,
  node_name text NOT NULL,
  instance_type text NOT NULL,
  capacity_type text NOT NULL,
  record_count bigint NOT NULL,
  node_seconds bigint NOT NULL,
  cpu_core_seconds double precision NOT NULL,
  memory_byte_seconds double precision NOT NULL,
  gpu_seconds double precision NOT NULL,
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
  price_sources text[] NOT NULL,
  PRIMARY KEY (cluster, node_name, instance_type, capacity_type, bucket_start)
);

CREATE TABLE IF NOT EXISTS node_cost_daily (
  bucket_start timestamptz NOT NULL,
  cluster text NOT NULL,
  node_name text NOT NULL,
  instance_type text NOT NULL,
  capacity_type text NOT NULL,
  record_count bigint NOT NULL,
  node_seconds bigint NOT NULL,
  cpu_core_seconds double precision NOT NULL,
  memory_byte_seconds double precision NOT NULL,
  gpu_seconds double precision NOT NULL,
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
  price_sources text[] NOT NULL,
  PRIMARY KEY (cluster, node_name, instance_type, capacity_type, bucket_start)
);
COMMENT ON TABLE pod_cost_hourly IS 'Cost per cluster, namespace and workload per hour (sums of pod_cost by window_start hour, UTC). Bare pods have empty workload_kind and workload_name. Averages: cores used = cpu_core_seconds_used / 3600; CPU efficiency = cpu_core_seconds_used / cpu_core_seconds_requested. Maintained by the sink in the same transaction as the raw rows.';
COMMENT ON TABLE pod_cost_daily IS 'Cost per cluster, namespace and workload per UTC day (sums of pod_cost by window_start day). Bare pods have empty workload_kind and workload_name. Averages: cores used = cpu_core_seconds_used / 86400; CPU efficiency = cpu_core_seconds_used / cpu_core_seconds_requested. Maintained by the sink in the same transaction as the raw rows.';
COMMENT ON TABLE node_cost_hourly IS 'Cost, allocated cost and idle cost per node per hour (sums of node_cost by window_start hour, UTC). Maintained by the sink in the same transaction as the raw rows.';
COMMENT ON TABLE node_cost_daily IS 'Cost, allocated cost and idle cost per node per UTC day (sums of node_cost by window_start day). Maintained by the sink in the same transaction as the raw rows.';
