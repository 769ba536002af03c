import { KcostError } from '../errors/kcost-error.js';

/** How the sink treats a database error. */
export type DbErrorKind = 'transient' | 'data' | 'fatal';

// Node-level socket failures carry these codes instead of a SQLSTATE.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Classifies an error thrown by node-postgres. transient: the same statement
 * may succeed later (connection exceptions 08xxx, serialization failures and
 * deadlocks 40xxx, insufficient resources 53xxx, an operator or crash
 * shutdown 57P0x, a database not accepting connections (55000, as after
 * ALTER DATABASE ... ALLOW_CONNECTIONS false), lost sockets); data:
 * the rows are at fault (data exceptions 22xxx, integrity violations 23xxx,
 * program limits 54xxx such as an index row too large for a huge SKU),
 * so the bad record must be isolated; fatal: anything else (a missing table,
 * a syntax error), which no retry or isolation can fix.
 */
export function classifyDbError(error: unknown): DbErrorKind {
  if (error instanceof KcostError) return error.retriable ? 'transient' : 'fatal';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code)) return 'transient';
    if (/^(08|40|53)/.test(code) || code.startsWith('57P') || code === '55000') return 'transient';
    if (/^(22|23|54)/.test(code)) return 'data';
  }
  const message = error instanceof Error ? error.message : '';
  // node-postgres reports a dropped connection without a code.
  if (/Connection terminated|connection is not open|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message)) {
    return 'transient';
  }
  return 'fatal';
}
