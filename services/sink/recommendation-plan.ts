import type { Recommendation } from '../codec/records.generated.js';

/** A record of kcost.recommendations.v1 in offset order: a version, or a tombstone (value null) retiring its key. */
export interface RecommendationEvent {
  readonly key: string | null;
  readonly value: Recommendation | null;
}

/**
 * What one batch does to a key of the recommendation table:
 * - `delete`: the key is gone after the batch (its last event is a tombstone);
 * - `replace`: a tombstone came first, so the stored row no longer counts and `record` is stored whatever it held;
 * - `upsert`: `record` replaces the stored row unless the stored row is newer.
 */
export type LatestOutcome =
  | { readonly action: 'delete' }
  | { readonly action: 'replace'; readonly record: Recommendation }
  | { readonly action: 'upsert'; readonly record: Recommendation };

/**
 * Folds a batch's events per key into one outcome, so the batch is one DELETE
 * and one upsert however many versions it holds, with the same result as
 * applying the events one by one: a version replaces the current row when its
 * generatedAt is not older (a tie goes to the later offset), a tombstone
 * deletes the key. Versions after a tombstone no longer compete with the
 * stored row, hence `replace`.
 */
export function planLatest(events: readonly RecommendationEvent[]): Map<string, LatestOutcome> {
  const outcomes = new Map<string, LatestOutcome>();
  for (const event of events) {
    const key = event.value?.key ?? event.key;
    if (key === null) continue; // a tombstone without a key names nothing to retire
    const previous = outcomes.get(key);
    if (event.value === null) {
      outcomes.set(key, { action: 'delete' });
    } else if (previous === undefined) {
      outcomes.set(key, { action: 'upsert', record: event.value });
    } else if (previous.action === 'delete') {
      outcomes.set(key, { action: 'replace', record: event.value });
    } else if (event.value.generatedAt >= previous.record.generatedAt) {
      outcomes.set(key, { action: previous.action, record: event.value });
    }
  }
  return outcomes;
}

/** Why a version cannot be stored under its Kafka key (compaction would keep it under another key than the table), or undefined. */
export function keyMismatch(kafkaKey: string | null, record: Recommendation): string | undefined {
  if (kafkaKey === null || kafkaKey === record.key) return undefined;
  return `the Kafka key ${JSON.stringify(kafkaKey)} is not the record's key ${JSON.stringify(record.key)}`;
}
