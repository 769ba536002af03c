-- TimescaleDB path: the rollups are continuous aggregates with real-time
-- aggregation (materialized_only = false): buckets not yet materialized by the
-- refresh policy are computed from the raw hypertable at query time, so readers
-- always see every loaded row. Column order and types match the tables of the
-- plain PostgreSQL path exactly (see 0003_rollups.postgres.sql).

CREATE MATERIALIZED VIEW IF NOT EXISTS pod_cost_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
  time_bucket(INTERVAL '1 hour', window_start) AS bucket_start,
  cluster,
  namespace,
  workload_kind,
  workload_name,
  count(*) AS record_count,
  sum(window_seconds) AS container_seconds,
  sum(cpu_request_cores * window_seconds) AS cpu_core_seconds_requested,
  sum(cpu_usage_cores_avg * window_seconds) AS cpu_core_seconds_used,
  sum(cpu_allocated_cores * window_seconds) AS cpu_core_seconds_allocated,
  sum(memory_request_bytes * window_seconds) AS memory_byte_seconds_requested,
  sum(memory_usage_bytes_avg * window_seconds) AS memory_byte_seconds_used,
  sum(memory_allocated_bytes * window_seconds) AS memory_byte_seconds_allocated,
  sum(gpu_request * window_seconds) AS gpu_seconds_requested,
  sum(gpu_allocated * window_seconds) AS gpu_seconds_allocated,
  sum(cpu_cost_usd) AS cpu_cost_usd,
  sum(memory_cost_usd) AS memory_cost_usd,
  sum(gpu_cost_usd) AS gpu_cost_usd,
  sum(storage_cost_usd) AS storage_cost_usd,
  sum(network_cost_usd) AS network_cost_usd,
  sum(total_cost_usd) AS total_cost_usd,
  sum(on_demand_cost_usd) AS on_demand_cost_usd,
  sum(spot_savings_usd) AS spot_savings_usd,
  array_agg(DISTINCT price_source ORDER BY price_source) AS price_sources
FROM pod_cost
GROUP BY 1, 2, 3, 4, 5
WITH NO DATA;

SELECT add_continuous_aggregate_policy('pod_cost_hourly', start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '30 minutes', if_not_exists => TRUE);

COMMENT ON VIEW pod_cost_hourly IS 'Cost per cluster, namespace and workload per hour (sums of pod_cost by window_start hour, UTC). Bare pods have empty workload_kind and workload_name. Averages: cores used = cpu_core_seconds_used / 3600; CPU efficiency = cpu_core_seconds_used / cpu_core_seconds_requested. A TimescaleDB continuous aggregate with real-time aggregation: buckets past the last refresh are computed from the raw table at query time; rows loaded late into an already materialized bucket appear at the next policy refresh.';

CREATE MATERIALIZED VIEW IF NOT EXISTS pod_cost_daily
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
  time_bucket(INTERVAL '1 day', window_start) AS bucket_start,
  cluster,
  namespace,
  workload_kind,
  workload_name,
  count(*) AS record_count,
  sum(window_seconds) AS container_seconds,
  sum(cpu_request_cores * window_seconds) AS cpu_core_seconds_requested,
  sum(cpu_usage_cores_avg * window_seconds) AS cpu_core_seconds_used,
  sum(cpu_allocated_cores * window_seconds) AS cpu_core_seconds_allocated,
  sum(memory_request_bytes * window_seconds) AS memory_byte_seconds_requested,
  sum(memory_usage_bytes_avg * window_seconds) AS memory_byte_seconds_used,
  sum(memory_allocated_bytes * window_seconds) AS memory_byte_seconds_allocated,
  sum(gpu_request * window_seconds) AS gpu_seconds_requested,
  sum(gpu_allocated * window_seconds) AS gpu_seconds_allocated,
  sum(cpu_cost_usd) AS cpu_cost_usd,
  sum(memory_cost_usd) AS memory_cost_usd,
  sum(gpu_cost_usd) AS gpu_cost_usd,
  sum(storage_cost_usd) AS storage_cost_usd,
  sum(network_cost_usd) AS network_cost_usd,
  sum(total_cost_usd) AS total_cost_usd,
  sum(on_demand_cost_usd) AS on_demand_cost_usd,
  sum(spot_savings_usd) AS spot_savings_usd,
  array_agg(DISTINCT price_source ORDER BY price_source) AS price_sources
FROM pod_cost
GROUP BY 1, 2, 3, 4, 5
WITH NO DATA;

SELECT add_continuous_aggregate_policy('pod_cost_daily', start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);

