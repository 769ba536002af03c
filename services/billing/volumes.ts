// Billed volumes: a persistent volume's disk is billed on its own lines
// (an EBS vol-…, a GCE PD, an Azure managed disk), apart from the node, and
// kcost prices the same disk at list in the storage cost of the pods that
// mount it. Left as they were, the disk would count twice: at list in the
// pods and billed in external costs. So a day's lines whose resource is the
// disk of a volume the day's pods mounted replace those pods' list cost of
// that volume, and are no external cost; the lines of any other disk (one no
// pod mounted that day, a snapshot) stay external.

/** A workload's list cost of one disk over one UTC day on one node (pod_cost.volumes[].costUsd summed). */
export interface VolumeShare {
  /** The provider's id of the disk, as the PersistentVolume names it (providerVolumeId). */
  readonly providerVolumeId: string;
  readonly listCostUsd: number;
}

/** A billing line as volume matching reads it. */
export interface VolumeLine {
  readonly instanceId: string | null;
  readonly resourceId: string | null;
  readonly effectiveCostUsd: number;
}

/** One disk's figures for the day, per cluster that mounted it. */
export interface ReconciledVolume {
  readonly cluster: string;
  /** The disk id both sides are compared by (diskIdOf). */
  readonly volumeId: string;
  readonly listCostUsd: number;
  readonly billedCostUsd: number;
}

/**
 * The id a disk is matched by: the last path segment, lower-cased. A CSI
 * volumeHandle and a bill's ResourceId name the same disk in different
 * forms: vol-0abc and vol-0abc or arn:aws:ec2:…:volume/vol-0abc (AWS);
 * projects/p/zones/z/disks/d and //compute.googleapis.com/projects/p/zones/z/disks/d
 * (GCP); /subscriptions/…/disks/d in either case (Azure).
 */
export function diskIdOf(id: string): string {
  return (id.split('/').filter((part) => part !== '').pop() ?? '').toLowerCase();
}

export interface VolumeMatch {
  /** Billed cost of a disk per unit of its list cost, per disk id; absent: not billed that day. */
  readonly billedByVolume: ReadonlyMap<string, { readonly billedCostUsd: number; readonly listCostUsd: number; readonly shares: number }>;
  /** The lines that billed a mounted disk: not external. */
  readonly matchedLines: ReadonlySet<VolumeLine>;
}

/**
 * Matches the day's lines with the disks the day's pods mounted. Node lines
 * (an instance id) never match: a boot disk billed with its instance is the
 * node's cost.
 */
export function matchVolumes(shares: readonly VolumeShare[], lines: readonly VolumeLine[]): VolumeMatch {
  const mounted = new Map<string, { listCostUsd: number; shares: number }>();
  for (const share of shares) {
    const id = diskIdOf(share.providerVolumeId);
    if (id === '') continue;
    const entry = mounted.get(id) ?? { listCostUsd: 0, shares: 0 };
    entry.listCostUsd += share.listCostUsd;
    entry.shares += 1;
    mounted.set(id, entry);
  }
  const billed = new Map<string, number>();
  const matchedLines = new Set<VolumeLine>();
  for (const line of lines) {
    if (line.instanceId !== null || line.resourceId === null) continue;
    const id = diskIdOf(line.resourceId);
    if (!mounted.has(id)) continue;
    billed.set(id, (billed.get(id) ?? 0) + line.effectiveCostUsd);
    matchedLines.add(line);
  }
  const billedByVolume = new Map<string, { billedCostUsd: number; listCostUsd: number; shares: number }>();
  for (const [id, billedCostUsd] of billed) {
    const entry = mounted.get(id) as { listCostUsd: number; shares: number };
    billedByVolume.set(id, { billedCostUsd, ...entry });
  }
  return { billedByVolume, matchedLines };
}

/**
 * What a pod's share of a disk costs after reconciliation: the disk's billed
 * cost for the day split among the day's shares by their list cost (evenly
 * when the disk was priced at 0), so the shares sum to the billed cost
 * exactly; its list cost when the disk was not billed that day.
 */
export function reconciledShareUsd(share: VolumeShare, match: VolumeMatch): number {
  const billed = match.billedByVolume.get(diskIdOf(share.providerVolumeId));
  if (billed === undefined) return share.listCostUsd;
  return billed.listCostUsd > 0 ? (billed.billedCostUsd * share.listCostUsd) / billed.listCostUsd : billed.billedCostUsd / billed.shares;
}
