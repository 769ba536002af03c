import type { NodeObject } from './cluster-state.js';
import { GIB } from './default-prices.js';
import type { PriceHistory } from './price-history.js';

/**
 * Egress cost of a window where the collector measured it: bytes sent ×
 * the NETWORK price per GiB in effect at the window's start for the node's
 * provider and region. Unmeasured traffic (null) and regions without a
 * network price cost nothing rather than a guess.
 */
export function networkCostUsd(prices: PriceHistory, node: NodeObject | undefined, txBytes: number | null, windowStart: number): number {
  if (txBytes === null || !(txBytes > 0) || !node) return 0;
  const { provider, region } = node.node;
  for (const sku of prices.networkSkusOf(provider, region)) {
    for (const capacityType of ['UNKNOWN', 'ON_DEMAND'] as const) {
      const price = prices.at({ provider, region, zone: null, kind: 'NETWORK', sku, capacityType }, windowStart);
      if (price?.networkGibUsd != null) return Math.max(0, price.networkGibUsd) * (txBytes / GIB);
    }
  }
  return 0;
}
