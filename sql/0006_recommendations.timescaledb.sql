-- TimescaleDB path: recommendation_history becomes a hypertable on generated_at
-- with 7-day chunks (a key gets a few versions a day, not one a minute),
-- compressed after 30 days and dropped after 400, as price_history is. The
-- recommendation table stays a plain table: one row per key, updated in place.

SELECT create_hypertable('recommendation_history', by_range('generated_at', INTERVAL '7 days'), create_default_indexes => FALSE, if_not_exists => TRUE);

DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM timescaledb_information.hypertables h
    WHERE h.hypertable_name = 'recommendation_history' AND h.hypertable_schema = current_schema() AND h.compression_enabled
  ) THEN
    ALTER TABLE recommendation_history SET (timescaledb.compress, timescaledb.compress_segmentby = 'cluster', timescaledb.compress_orderby = 'generated_at DESC');
  END IF;
END
$$;

SELECT add_compression_policy('recommendation_history', INTERVAL '30 days', if_not_exists => TRUE);
SELECT add_retention_policy('recommendation_history', INTERVAL '400 days', if_not_exists => TRUE);
