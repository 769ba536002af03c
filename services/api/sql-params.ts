import type { FilterClause } from './filter.js';

/** A statement with its bind values: the only form in which the API hands SQL to the database. */
export interface SqlQuery {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * Collects bind values and hands out their placeholders. Every value that
 * came from a request goes through here; only identifiers from the planners'
 * fixed tables are ever written into the statement text.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast = ''): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

/**
 * The SQL condition of one filter clause, given the column expression of its
 * field (a whitelisted identifier or a `labels ->> $n` expression).
 * A missing label counts as the empty value, so `label[app]!:"web"` keeps pods
 * without the label.
 */
export function clauseCondition(clause: FilterClause, column: string, params: SqlParams): string {
  const values = params.add([...clause.values], '::text[]');
  if (!clause.negated) return `${column} = ANY(${values})`;
  return `COALESCE(${column}, '') <> ALL(${values})`;
}

/** The statement's WHERE clause from its conditions (always at least the time range). */
export function whereClause(conditions: readonly string[]): string {
  return `WHERE ${conditions.join(' AND ')}`;
}

/** Bucket expression: the relation's own time column when its grain equals the step, else a date_bin of it. */
export function bucketExpression(timeColumn: string, stepMillis: number, grainMillis: number, params: SqlParams): string {
  if (stepMillis === grainMillis) return timeColumn;
  const interval = params.add(`${stepMillis / 1000} seconds`, '::interval');
  return `date_bin(${interval}, ${timeColumn}, TIMESTAMPTZ '1970-01-01 00:00:00+00')`;
}

/** A database value as text: strings as they are, numbers and booleans printed, NULL as the empty string. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return value === null || value === undefined ? '' : JSON.stringify(value);
}
