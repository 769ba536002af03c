-- TimescaleDB path: row-level security cannot be enabled on a hypertable with
-- compression (pod_cost, node_cost, cost_anomaly, recommendation_history) and
-- does not apply to continuous aggregates (the rollups), whose chunks and
-- materialization tables would be readable past it anyway. So a team reads
-- security-barrier views with the same names in kcost_scoped, which its
-- search_path puts before public, and is granted nothing on the hypertables
-- or aggregates. security_barrier keeps a caller's own functions in WHERE
-- from seeing rows before the scope has filtered them.
DO $$
DECLARE
  relation record;
BEGIN
  FOR relation IN SELECT * FROM (VALUES
    ('pod_cost', 'namespace'), ('pod_cost_hourly', 'namespace'), ('pod_cost_daily', 'namespace'),
    ('cost_anomaly', 'namespace'), ('recommendation_history', 'namespace'),
    -- Node rows belong to no namespace: only grants with node_costs see them.
    ('node_cost', 'NULL'), ('node_cost_hourly', 'NULL'), ('node_cost_daily', 'NULL')
  ) AS t(name, namespace_column) LOOP
    EXECUTE format('CREATE OR REPLACE VIEW kcost_scoped.%I WITH (security_barrier) AS SELECT * FROM %I.%I WHERE %s',
      relation.name, current_schema(), relation.name, kcost_scope_condition('cluster', relation.namespace_column));
  END LOOP;
END
$$;
