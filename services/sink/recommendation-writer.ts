import type pg from 'pg';
import type { Recommendation } from '../codec/records.generated.js';
import { copyRows } from '../db/copy-rows.js';
import { planLatest, type RecommendationEvent } from './recommendation-plan.js';
import { RECOMMENDATION_HISTORY_TABLE, RECOMMENDATION_TABLE } from './recommendation-table.js';
import { columnNames, encodeRow } from './tables.js';

const HISTORY_COLUMNS = columnNames(RECOMMENDATION_HISTORY_TABLE);
const LATEST_COLUMNS = columnNames(RECOMMENDATION_TABLE);
const STAGING = 'kcost_recommendation_incoming';

// The WHERE keeps a stored row that is newer than the incoming one: a late or replayed version never wins.
const UPSERT = `INSERT INTO recommendation (${LATEST_COLUMNS.join(', ')})
  SELECT ${LATEST_COLUMNS.join(', ')} FROM ${STAGING}
  ON CONFLICT (key) DO UPDATE SET ${LATEST_COLUMNS.filter((c) => c !== 'key')
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ')}
  WHERE recommendation.generated_at <= EXCLUDED.generated_at`;

/**
 * Applies recommendation events (versions and tombstones, in offset order)
 * inside the caller's transaction: every version is appended to
 * recommendation_history, and recommendation ends as if the events had been
 * applied one by one (planLatest): one DELETE for the keys a tombstone
 * cleared, one COPY into a staging table and one conditional upsert.
 */
export async function applyRecommendations(client: pg.ClientBase, events: readonly RecommendationEvent[]): Promise<void> {
  const versions = events.flatMap((e) => (e.value === null ? [] : [e.value]));
  if (versions.length > 0) {
    await copyRows(client, RECOMMENDATION_HISTORY_TABLE.table, HISTORY_COLUMNS, versions.map((v) => encodeRow(RECOMMENDATION_HISTORY_TABLE, v)));
  }
  const plan = planLatest(events);
  const cleared = [...plan].filter(([, outcome]) => outcome.action !== 'upsert').map(([key]) => key);
  if (cleared.length > 0) await client.query('DELETE FROM recommendation WHERE key = ANY($1::text[])', [cleared]);
  const stored: Recommendation[] = [];
  for (const outcome of plan.values()) if (outcome.action !== 'delete') stored.push(outcome.record);
  if (stored.length === 0) return;
  // Dropped at commit, and here, so a row-by-row pass can stage again in the same transaction.
  await client.query(`CREATE TEMP TABLE ${STAGING} (LIKE recommendation) ON COMMIT DROP`);
  await copyRows(client, STAGING, LATEST_COLUMNS, stored.map((r) => encodeRow(RECOMMENDATION_TABLE, r)));
  await client.query(UPSERT);
  await client.query(`DROP TABLE ${STAGING}`);
}
