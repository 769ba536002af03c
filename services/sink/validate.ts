import type { RecordTypes, SchemaName } from '../codec/records.generated.js';
import type { ColumnSpec, TableSpec } from './tables.js';

// PostgreSQL and the ISO-8601 form used in COPY both cover years 1..9999 comfortably.
const MIN_TIME_MILLIS = Date.UTC(1, 0, 1);
const MAX_TIME_MILLIS = Date.UTC(9999, 11, 31);
const INT4_MAX = 2_147_483_647;

/**
 * Checks a decoded record against what its table accepts, before any COPY:
 * numbers finite, integers in int4 range, timestamps in range, a non-empty
 * cluster (or provider, or key), positive window lengths, and the table's
 * own check. Returns the reason it is
 * rejected, or undefined when it can be loaded. Errors the database alone
 * can find (a NUL byte in a string) are isolated by the writer instead.
 */
export function rejectionReason<N extends SchemaName>(spec: TableSpec<N>, record: RecordTypes[N]): string | undefined {
  for (const column of spec.columns) {
    const value = column.get(record);
    if (value === null || value === undefined) {
      if (column.nullable) continue;
      return `${column.name} is missing`;
    }
    switch (column.kind) {
      case 'float8':
        if (typeof value !== 'number' || !Number.isFinite(value)) return `${column.name} is not a finite number: ${show(value)}`;
        break;
      case 'int4':
        if (!Number.isInteger(value) || Math.abs(value as number) > INT4_MAX) return `${column.name} is not a 32-bit integer: ${show(value)}`;
        break;
      case 'int8':
        if (!Number.isSafeInteger(value)) return `${column.name} is not a whole number: ${show(value)}`;
        break;
      case 'timestamptz':
        if (!Number.isInteger(value) || (value as number) < MIN_TIME_MILLIS || (value as number) > MAX_TIME_MILLIS) {
          return `${column.name} is not a timestamp between years 1 and 9999: ${show(value)}`;
        }
        break;
      default:
        break;
    }
  }
  const key = spec.columns[0] as ColumnSpec<RecordTypes[N]>;
  if (key.get(record) === '') return `${key.name} is empty`;
  const windowSeconds = spec.columns.find((c) => c.name === 'window_seconds')?.get(record);
  if (typeof windowSeconds === 'number' && windowSeconds <= 0) return `window_seconds must be positive, got ${windowSeconds}`;
  return spec.check?.(record);
}

function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}
