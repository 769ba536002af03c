-- TimescaleDB path: the raw tables become hypertables with one-day chunks,
-- compressed after 7 days and dropped after the retention below. Change the
-- policies afterwards with alter_job() / remove_retention_policy(); this
-- migration leaves existing policies as they are.

SELECT create_hypertable('pod_cost', by_range('window_start', INTERVAL '1 day'), create_default_indexes => FALSE, if_not_exists => TRUE);
SELECT create_hypertable('node_cost', by_range('window_start', INTERVAL '1 day'), create_default_indexes => FALSE, if_not_exists => TRUE);
SELECT create_hypertable('cost_anomaly', by_range('window_start', INTERVAL '1 day'), create_default_indexes => FALSE, if_not_exists => TRUE);
SELECT create_hypertable('price_history', by_range('observed_at', INTERVAL '7 days'), create_default_indexes => FALSE, if_not_exists => TRUE);

-- Compression settings can only be set while no chunk is compressed, so set them once.
DO $$
DECLARE
  spec record;
BEGIN
  FOR spec IN
    SELECT * FROM (VALUES
      ('pod_cost', 'cluster, namespace', 'window_start DESC'),
      ('node_cost', 'cluster, node_name', 'window_start DESC'),
      ('cost_anomaly', 'cluster', 'window_start DESC'),
      ('price_history', 'provider, region', 'observed_at DESC')
    ) AS t(hypertable, segment_by, order_by)
  LOOP
    IF NOT EXISTS (
      SELECT 1 FROM timescaledb_information.hypertables h
      WHERE h.hypertable_name = spec.hypertable AND h.hypertable_schema = current_schema() AND h.compression_enabled
    ) THEN
      EXECUTE format(
        'ALTER TABLE %I SET (timescaledb.compress, timescaledb.compress_segmentby = %L, timescaledb.compress_orderby = %L)',
        spec.hypertable, spec.segment_by, spec.order_by);
    END IF;
  END LOOP;
END
$$;

SELECT add_compression_policy('pod_cost', INTERVAL '7 days', if_not_exists => TRUE);
SELECT add_compression_policy('node_cost', INTERVAL '7 days', if_not_exists => TRUE);
SELECT add_compression_policy('cost_anomaly', INTERVAL '7 days', if_not_exists => TRUE);
SELECT add_compression_policy('price_history', INTERVAL '30 days', if_not_exists => TRUE);

SELECT add_retention_policy('pod_cost', INTERVAL '90 days', if_not_exists => TRUE);
SELECT add_retention_policy('node_cost', INTERVAL '90 days', if_not_exists => TRUE);
SELECT add_retention_policy('cost_anomaly', INTERVAL '400 days', if_not_exists => TRUE);
SELECT add_retention_policy('price_history', INTERVAL '400 days', if_not_exists => TRUE);
