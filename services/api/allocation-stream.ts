import { allocationCsv } from './allocation-csv.js';
import type { AllocationQuery } from './allocation-params.js';
import type { AllocationPlan } from './allocation-planner.js';
import { applyIdle, toIdle, toRow, COST_FIELDS, type AllocationRow, type DbRow, type IdleGroup } from './allocation-rows.js';
import { RowReader, type RowCursor } from './row-cursor.js';

/** What the JSON answer says before its rows. */
export type AllocationHead = Readonly<Record<string, unknown>>;

/**
 * The answer of /v1/allocation, rendered bucket by bucket as the rows are
 * read. Both statements order their rows by bucket first, so one bucket's
 * rows and idle arrive together: idle is applied to them (sharing is per
 * bucket anyway) and they are sorted and written out before the next bucket
 * is read. What is held at once is one bucket's rows, not the answer; with
 * step=none the whole window is one bucket. The JSON totals come after the
 * rows, summed as they pass.
 */
export async function* allocationPieces(query: AllocationQuery, plan: AllocationPlan, head: AllocationHead, rows: RowCursor, idle: RowCursor | undefined): AsyncGenerator<string> {
  const totals = Object.fromEntries(COST_FIELDS.map((f) => [f, 0])) as Record<(typeof COST_FIELDS)[number], number>;
  let first = true;
  const csv = query.format === 'csv' ? allocationCsv(query, plan) : undefined;
  if (csv) yield csv.header;
  else {
    const open = JSON.stringify(head);
    yield `${open.slice(0, -1)},"rows":[`;
  }
  for await (const bucket of buckets(query, plan, rows, idle)) {
    for (const row of bucket) {
      for (const field of COST_FIELDS) totals[field] += row[field];
      if (csv) yield csv.line(row);
      else {
        yield first ? JSON.stringify(row) : `,${JSON.stringify(row)}`;
        first = false;
      }
    }
  }
  if (!csv) yield `],"totals":${JSON.stringify(totals)}}`;
}

async function* buckets(query: AllocationQuery, plan: AllocationPlan, rows: RowCursor, idle: RowCursor | undefined): AsyncGenerator<AllocationRow[]> {
  const pods = new RowReader(rows);
  const idles = idle ? new RowReader(idle) : undefined;
  const bucketOf = (row: DbRow) => (plan.stepMillis > 0 ? new Date(row.bucket as Date | string).getTime() : 0);
  for (;;) {
    const nextPod = await pods.peek();
    const nextIdle = await idles?.peek();
    if (nextPod === undefined && nextIdle === undefined) return;
    const bucket = Math.min(nextPod ? bucketOf(nextPod) : Infinity, nextIdle ? bucketOf(nextIdle) : Infinity);
    const members: AllocationRow[] = [];
    for (let row = nextPod; row !== undefined && bucketOf(row) === bucket; row = await pods.peek()) {
      members.push(toRow(query, plan, row));
      pods.take();
    }
    const groups: IdleGroup[] = [];
    for (let row = nextIdle; idles && row !== undefined && bucketOf(row) === bucket; row = await idles.peek()) {
      groups.push(toIdle(query, plan, row));
      idles.take();
    }
    yield applyIdle(query, plan, members, groups);
  }
}
