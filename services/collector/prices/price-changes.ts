import type { PriceUpdate } from '../../codec/records.generated.js';
import { priceSeriesKey } from '../../kafka/topics.js';

/** The fields that make two prices the same price (observedAt and sourceRef do not). */
function signature(p: PriceUpdate): string {
  return JSON.stringify([p.hourlyUsd, p.cpuCoreHourUsd, p.memoryGibHourUsd, p.gpuHourUsd, p.storageGibMonthUsd, p.networkGibUsd, p.discount, p.source]);
}

/** What was last published per price series (priceSeriesKey). */
export type PublishedPrices = ReadonlyMap<string, PriceUpdate>;

/**
 * Picks the prices worth publishing from one fetch: per key, in effectiveFrom
 * order, a price is new when nothing was published for its key, when it
 * takes effect later than the last published one with a different value, or
 * when its value changed with no new effective time (it then takes effect
 * when observed, so history already priced is not rewritten). History points
 * older than the last published one were published before and are skipped.
 * Returns the prices to publish and the map as it will be once they are.
 */
export function selectChanges(fetched: readonly PriceUpdate[], published: PublishedPrices): { changes: PriceUpdate[]; next: Map<string, PriceUpdate> } {
  const next = new Map(published);
  const changes: PriceUpdate[] = [];
  const ordered = [...fetched].sort((a, b) => a.effectiveFrom - b.effectiveFrom);
  for (const price of ordered) {
    const key = priceSeriesKey(price);
    const last = next.get(key);
    let change: PriceUpdate | null = null;
    if (!last) change = price;
    else if (signature(last) === signature(price)) change = null;
    else if (price.effectiveFrom > last.effectiveFrom) change = price;
    else if (price.effectiveFrom === last.effectiveFrom) change = { ...price, effectiveFrom: Math.max(price.observedAt, last.effectiveFrom + 1) };
    if (change) {
      changes.push(change);
      next.set(key, change);
    }
  }
  return { changes, next };
}
