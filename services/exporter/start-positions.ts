import type { Admin } from 'kafkajs';
import { utcDay } from './namespace-costs.js';

/**
 * Where a new exporter starts reading: `today` (the start of the current UTC
 * day, so kube_cost_namespace_daily_usd is complete once it caught up),
 * `latest` (as little as it may: the daily sums then count from a few
 * minutes before its start), or a number of milliseconds back from now.
 */
export type ReplayFrom = 'today' | 'latest' | { readonly millisBack: number };

/**
 * How far the exporter's clock may be off the clocks that stamp records
 * (the processor's, or the broker's): the day's records are read from this
 * much before the day starts, and a window is served only if it has no
 * record from less than this after the replay position.
 */
export const CLOCK_SKEW_MARGIN_MILLIS = 5 * 60_000;

/**
 * A starting exporter reads back at least this far, whatever --replay-from
 * says, so that the windows published around its start are read whole
 * (see servableFrom).
 */
export const MIN_LOOKBACK_MILLIS = 2 * CLOCK_SKEW_MARGIN_MILLIS;

/** Parses the --replay-from setting: today, latest, or a duration such as 6h. */
export function parseReplayFrom(raw: string, parseDuration: (raw: string) => number): ReplayFrom {
  const value = raw.trim();
  if (value === 'today' || value === 'latest') return value;
  try {
    return { millisBack: parseDuration(value) };
  } catch {
    throw new Error('expected today, latest or a duration such as 30m or 6h');
  }
}

/** The broker timestamp to read the cost topics from. */
export function replayTimestamp(replayFrom: ReplayFrom, nowMillis: number): number {
  const wanted = replayFrom === 'latest' ? nowMillis : replayFrom === 'today' ? utcDay(nowMillis) * 86_400_000 - CLOCK_SKEW_MARGIN_MILLIS : nowMillis - replayFrom.millisBack;
  return Math.min(wanted, nowMillis - MIN_LOOKBACK_MILLIS);
}

/**
 * The broker timestamp from which a window counts as read whole: a window
 * with a record stamped earlier may straddle the replay position (a window's
 * records are published together, within moments), so it has records the
 * exporter never read and is never served as a complete window.
 */
export function servableFrom(replayTimestampMillis: number): number {
  return replayTimestampMillis + CLOCK_SKEW_MARGIN_MILLIS;
}

/** Where each partition starts and the end it must reach before the exporter is caught up. */
export interface PartitionStart {
  readonly topic: string;
  readonly partition: number;
  /** Offset to seek to; null to leave the consumer at the latest offset. */
  readonly startOffset: string | null;
  /** High watermark when the exporter started. */
  readonly endOffset: string;
}

/** Looks up, per partition of each topic, the first offset at or after `timestamp` and the current end. */
export async function findStartPositions(admin: Admin, topics: readonly string[], timestamp: number | null): Promise<PartitionStart[]> {
  const starts: PartitionStart[] = [];
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const byTime = timestamp === null ? [] : await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    for (const end of ends) {
      const start = byTime.find((p) => p.partition === end.partition);
      starts.push({ topic, partition: end.partition, startOffset: start?.offset ?? null, endOffset: end.high });
    }
  }
  return starts;
}
