import type { Lane } from './query-gate.js';
import type { TimeWindow } from './time-window.js';

/**
 * Buckets of its relation's grain a query may read before it counts as heavy:
 * 12 hours of raw one-minute rows, 30 days of hourly rollups, about two
 * years of daily ones.
 */
export const HEAVY_BUCKETS = 720;
// Raw rows have no grain of their own; a pod is normally priced per minute.
const RAW_ROW_MILLIS = 60_000;

/**
 * The lane of a query over `window` from a relation of `grainMillis` (0 for
 * raw rows). Decided from the plan alone, before any I/O: what the query
 * reads grows with the buckets it spans, whatever the size of the estate.
 */
export function laneOf(window: TimeWindow, grainMillis: number): Lane {
  const buckets = (window.endMillis - window.startMillis) / (grainMillis > 0 ? grainMillis : RAW_ROW_MILLIS);
  return buckets > HEAVY_BUCKETS ? 'heavy' : 'light';
}
