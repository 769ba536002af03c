import type { Admin } from 'kafkajs';
import { utcDay } from './namespace-costs.js';

/**
 * Where a new exporter starts reading: `today` (the start of the current UTC
 * day, so kube_cost_namespace_daily_usd is complete once it caught up),
 * `latest` (only new records: fastest start, the daily sums then count from
 * the exporter's start), or a number of milliseconds back from now.
 */
export type ReplayFrom = 'today' | 'latest' | { readonly millisBack: number };

/**
 * Records of a window are produced after the window starts; this much before
 * the day's start (by broker timestamp) also covers a broker clock running
 * behind the processor's.
 */
export const CLOCK_SKEW_MARGIN_MILLIS = 5 * 60_000;

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

/** The broker timestamp to read from, or null to read only records that arrive from now on. */
export function replayTimestamp(replayFrom: ReplayFrom, nowMillis: number): number | null {
  if (replayFrom === 'latest') return null;
  if (replayFrom === 'today') return utcDay(nowMillis) * 86_400_000 - CLOCK_SKEW_MARGIN_MILLIS;
  return nowMillis - replayFrom.millisBack;
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
