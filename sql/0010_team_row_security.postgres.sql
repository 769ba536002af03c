-- Plain PostgreSQL path: every namespaced table, raw and rollup, has row-level
-- security with the scope rule of 0010's shared file. The policies are on the
-- partitioned parents; a team role has no USAGE on kcost_partitions, so it
-- cannot read a partition past its parent's policy.
SELECT kcost_guard_table('pod_cost', 'namespace');
SELECT kcost_guard_table('pod_cost_hourly', 'namespace');
SELECT kcost_guard_table('pod_cost_daily', 'namespace');
SELECT kcost_guard_table('cost_anomaly', 'namespace');
SELECT kcost_guard_table('recommendation_history', 'namespace');
-- Node rows belong to no namespace: only grants with node_costs see them.
SELECT kcost_guard_table('node_cost', 'NULL');
SELECT kcost_guard_table('node_cost_hourly', 'NULL');
SELECT kcost_guard_table('node_cost_daily', 'NULL');
