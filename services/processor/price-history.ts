import type { CapacityType, PriceKind, PriceUpdate } from '../codec/records.generated.js';

/** Identifies one price series: what the price is for, where, and how it is bought. */
export interface SeriesRef {
  readonly provider: string;
  readonly region: string;
  readonly zone: string | null;
  readonly kind: PriceKind;
  readonly sku: string;
  readonly capacityType: CapacityType;
}

/** Key of one series; zone-specific and region-wide prices are distinct series. */
export function seriesKey(ref: SeriesRef): string {
  return `${ref.provider}/${ref.region}/${ref.zone ?? ''}/${ref.kind}/${ref.sku}/${ref.capacityType}`;
}

/**
 * Time-ordered price history per series. A window is priced with the price
 * in effect at its start: the last update whose effectiveFrom is at or before
 * that instant, never simply the latest one received.
 */
export class PriceHistory {
  private readonly series = new Map<string, PriceUpdate[]>();
  private readonly networkSkus = new Map<string, string[]>();

  /** Adds an update; a second update for the same series and effectiveFrom replaces the first. */
  add(update: PriceUpdate): void {
    const key = seriesKey(update);
    let list = this.series.get(key);
    if (!list) {
      list = [];
      this.series.set(key, list);
      if (update.kind === 'NETWORK') this.indexNetwork(update);
    }
    const at = upperBound(list, update.effectiveFrom);
    const previous = list[at - 1];
    if (previous && previous.effectiveFrom === update.effectiveFrom) list[at - 1] = update;
    else list.splice(at, 0, update);
  }

  /** The update of the series in effect at `atMillis`, or null when none had taken effect yet. */
  at(ref: SeriesRef, atMillis: number): PriceUpdate | null {
    const list = this.series.get(seriesKey(ref));
    if (!list) return null;
    return list[upperBound(list, atMillis) - 1] ?? null;
  }

  /** Network price skus known for a provider and region, in name order (network prices have no instance type to match). */
  networkSkusOf(provider: string, region: string): readonly string[] {
    return this.networkSkus.get(`${provider}/${region}`) ?? [];
  }

  get size(): number {
    let n = 0;
    for (const list of this.series.values()) n += list.length;
    return n;
  }

  private indexNetwork(update: PriceUpdate): void {
    const key = `${update.provider}/${update.region}`;
    const skus = this.networkSkus.get(key) ?? [];
    if (!skus.includes(update.sku)) skus.push(update.sku);
    skus.sort();
    this.networkSkus.set(key, skus);
  }
}

/** Index of the first update whose effectiveFrom is after `t` (binary search; the list is sorted). */
function upperBound(list: readonly PriceUpdate[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as PriceUpdate).effectiveFrom <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
