/** PostgreSQL column types the COPY encoder writes. */
export type ColumnKind = 'text' | 'float8' | 'int4' | 'int8' | 'timestamptz' | 'jsonb' | 'text[]';

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

// Windows start on whole minutes, so a batch repeats few timestamps: formatting each once saves most of the work.
const isoCache = new Map<number, string>();

function isoTimestamp(millis: number): string {
  let text = isoCache.get(millis);
  if (text === undefined) {
    if (isoCache.size >= 50_000) isoCache.clear();
    text = new Date(millis).toISOString();
    isoCache.set(millis, text);
  }
  return text;
}

/**
 * The COPY text encoder of one column kind, chosen once per column. Numbers
 * use JavaScript's shortest round-trip form, which float8 input reads back to
 * the identical double; timestamps are epoch milliseconds written as ISO-8601
 * UTC; NULL is \\N.
 */
export function fieldEncoder(kind: ColumnKind): (value: unknown) => string {
  const encode = ((): ((value: never) => string) => {
    switch (kind) {
      case 'text':
        return (value: string) => escapeCopyText(value);
      case 'float8':
      case 'int4':
      case 'int8':
        return (value: number) => value.toString();
      case 'timestamptz':
        return isoTimestamp;
      case 'jsonb':
        return (value: unknown) => escapeCopyText(JSON.stringify(value));
      case 'text[]':
        return (value: readonly string[]) => (value.length === 0 ? '{}' : escapeCopyText(textArrayLiteral(value)));
    }
  })();
  return (value) => (value === null || value === undefined ? COPY_NULL : encode(value as never));
}
