import { renderLabels } from './exposition.js';
import { SeriesFamily } from './series-family.js';

/** One pod's share of one persistent volume, as a monthly rate. */
export interface VolumeShare {
  readonly persistentVolume: string;
  readonly storageClass: string;
  readonly monthlyUsd: number;
}

interface VolumeState {
  storageClass: string;
  labels: string;
  /** Pod (cluster/uid) → its share in USD per month. */
  readonly shares: Map<string, number>;
}

/**
 * kube_cost_pv_monthly_usd{cluster,persistentvolume,storage_class}: per
 * volume, the sum over the pods mounting it of their share in their latest
 * window, as a monthly rate. Each pod's shares are replaced as a whole when
 * its latest window changes and removed when the pod expires, so a volume's
 * series disappears with the last pod that mounted it.
 */
export class VolumeCosts {
  readonly monthly = new SeriesFamily(
    'kube_cost_pv_monthly_usd',
    "Cost rate of the persistent volume, USD per 730-hour month: the sum over the pods mounting it of their share in each pod's latest window (volumes of claims not bound to a volume are left out).",
    'gauge',
  );
  private readonly volumes = new Map<string, VolumeState>();
  /** Pod (cluster/uid) → the volume keys it has a share in. */
  private readonly byPod = new Map<string, Set<string>>();

  /** Replaces the shares of pod `podKey` (unique per cluster) with `shares`. */
  setPod(podKey: string, cluster: string, shares: readonly VolumeShare[]): void {
    const before = this.byPod.get(podKey);
    if (shares.length === 0 && !before) return;
    const after = new Map<string, VolumeShare>();
    for (const share of shares) {
      if (share.persistentVolume === '' || !Number.isFinite(share.monthlyUsd)) continue;
      const key = `${cluster}\u0000${share.persistentVolume}`;
      const known = after.get(key);
      after.set(key, known ? { ...share, monthlyUsd: known.monthlyUsd + share.monthlyUsd } : share);
    }
    for (const key of before ?? []) if (!after.has(key)) this.removeShare(key, podKey);
    for (const [key, share] of after) {
      let volume = this.volumes.get(key);
      if (!volume) {
        volume = { storageClass: share.storageClass, labels: volumeLabels(cluster, share), shares: new Map() };
        this.volumes.set(key, volume);
      } else if (volume.storageClass !== share.storageClass) {
        volume.storageClass = share.storageClass;
        volume.labels = volumeLabels(cluster, share);
      }
      volume.shares.set(podKey, share.monthlyUsd);
      this.renderVolume(key, volume);
    }
    if (after.size > 0) this.byPod.set(podKey, new Set(after.keys()));
    else this.byPod.delete(podKey);
  }

  /** Removes every share of pod `podKey`. */
  removePod(podKey: string): void {
    for (const key of this.byPod.get(podKey) ?? []) this.removeShare(key, podKey);
    this.byPod.delete(podKey);
  }

  private removeShare(key: string, podKey: string): void {
    const volume = this.volumes.get(key);
    if (!volume) return;
    volume.shares.delete(podKey);
    if (volume.shares.size === 0) {
      this.volumes.delete(key);
      this.monthly.delete(key);
    } else {
      this.renderVolume(key, volume);
    }
  }

  private renderVolume(key: string, volume: VolumeState): void {
    // Summed afresh rather than adjusted by differences, so that no rounding drift accumulates.
    let usd = 0;
    for (const share of volume.shares.values()) usd += share;
    this.monthly.set(key, volume.labels, usd);
  }
}

function volumeLabels(cluster: string, share: VolumeShare): string {
  return renderLabels(['cluster', 'persistentvolume', 'storage_class'], [cluster, share.persistentVolume, share.storageClass]);
}
