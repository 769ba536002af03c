/** PostgreSQL column types the COPY encoder writes. */
export type ColumnKind = 'text' | 'float8' | 'int4' | 'timestamptz' | 'jsonb' | 'text[]';

/** Marks SQL NULL in COPY text format. */
export const COPY_NULL = '\\N';

/** Escapes a value for COPY text format: backslash, newline, carriage return and tab are special. */
export function escapeCopyText(value: string): string {
  return /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c] ?? c) : value;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A PostgreSQL array literal of strings, every element quoted: `{"a","b \"c\""}`. */
export function textArrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/**
 * Encodes one value as a COPY text field. Numbers use JavaScript's shortest
 * round-trip form, which float8 input reads back to the identical double;
 * timestamps are epoch milliseconds written as ISO-8601 UTC.
 */
export function encodeCopyField(kind: ColumnKind, value: unknown): string {
  if (value === null || value === undefined) return COPY_NULL;
  switch (kind) {
    case 'text':
      return escapeCopyText(value as string);
    case 'float8':
    case 'int4':
      return (value as number).toString();
    case 'timestamptz':
      return new Date(value as number).toISOString();
    case 'jsonb':
      return escapeCopyText(JSON.stringify(value));
    case 'text[]':
      return escapeCopyText(textArrayLiteral(value as readonly string[]));
  }
}
