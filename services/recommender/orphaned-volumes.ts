import { NO_DETAILS } from './recommendation.js';
import type { PriceUpdate } from '../codec/records.generated.js';
import { DEFAULT_PRICES, GIB, HOURS_PER_MONTH } from '../processor/default-prices.js';
import { findPrice } from '../processor/node-rates.js';
import type { PriceHistory } from '../processor/price-history.js';
import type { Recommendation } from './recommendation.js';
import type { ClaimUsage, Place } from './volume-table.js';

const HOUR = 3_600_000;

/** The rule's one parameter (recommend-settings.ts: --orphaned-volume-after). */
export interface OrphanedVolumeOptions {
  /** How long no running pod may have mounted a claim before it is advice. */
  readonly unmountedForMillis: number;
}

/** A storage price per GiB-month and where it came from. */
export interface StoragePrice {
  readonly gibMonthUsd: number;
  /** A price source (aws-pricing, pricebook, ...) or default. */
  readonly source: string;
}

/** The key of a claim's advice: `cluster/namespace/PersistentVolumeClaim/name`. */
export function orphanedVolumeKey(cluster: string, namespace: string, claimName: string): string {
  return [cluster, namespace, 'PersistentVolumeClaim', claimName].join('/');
}

/** The bytes a claim is priced on, as the processor prices it (storage-cost.ts): the volume's capacity, else the claim's, else its request. */
export function pricedBytesOf(usage: ClaimUsage): number {
  return usage.volume?.volume.capacityBytes || usage.claim.claim.capacityBytes || usage.claim.claim.requestBytes;
}

/** The claim's storage class: the volume's, else the claim's. */
export function storageClassOf(usage: ClaimUsage): string {
  return usage.volume?.volume.storageClass || usage.claim.claim.storageClass;
}

/**
 * The storage price in effect at `atMillis` for a class, found as the
 * processor finds it for a mounted claim (price book first, then the
 * provider's zone, region and region-less prices, capacity type UNKNOWN then
 * ON_DEMAND), with the built-in 0.04 $/GiB-month where none is in effect.
 */
export function storagePriceOf(prices: PriceHistory, place: Place, region: string, storageClass: string, atMillis: number): StoragePrice {
  const where = { provider: place.provider, region: region || place.region, zone: '' };
  const price: PriceUpdate | null =
    findPrice(prices, where, 'STORAGE', storageClass, 'UNKNOWN', atMillis) ?? findPrice(prices, where, 'STORAGE', storageClass, 'ON_DEMAND', atMillis);
  if (price === null || price.storageGibMonthUsd === null) return { gibMonthUsd: DEFAULT_PRICES.storageGibMonthUsd, source: 'default' };
  return { gibMonthUsd: Math.max(0, price.storageGibMonthUsd), source: price.source };
}

/**
 * The advice for one claim at event time `nowMillis`, or null when there is
 * none: a claim that exists (not deleted) and that no running pod has
 * mounted for at least the threshold. Unmounted since the end of the last
 * pod that mounted it, or since the claim's creation if no pod kcost saw ever
 * ran with it (NEVER_MOUNTED). Deleting it saves its whole cost: price per
 * GiB-month × size, the 730-hour month the processor prices volumes by.
 *
 * Confidence is 0.5 at the threshold and rises linearly to 1 at twice the
 * threshold. Risk: deleting a claim deletes its data (with the Delete
 * reclaim policy), so MEDIUM when a pod ever ran with it mounted (it may hold
 * data someone wants back), LOW when none ever did.
 */
export function orphanedVolumeOf(usage: ClaimUsage, nowMillis: number, options: OrphanedVolumeOptions, price: StoragePrice): Recommendation | null {
  const { claim } = usage;
  if (claim.deletedAt !== null || usage.mountedNow) return null;
  const unmountedSince = usage.lastMount ? Math.max(usage.lastMount.at, claim.createdAt) : claim.createdAt;
  const unmountedFor = nowMillis - unmountedSince;
  if (!(unmountedFor >= options.unmountedForMillis)) return null;
  const bytes = Math.max(0, pricedBytesOf(usage));
  const monthly = (price.gibMonthUsd * bytes) / GIB;
  const namespace = claim.namespace ?? '';
  const threshold = options.unmountedForMillis;
  const confidence = threshold > 0 ? Math.min(1, 0.5 + (0.5 * (unmountedFor - threshold)) / threshold) : 1;
  return {
    ...NO_DETAILS,
    kind: 'ORPHANED_VOLUME',
    key: orphanedVolumeKey(claim.cluster, namespace, claim.name),
    cluster: claim.cluster,
    generatedAt: nowMillis,
    confidence,
    risk: usage.lastMount ? 'MEDIUM' : 'LOW',
    reasons: usage.lastMount ? ['UNMOUNTED'] : ['UNMOUNTED', 'NEVER_MOUNTED'],
    strategy: { name: 'orphaned-volume', parameters: { unmountedForHours: threshold / HOUR, hoursPerMonth: HOURS_PER_MONTH } },
    saving: { currentMonthlyUsd: monthly, recommendedMonthlyUsd: 0, monthlySavingsUsd: monthly, priceSources: [price.source] },
    orphanedVolume: {
      target: { cluster: claim.cluster, namespace, claimName: claim.name, persistentVolume: usage.volume?.name ?? claim.claim.volumeName },
      storageClass: storageClassOf(usage),
      phase: claim.claim.phase,
      capacityBytes: Math.round(bytes),
      storageGibMonthUsd: price.gibMonthUsd,
      unmountedSince,
      lastMountedAt: usage.lastMount?.at ?? null,
      lastMountedBy: usage.lastMount?.pod ?? null,
    },
  };
}
