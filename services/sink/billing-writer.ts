import type pg from 'pg';
import type { BillingLine } from '../codec/records.generated.js';
import { copyRows } from '../db/copy-rows.js';
import { billingLineKey } from '../kafka/topics.js';
import { BILLING_LINE_TABLE } from './billing-table.js';
import { columnNames, encodeRow } from './tables.js';

const COLUMNS = columnNames(BILLING_LINE_TABLE);
const STAGING = 'kcost_billing_line_incoming';

const UPSERT = `INSERT INTO billing_line (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.join(', ')} FROM ${STAGING}
  ON CONFLICT (key) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'key')
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ')}`;

/** A record of kcost.billing.v1 in offset order: a line, or a tombstone (value null) retiring its key. */
export interface BillingEvent {
  readonly key: string | null;
  readonly value: BillingLine | null;
}

/**
 * What a batch leaves per key: the last event in offset order wins (the
 * topic is compacted on the same key, so the table ends as the topic does).
 * null means the key is deleted.
 */
export function planBillingLines(events: readonly BillingEvent[]): Map<string, BillingLine | null> {
  const outcome = new Map<string, BillingLine | null>();
  for (const event of events) {
    const key = event.value === null ? event.key : billingLineKey(event.value);
    if (key === null) continue; // a tombstone without a key names no line
    outcome.set(key, event.value);
  }
  return outcome;
}

/**
 * Applies billing events inside the caller's transaction: one DELETE for the
 * keys whose last event is a tombstone, one COPY into a staging table and
 * one upsert for the others.
 */
export async function applyBillingLines(client: pg.ClientBase, events: readonly BillingEvent[]): Promise<void> {
  const plan = planBillingLines(events);
  const deleted = [...plan].filter(([, line]) => line === null).map(([key]) => key);
  if (deleted.length > 0) await client.query('DELETE FROM billing_line WHERE key = ANY($1::text[])', [deleted]);
  const stored = [...plan.values()].filter((line): line is BillingLine => line !== null);
  if (stored.length === 0) return;
  await client.query(`CREATE TEMP TABLE ${STAGING} (LIKE billing_line) ON COMMIT DROP`);
  await copyRows(client, STAGING, COLUMNS, stored.map((line) => encodeRow(BILLING_LINE_TABLE, line)));
  await client.query(UPSERT);
  await client.query(`DROP TABLE ${STAGING}`);
}
