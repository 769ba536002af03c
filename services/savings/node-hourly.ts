import type { NodeHour } from './savings-inputs.js';

/**
 * A node's price per hour as the processor priced it this hour, and at
 * on-demand. A node priced for part of the hour (it joined or left) is
 * scaled to a whole hour, so nodes compare by rate, not by how long they ran.
 */
export function nodeHourly(node: NodeHour): { costUsd: number; onDemandUsd: number } {
  if (node.pricedSeconds <= 0) return { costUsd: 0, onDemandUsd: 0 };
  return { costUsd: (node.costUsd * 3600) / node.pricedSeconds, onDemandUsd: (node.onDemandCostUsd * 3600) / node.pricedSeconds };
}