COMMENT ON VIEW pod_cost_daily IS 'Cost per cluster, namespace and workload per UTC day (sums of pod_cost by window_start day). Bare pods have empty workload_kind and workload_name. Averages: cores used = cpu_core_seconds_used / 86400; CPU efficiency = cpu_core_seconds_used / cpu_core_seconds_requested. A TimescaleDB continuous aggregate with real-time aggregation: buckets past the last refresh are computed from the raw table at query time; rows loaded late into an already materialized bucket appear at the next policy refresh.';

CREATE MATERIALIZED VIEW IF NOT EXISTS node_cost_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
  time_bucket(INTERVAL '1 hour', window_start) AS bucket_start,
  cluster,
  node_name,
  instance_type,
  capacity_type,
  count(*) AS record_count,
  sum(window_seconds) AS node_seconds,
  sum(cpu_cores * window_seconds) AS cpu_core_seconds,
  sum(memory_bytes * window_seconds) AS memory_byte_seconds,
  sum(gpu_count * window_seconds) AS gpu_seconds,
  sum(cpu_cost_usd) AS cpu_cost_usd,
  sum(memory_cost_usd) AS memory_cost_usd,
  sum(gpu_cost_usd) AS gpu_cost_usd,
  sum(cost_usd) AS cost_usd,
  sum(cpu_allocated_cost_usd) AS cpu_allocated_cost_usd,
  sum(memory_allocated_cost_usd) AS memory_allocated_cost_usd,
  sum(gpu_allocated_cost_usd) AS gpu_allocated_cost_usd,
  sum(cpu_idle_cost_usd) AS cpu_idle_cost_usd,
  sum(memory_idle_cost_usd) AS memory_idle_cost_usd,
  sum(gpu_idle_cost_usd) AS gpu_idle_cost_usd,
  sum(idle_cost_usd) AS idle_cost_usd,
  sum(on_demand_cost_usd) AS on_demand_cost_usd,
  sum(spot_savings_usd) AS spot_savings_usd,
  array_agg(DISTINCT price_source ORDER BY price_source) AS price_sources
FROM node_cost
GROUP BY 1, 2, 3, 4, 5
WITH NO DATA;

SELECT add_continuous_aggregate_policy('node_cost_hourly', start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '30 minutes', if_not_exists => TRUE);

COMMENT ON VIEW node_cost_hourly IS 'Cost, allocated cost and idle cost per node per hour (sums of node_cost by window_start hour, UTC). A TimescaleDB continuous aggregate with real-time aggregation: buckets past the last refresh are computed from the raw table at query time; rows loaded late into an already materialized bucket appear at the next policy refresh.';

CREATE MATERIALIZED VIEW IF NOT EXISTS node_cost_daily
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
  time_bucket(INTERVAL '1 day', window_start) AS bucket_start,
  cluster,
  node_name,
  instance_type,
  capacity_type,
  count(*) AS record_count,
  sum(window_seconds) AS node_seconds,
  sum(cpu_cores * window_seconds) AS cpu_core_seconds,
  sum(memory_bytes * window_seconds) AS memory_byte_seconds,
  sum(gpu_count * window_seconds) AS gpu_seconds,
  sum(cpu_cost_usd) AS cpu_cost_usd,
  sum(memory_cost_usd) AS memory_cost_usd,
  sum(gpu_cost_usd) AS gpu_cost_usd,
  sum(cost_usd) AS cost_usd,
  sum(cpu_allocated_cost_usd) AS cpu_allocated_cost_usd,
  sum(memory_allocated_cost_usd) AS memory_allocated_cost_usd,
  sum(gpu_allocated_cost_usd) AS gpu_allocated_cost_usd,
  sum(cpu_idle_cost_usd) AS cpu_idle_cost_usd,
  sum(memory_idle_cost_usd) AS memory_idle_cost_usd,
  sum(gpu_idle_cost_usd) AS gpu_idle_cost_usd,
  sum(idle_cost_usd) AS idle_cost_usd,
  sum(on_demand_cost_usd) AS on_demand_cost_usd,
  sum(spot_savings_usd) AS spot_savings_usd,
  array_agg(DISTINCT price_source ORDER BY price_source) AS price_sources
FROM node_cost
GROUP BY 1, 2, 3, 4, 5
WITH NO DATA;

SELECT add_continuous_aggregate_policy('node_cost_daily', start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);

COMMENT ON VIEW node_cost_daily IS 'Cost, allocated cost and idle cost per node per UTC day (sums of node_cost by window_start day). A TimescaleDB continuous aggregate with real-time aggregation: buckets past the last refresh are computed from the raw table at query time; rows loaded late into an already materialized bucket appear at the next policy refresh.';
