-- Billed volumes in reconciliation (docs/billing.md, "Volumes"). Shared by
-- both storage paths; the reconciled tables are plain tables on both.
--
-- A persistent volume's disk is billed on its own lines (an EBS vol-…), and
-- kcost prices the same disk at list in the storage cost of the pods that
-- mount it. kcost reconcile now lets a billed disk's lines replace those
-- pods' list cost of it (instead of counting the lines again as external),
-- and keeps the split visible here. The pod columns are NULL on rows
-- reconciled before this migration, whose split was not kept; the next
-- pass recomputes every day of its lookback (the digest carries the rule's
-- version), older days keep NULL.
ALTER TABLE reconciled_pod_cost_daily
  ADD COLUMN IF NOT EXISTS reconciled_compute_cost_usd double precision,
  ADD COLUMN IF NOT EXISTS list_storage_cost_usd double precision,
  ADD COLUMN IF NOT EXISTS reconciled_storage_cost_usd double precision;
COMMENT ON COLUMN reconciled_pod_cost_daily.reconciled_compute_cost_usd IS 'cpu + memory + gpu cost × the node-day factor. Per node-day, Σ reconciled_compute_cost_usd + reconciled_node_cost_daily.reconciled_idle_cost_usd = reconciled_cost_usd of the node. NULL on rows reconciled before 0015.';
COMMENT ON COLUMN reconciled_pod_cost_daily.list_storage_cost_usd IS 'pod_cost.storage_cost_usd summed: the persistent volumes at list prices. NULL on rows reconciled before 0015.';
COMMENT ON COLUMN reconciled_pod_cost_daily.reconciled_storage_cost_usd IS 'Storage after reconciliation: the share of each volume whose disk the bill charged that day at the billed cost (the disk''s billed EffectiveCost split among the day''s pods that mounted it by their list cost of it), the other volumes at list. NULL on rows reconciled before 0015.';
COMMENT ON COLUMN reconciled_pod_cost_daily.reconciled_cost_usd IS 'reconciled_compute_cost_usd + reconciled_storage_cost_usd + network cost at list.';
COMMENT ON TABLE reconciled_pod_cost_daily IS 'Per pod workload, node and UTC day: list_cost_usd is pod_cost total_cost_usd; reconciled_cost_usd scales its compute part (cpu + memory + gpu) by the node-day factor, puts the billed cost of the disks the bill charged in place of their list storage cost, and keeps other storage and network at list.';

ALTER TABLE reconciled_day
  ADD COLUMN IF NOT EXISTS volume_list_cost_usd double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS volume_billed_cost_usd double precision NOT NULL DEFAULT 0;
COMMENT ON COLUMN reconciled_day.volume_list_cost_usd IS 'Sum of the day''s reconciled_volume_cost_daily.list_cost_usd: the list storage cost the bill replaced.';
COMMENT ON COLUMN reconciled_day.volume_billed_cost_usd IS 'Sum of the day''s reconciled_volume_cost_daily.billed_cost_usd: billing lines of mounted disks, in the pods'' cost and not in external_cost_usd.';
COMMENT ON TABLE reconciled_day IS 'One row per UTC day kcost reconcile has reconciled with billing_line: the digest of its inputs (billing lines, node and pod costs of the day) and its totals. billed_effective_cost_usd = node_reconciled_cost_usd + volume_billed_cost_usd + external_cost_usd, less what matched a node with no kcost cost that day (that goes to external).';

-- One row per disk the bill charged in a UTC day that pods of a cluster mounted.
CREATE TABLE IF NOT EXISTS reconciled_volume_cost_daily (
  day date NOT NULL,
  cluster text NOT NULL,
  volume_id text NOT NULL,
  list_cost_usd double precision NOT NULL,
  billed_cost_usd double precision NOT NULL,
  PRIMARY KEY (day, cluster, volume_id)
);
COMMENT ON TABLE reconciled_volume_cost_daily IS 'Per UTC day, cluster and billed disk that the day''s pods mounted: what kcost priced the disk at (the pods'' shares at list) and the billed EffectiveCost that replaced it in reconciled_pod_cost_daily. Billing lines of disks no pod mounted that day stay in external_cost_daily.';
COMMENT ON COLUMN reconciled_volume_cost_daily.day IS 'The UTC day.';
COMMENT ON COLUMN reconciled_volume_cost_daily.cluster IS 'Cluster of the pods that mounted the disk.';
COMMENT ON COLUMN reconciled_volume_cost_daily.volume_id IS 'The disk, as matched: the last path segment, lower-cased, of the PersistentVolume''s provider volume id (CSI volumeHandle, in-tree disk id) and of the billing line''s resource id (vol-0abc for EBS).';
COMMENT ON COLUMN reconciled_volume_cost_daily.list_cost_usd IS 'Sum of the day''s pod_cost.volumes[].costUsd of the disk: kcost''s list price of it while mounted.';
COMMENT ON COLUMN reconciled_volume_cost_daily.billed_cost_usd IS 'Sum of the EffectiveCost of the disk''s billing lines charged in the day (prorated by time), now in the mounting pods'' reconciled cost.';

-- Disks belong to no namespace: teams see them with node costs, as node rows (0010).
SELECT kcost_guard_table('reconciled_volume_cost_daily', 'NULL');

COMMENT ON COLUMN pod_cost.volumes IS 'Per-volume breakdown of storage_cost_usd, a JSON array of {persistentVolume, claim, storageClass, capacityBytes, costUsd, providerVolumeId} (costUsd: this container''s share for the window; the shares sum to storage_cost_usd; providerVolumeId: the disk the bill names, from PodCost v4, null when unknown); [] when the pod mounts no priced claim or the row predates the field.';

COMMENT ON COLUMN external_cost_daily.attribution IS 'How the cost came to the namespace: tag (the namespace tag, or kubernetes.io/created-for/pvc/namespace on a disk no pod mounted that day), service (kubernetes.io/service-name), even, proportional (shared by the configured rule), unallocated.';
