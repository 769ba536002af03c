-- PodCost v2 adds the per-volume breakdown of storage_cost_usd. Shared by both
-- paths: a literal default (not a cast, which TimescaleDB refuses on a
-- compressed hypertable) is allowed on both, and rows
-- loaded before this migration (PodCost v1) get the empty breakdown they imply.

ALTER TABLE pod_cost ADD COLUMN IF NOT EXISTS volumes jsonb NOT NULL DEFAULT '[]';

COMMENT ON COLUMN pod_cost.volumes IS 'Per-volume breakdown of storage_cost_usd, a JSON array of {persistentVolume, claim, storageClass, capacityBytes, costUsd} (costUsd: this container''s share for the window; the shares sum to storage_cost_usd); [] when the pod mounts no priced claim or the row predates the field.';
