/**
 * Reading one cell of a billing row. CSV gives text, Parquet gives typed
 * values (numbers, bigints, Dates, maps as objects); both end as the same
 * plain values here. A value that cannot be read throws a RowError naming
 * the column and the value, so the row is dead-lettered with that reason.
 */

/** A row that cannot become a BillingLine, and why. */
export class RowError extends Error {
  override readonly name = 'RowError';
}

export type Cells = Readonly<Record<string, unknown>>;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
// ISO 8601 date or date-time as FOCUS (Date/Time Format) and CUR 2.0 write them; no zone means UTC.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The cell as text; null when absent or empty. */
export function text(cells: Cells, column: string): string | null {
  const value = cells[column];
  if (value === undefined || value === null) return null;
  const trimmed = (value instanceof Date ? value.toISOString() : scalarText(value)).trim();
  return trimmed === '' ? null : trimmed;
}

export function requiredText(cells: Cells, column: string): string {
  const value = text(cells, column);
  if (value === null) throw new RowError(`${column} is empty`);
  return value;
}

/** The cell as a finite number; null when absent or empty. */
export function number(cells: Cells, column: string): number | null {
  const value = cells[column];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RowError(`${column} is not a finite number: ${value}`);
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  const s = scalarText(value).trim();
  if (s === '') return null;
  if (!NUMBER.test(s)) throw new RowError(`${column} is not a number: ${JSON.stringify(s)}`);
  return Number(s);
}

export function requiredNumber(cells: Cells, column: string): number {
  const value = number(cells, column);
  if (value === null) throw new RowError(`${column} is empty`);
  return value;
}

/** The cell as epoch milliseconds; null when absent or empty. */
export function time(cells: Cells, column: string): number | null {
  const value = cells[column];
  if (value === undefined || value === null || value === '') return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RowError(`${column} is not a date`);
    return value.getTime();
  }
  const s = scalarText(value).trim();
  if (s === '') return null;
  const match = DATE_TIME.exec(s);
  const millis = match ? Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4] ?? '00'}:${match[5] ?? '00'}:${match[6] ?? '00'}${match[7] ?? ''}${zoneOf(match[8])}`) : Number.NaN;
  // Date.parse accepts 2024-02-31 as March 2nd on some engines; a round trip of the date part catches it.
  if (!match || Number.isNaN(millis) || !sameCalendarDay(match, millis)) throw new RowError(`${column} is not a date: ${JSON.stringify(s)}`);
  return millis;
}

export function requiredTime(cells: Cells, column: string): number {
  const value = time(cells, column);
  if (value === null) throw new RowError(`${column} is empty`);
  return value;
}

/**
 * A map cell (FOCUS Tags, CUR 2.0 resource_tags): a JSON object in CSV, an
 * object or a list of key/value pairs in Parquet. Values become text.
 */
export function stringMap(cells: Cells, column: string): Record<string, string> {
  let value = cells[column];
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'string') {
    const json = value;
    try {
      value = JSON.parse(json) as unknown;
    } catch {
      throw new RowError(`${column} is not a JSON object: ${JSON.stringify(json.slice(0, 80))}`);
    }
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((pair: unknown) => {
        const p = pair as { key?: unknown; value?: unknown };
        return [String(p.key), p.value];
      })
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : [];
  if (entries.length === 0 && (value === null || typeof value !== 'object')) throw new RowError(`${column} is not a map: ${JSON.stringify(value)}`);
  const out: Record<string, string> = {};
  for (const [key, v] of entries) if (v !== null && v !== undefined) out[key] = scalarText(v);
  return out;
}

/** A cell as text: strings as they are, other scalars as JavaScript prints them, anything else as JSON. */
function scalarText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return value.toString();
    default:
      return JSON.stringify(value) ?? '';
  }
}

function zoneOf(zone: string | undefined): string {
  if (zone === undefined) return 'Z';
  return zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

function sameCalendarDay(match: RegExpExecArray, millis: number): boolean {
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(Number(match[1]), month, 0)).getUTCDate();
  return day <= daysInMonth && Number(match[4] ?? 0) < 24 && Number(match[5] ?? 0) < 60 && Number(match[6] ?? 0) < 60 && Number.isFinite(millis);
}
