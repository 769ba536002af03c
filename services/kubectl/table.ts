/** A column of a printed table: its header, how to show a row's value, and its alignment. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  readonly align?: 'left' | 'right';
}

/**
 * Renders rows as kubectl does: upper-case headers, columns padded to their
 * widest cell and separated by three spaces, numbers right-aligned.
 */
export function renderTable<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[], footer?: T): string {
  const cells = [columns.map((c) => c.header), ...[...rows, ...(footer ? [footer] : [])].map((row) => columns.map((c) => c.value(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return (
    cells
      .map((line) =>
        line
          .map((cell, i) => (columns[i]?.align === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
          .join('   ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** USD with four decimals: cost of short windows is often below a cent. */
export const usd = (value: number): string => value.toFixed(4);

/** A ratio as a percentage with one decimal, "-" when there is none. */
export const percent = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : `${(value * 100).toFixed(1)}%`);
