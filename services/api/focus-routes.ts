// GET /v1/focus: kcost's allocations as FOCUS 1.2 rows. Registered by app.ts
// with the admission, cursor and streaming helpers every database route shares.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { Logger } from '../log/logger.js';
import type { FocusRow } from './focus-columns.js';
import { compileFocusQuery, exportsIdle, planFocus, type FocusParams, type FocusPlan, type FocusQuery } from './focus-query.js';
import { planReconciledFocus } from './focus-reconciled-query.js';
import { reconciledFocusRow } from './focus-reconciled-rows.js';
import { focusCsvPieces, focusParquet } from './focus-render.js';
import { allocationFocusRow, idleFocusRow } from './focus-rows.js';
import { FOCUS_SCHEMA } from './focus-schemas.js';
import type { Lane } from './query-gate.js';
import { laneOf } from './query-lane.js';
import { RowReader, type RowCursor } from './row-cursor.js';
import type { Scope } from './scope.js';
import type { SqlQuery } from './sql-params.js';
import { DAY_MILLIS, HOUR_MILLIS } from './time-window.js';

/** What the FOCUS route needs from app.ts. */
export interface FocusRouteContext {
  readonly admit: (request: FastifyRequest, reply: FastifyReply, lane: Lane) => Promise<void>;
  readonly cursorsOf: (statements: ReadonlyArray<{ query: SqlQuery; parameter: string }>) => Promise<RowCursor[]>;
  /** Streams CSV pieces and closes the cursors once written or once the client has gone. */
  readonly sendCsv: (reply: FastifyReply, pieces: AsyncIterable<string>, cursors: readonly RowCursor[]) => FastifyReply;
  readonly clock: () => number;
  readonly maxRows: number;
  readonly scopeOf: (request: FastifyRequest) => Scope;
}

export function registerFocusRoutes(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>, context: FocusRouteContext): void {
  app.get<{ Querystring: FocusParams }>('/v1/focus', { schema: FOCUS_SCHEMA }, async (request, reply) => {
    const query = compileFocusQuery(request.query, context.clock());
    const scope = context.scopeOf(request);
    let cursors: RowCursor[];
    let rows: AsyncGenerator<FocusRow>;
    if (query.costBasis === 'reconciled') {
      const statement = planReconciledFocus(query, context.maxRows, scope, exportsIdle(query, scope));
      await context.admit(request, reply, laneOf(query.window, DAY_MILLIS));
      cursors = await context.cursorsOf([{ query: statement, parameter: 'window' }]);
      rows = reconciledRows(query, cursors[0] as RowCursor);
    } else {
      const plan = planFocus(query, context.maxRows, scope);
      await context.admit(request, reply, laneOf(query.window, plan.pods.grainMillis));
      cursors = await context.cursorsOf([{ query: plan.pods.query, parameter: 'window' }, ...(plan.idle ? [{ query: plan.idle.query, parameter: 'idle' }] : [])]);
      rows = focusRows(query, plan, cursors[0] as RowCursor, cursors[1]);
    }
    if (query.format === 'csv') return context.sendCsv(reply, focusCsvPieces(rows), cursors);
    let body: Buffer;
    try {
      body = await focusParquet(rows);
    } finally {
      await Promise.all(cursors.map((c) => c.close()));
    }
    return reply.type('application/vnd.apache.parquet').header('content-disposition', 'attachment; filename="kcost-focus.parquet"').send(body);
  });
}

/** The reconciled export's rows: allocation, external, then idle, as its one statement orders them. */
async function* reconciledRows(query: FocusQuery, cursor: RowCursor): AsyncGenerator<FocusRow> {
  const reader = new RowReader(cursor);
  for (let row = await reader.peek(); row !== undefined; row = await reader.peek()) {
    reader.take();
    yield reconciledFocusRow(query, row);
  }
}

/** The export's rows: the allocation rows, then the idle rows, as the cursors give them. */
async function* focusRows(query: FocusQuery, plan: FocusPlan, pods: RowCursor, idle: RowCursor | undefined): AsyncGenerator<FocusRow> {
  const podReader = new RowReader(pods);
  for (let row = await podReader.peek(); row !== undefined; row = await podReader.peek()) {
    podReader.take();
    yield allocationFocusRow(query, plan.allocation, plan.pods, row);
  }
  if (!idle) return;
  const stepMillis = query.step === '1h' ? HOUR_MILLIS : DAY_MILLIS;
  const idleReader = new RowReader(idle);
  for (let row = await idleReader.peek(); row !== undefined; row = await idleReader.peek()) {
    idleReader.take();
    yield idleFocusRow(query, stepMillis, row);
  }
}
