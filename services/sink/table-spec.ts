import type { RecordTypes, SchemaName } from '../codec/records.generated.js';
import type { ColumnKind } from '../db/copy-text.js';

/** One column of a raw table and how it is read from the record. */
export interface ColumnSpec<T> {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly nullable?: boolean;
  readonly get: (record: T) => unknown;
}

/** A raw table the sink loads, fed by one record schema. */
export interface TableSpec<N extends SchemaName = SchemaName> {
  readonly table: string;
  readonly schema: N;
  readonly columns: ReadonlyArray<ColumnSpec<RecordTypes[N]>>;
  /** The time the table is partitioned (chunked) by, in epoch milliseconds; null for a plain keyed table. */
  readonly partitionTime: ((record: RecordTypes[N]) => number) | null;
  /** What the columns alone cannot say is wrong with a record (a reason), or undefined. */
  readonly check?: (record: RecordTypes[N]) => string | undefined;
}

/** A column read from a record; `nullable` columns accept null. */
export const col = <T>(name: string, kind: ColumnKind, get: (record: T) => unknown, nullable = false): ColumnSpec<T> =>
  nullable ? { name, kind, get, nullable } : { name, kind, get };

