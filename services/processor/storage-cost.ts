import type { VolumeCost } from '../codec/records.generated.js';
import type { ClusterState, NodeObject, PodObject } from './cluster-state.js';
import { DEFAULT_PRICES, GIB, HOURS_PER_MONTH } from './default-prices.js';
import { findPrice } from './node-rates.js';
import type { PriceHistory } from './price-history.js';

/**
 * A pod's share of its persistent volumes' cost for one window, one entry per
 * priced claim: price per GiB-month × size, prorated to the window and split
 * evenly among the pods that mount the claim during the window. Claims that
 * are unknown or have no size are left out (they cost nothing).
 */
export function podStorageCosts(
  state: ClusterState,
  prices: PriceHistory,
  pod: PodObject,
  node: NodeObject | undefined,
  windowStart: number,
  windowSeconds: number,
): VolumeCost[] {
  const namespace = pod.namespace ?? '';
  const windowEnd = windowStart + windowSeconds * 1000;
  const volumes: VolumeCost[] = [];
  for (const claimName of pod.pod.claimNames) {
    const claim = state.claim(pod.cluster, namespace, claimName);
    if (!claim) continue;
    const volume = claim.claim.volumeName ? state.volume(pod.cluster, claim.claim.volumeName) : undefined;
    const bytes = volume?.volume.capacityBytes || claim.claim.capacityBytes || claim.claim.requestBytes;
    if (!(bytes > 0)) continue;
    const storageClass = volume?.volume.storageClass || claim.claim.storageClass;
    const where = {
      provider: node?.node.provider ?? 'unknown',
      region: volume?.volume.region || node?.node.region || '',
      zone: '',
    };
    const price =
      findPrice(prices, where, 'STORAGE', storageClass, 'UNKNOWN', windowStart) ?? findPrice(prices, where, 'STORAGE', storageClass, 'ON_DEMAND', windowStart);
    const gibMonthUsd = price?.storageGibMonthUsd ?? DEFAULT_PRICES.storageGibMonthUsd;
    const cost = (Math.max(0, gibMonthUsd) * (bytes / GIB) * (windowSeconds / 3600)) / HOURS_PER_MONTH;
    // The pod itself counts even if its state says otherwise: it reported usage for this window.
    const mounting = state.podsMounting(pod.cluster, namespace, claimName, windowStart, windowEnd);
    const sharers = mounting.some((p) => p.uid === pod.uid) ? mounting.length : mounting.length + 1;
    volumes.push({
      persistentVolume: volume?.name ?? claim.claim.volumeName ?? '',
      claim: claimName,
      storageClass,
      capacityBytes: Math.round(bytes),
      costUsd: cost / sharers,
      providerVolumeId: volume?.volume.providerVolumeId ?? null,
    });
  }
  return volumes;
}

/** Sum of the volumes' costUsd, in order, so that storageCostUsd equals exactly what the records carry. */
export function sumVolumeCosts(volumes: readonly VolumeCost[]): number {
  let total = 0;
  for (const v of volumes) total += v.costUsd;
  return total;
}
