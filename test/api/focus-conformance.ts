import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseCsv } from '../../services/api/csv.js';

// The checks a FOCUS 1.2 consumer relies on, against the spec's column
// definitions (test/fixtures/focus), for every export test (list and
// reconciled basis).

export interface SpecColumn {
  id: string;
  featureLevel: 'Mandatory' | 'Recommended' | 'Conditional';
  dataType: 'String' | 'Decimal' | 'Date/Time' | 'JSON';
  allowsNulls?: boolean;
  allowedValues?: string[];
  allowedValuesByCategory?: Record<string, string[]>;
  notNullForUsageOrPurchase?: boolean;
}
export const SPEC = JSON.parse(readFileSync(new URL('../fixtures/focus/focus-1.2-columns.json', import.meta.url), 'utf8')) as { focusVersion: string; columns: SpecColumn[] };
export const SPEC_BY_ID = new Map(SPEC.columns.map((c) => [c.id, c]));

export type CsvTable = { header: string[]; rows: Array<Record<string, string>> };
export function table(text: string): CsvTable {
  const [header = [], ...lines] = parseCsv(text);
  return { header, rows: lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']))) };
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** Every check a FOCUS 1.2 consumer relies on, against the spec's column definitions. */
export function expectFocusConformant({ header, rows }: CsvTable): void {
  for (const column of SPEC.columns.filter((c) => c.featureLevel === 'Mandatory')) expect(header, `mandatory ${column.id}`).toContain(column.id);
  expect(new Set(header).size).toBe(header.length);
  for (const name of header) {
    if (!SPEC_BY_ID.has(name)) expect(name, 'a column FOCUS does not define must be x_-prefixed').toMatch(/^x_[A-Z][A-Za-z0-9]*$/);
  }
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    for (const name of header) {
      const spec = SPEC_BY_ID.get(name);
      const value = row[name] ?? '';
      if (!spec) continue;
      if (value === '') {
        expect(spec.allowsNulls, `${name} is null in ${JSON.stringify(row)}`).toBe(true);
        continue;
      }
      if (spec.dataType === 'Decimal') expect(value, name).toMatch(PLAIN_DECIMAL);
      if (spec.dataType === 'Date/Time') expect(value, name).toMatch(DATE_TIME);
      if (spec.dataType === 'JSON') expectKeyValueFormat(value, name);
      if (spec.allowedValues) expect(spec.allowedValues, name).toContain(value);
    }
    expect(SPEC_BY_ID.get('ServiceSubcategory')?.allowedValuesByCategory?.[row.ServiceCategory ?? '']).toContain(row.ServiceSubcategory);
    // Usage rows that correct nothing must say what was priced, in which unit and how.
    if (['Usage', 'Purchase'].includes(row.ChargeCategory ?? '') && row.ChargeClass !== 'Correction') {
      for (const name of header) if (SPEC_BY_ID.get(name)?.notNullForUsageOrPurchase) expect(row[name], `${name} of a usage row`).not.toBe('');
    }
    expect(row.BillingCurrency).toMatch(/^[A-Z]{3}$/);
    expect(Date.parse(row.ChargePeriodStart ?? '')).toBeLessThan(Date.parse(row.ChargePeriodEnd ?? ''));
    expect(Date.parse(row.BillingPeriodStart ?? '')).toBeLessThanOrEqual(Date.parse(row.ChargePeriodStart ?? ''));
    expect(Date.parse(row.ChargePeriodEnd ?? '')).toBeLessThanOrEqual(Date.parse(row.BillingPeriodEnd ?? ''));
    if (row.ChargeCategory !== 'Purchase') expect(['Usage-Based', 'One-Time', 'Recurring']).toContain(row.ChargeFrequency);
  }
}

function expectKeyValueFormat(text: string, name: string): void {
  const value = JSON.parse(text) as unknown;
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), `${name} is a JSON object`).toBe(true);
  for (const [key, v] of Object.entries(value as object)) {
    expect(['string', 'number', 'boolean'].includes(typeof v) || v === null, `${name}.${key} is a scalar`).toBe(true);
    // kcost's tags are provider-defined: FOCUS requires a provider prefix on them.
    expect(key).toMatch(/^kcost\.io\//);
  }
}

