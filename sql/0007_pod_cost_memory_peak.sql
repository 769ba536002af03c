-- PodCost v3 adds the largest working set of each window, which memory
-- right-sizing reads (VPA keeps peaks, not averages). Shared by both paths:
-- a nullable column without a default is allowed on a compressed hypertable
-- and on a partitioned table, and rows loaded before this migration (PodCost
-- v1 and v2, which had no such field) keep NULL, as the record does.

ALTER TABLE pod_cost ADD COLUMN IF NOT EXISTS memory_working_set_max_bytes float8;

COMMENT ON COLUMN pod_cost.memory_working_set_max_bytes IS 'Largest memory working set seen in the window, in bytes; NULL for a gap window and for rows that predate the field (memory_usage_bytes_avg is then the best there is).';
