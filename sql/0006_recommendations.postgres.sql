-- Plain PostgreSQL path: recommendation_history is a raw table partitioned by
-- UTC day like the others, so the partition functions of 0002 learn its name:
-- the sink creates its partitions before it writes them, and
-- kcost_drop_expired() drops them after event_keep (400 days by default), as
-- it does for anomalies and prices. Same signatures, so callers do not change.

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
  FOREACH parent IN ARRAY ARRAY['pod_cost', 'node_cost', 'cost_anomaly', 'price_history', 'recommendation_history'] LOOP
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
COMMENT ON FUNCTION kcost_ensure_partitions(date, date) IS 'Creates the missing daily partitions of pod_cost, node_cost, cost_anomaly, price_history and recommendation_history for the UTC days from_day..to_day; returns how many it created.';

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
    WHERE n.nspname = 'kcost_partitions' AND p.relname IN ('pod_cost', 'node_cost', 'cost_anomaly', 'price_history', 'recommendation_history')
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
COMMENT ON FUNCTION kcost_drop_expired(interval, interval, interval) IS 'Retention for plain PostgreSQL: drops daily partitions of pod_cost and node_cost older than raw_keep, of cost_anomaly, price_history and recommendation_history older than event_keep, and hourly rollup rows older than hourly_keep; daily rollups are kept. Returns the number of partitions dropped.';

SELECT kcost_ensure_partitions((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 7);
