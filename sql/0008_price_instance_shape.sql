-- PriceUpdate v2 adds the instance shape of a NODE price (vCPUs, memory,
-- GPUs, architecture), which node-pool right-sizing and ARM advice read from
-- the catalog. Shared by both paths: nullable columns without a default are
-- allowed on a compressed hypertable and on a partitioned table, and rows
-- loaded before this migration (PriceUpdate v1, which had no shape) keep NULL,
-- as the record does.

ALTER TABLE price_history ADD COLUMN IF NOT EXISTS vcpus float8;
ALTER TABLE price_history ADD COLUMN IF NOT EXISTS memory_bytes bigint;
ALTER TABLE price_history ADD COLUMN IF NOT EXISTS gpus float8;
ALTER TABLE price_history ADD COLUMN IF NOT EXISTS architecture text;

COMMENT ON COLUMN price_history.vcpus IS 'NODE: vCPUs of the instance type, where the source says; NULL otherwise and for rows that predate the field.';
COMMENT ON COLUMN price_history.memory_bytes IS 'NODE: memory of the instance type in bytes, where the source says; NULL otherwise and for rows that predate the field.';
COMMENT ON COLUMN price_history.gpus IS 'NODE: GPUs of the instance type (0 for none), where the source says; NULL otherwise and for rows that predate the field.';
COMMENT ON COLUMN price_history.architecture IS 'NODE: CPU architecture as the kubernetes.io/arch label names it, amd64 or arm64, where the source says; NULL otherwise and for rows that predate the field.';
