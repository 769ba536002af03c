-- Plain PostgreSQL path: the raw tables are partitioned by UTC day. Partitions
-- live in the kcost_partitions schema so readers see only the parent tables.
-- The sink creates the partitions of the days it writes (and the next day)
-- before it writes them; kcost_drop_expired() is the retention policy.

CREATE SCHEMA IF NOT EXISTS kcost_partitions;
COMMENT ON SCHEMA kcost_partitions IS 'Daily partitions of the kcost raw tables (plain PostgreSQL path). Query the parent tables, not these.';

CREATE OR REPLACE FUNCTION kcost_ensure_partitions(from_day date, to_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  parent text;
  day date;
  part text;
  created integer := 0;
BEGIN
  -- Serialises concurrent sinks: CREATE TABLE ... PARTITION OF racing with itself fails.
  PERFORM pg_advisory_xact_lock(hashtext('kcost_ensure_partitions'));
  FOREACH parent IN ARRAY ARRAY['pod_cost', 'node_cost', 'cost_anomaly', 'price_history'] LOOP
    day := from_day;
    WHILE day <= to_day LOOP
      part := parent || '_' || to_char(day, 'YYYYMMDD');
      IF to_regclass(format('kcost_partitions.%I', part)) IS NULL THEN
        EXECUTE format(
          'CREATE TABLE kcost_partitions.%I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
          part, parent, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
        created := created + 1;
      END IF;
      day := day + 1;
    END LOOP;
  END LOOP;
  RETURN created;
END
$$;
COMMENT ON FUNCTION kcost_ensure_partitions(date, date) IS 'Creates the missing daily partitions of pod_cost, node_cost, cost_anomaly and price_history for the UTC days from_day..to_day; returns how many it created.';

CREATE OR REPLACE FUNCTION kcost_drop_expired(
  raw_keep interval DEFAULT INTERVAL '90 days',
  event_keep interval DEFAULT INTERVAL '400 days',
  hourly_keep interval DEFAULT INTERVAL '400 days'
) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  part record;
  dropped integer := 0;
  keep interval;
BEGIN
  FOR part IN
    SELECT c.relname AS name, p.relname AS parent
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'kcost_partitions' AND p.relname IN ('pod_cost', 'node_cost', 'cost_anomaly', 'price_history')
  LOOP
    keep := CASE WHEN part.parent IN ('pod_cost', 'node_cost') THEN raw_keep ELSE event_keep END;
    -- A partition named <parent>_YYYYMMDD holds that day; drop it once the whole day is past the retention.
    IF to_date(right(part.name, 8), 'YYYYMMDD') + 1 <= (now() - keep)::date THEN
      EXECUTE format('DROP TABLE kcost_partitions.%I', part.name);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  DELETE FROM pod_cost_hourly WHERE bucket_start < now() - hourly_keep;
  DELETE FROM node_cost_hourly WHERE bucket_start < now() - hourly_keep;
  RETURN dropped;
END
$$;
COMMENT ON FUNCTION kcost_drop_expired(interval, interval, interval) IS 'Retention for plain PostgreSQL: drops daily partitions of pod_cost and node_cost older than raw_keep, of cost_anomaly and price_history older than event_keep, and hourly rollup rows older than hourly_keep; daily rollups are kept. Returns the number of partitions dropped.';

SELECT kcost_ensure_partitions((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 7);
