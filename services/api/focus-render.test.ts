import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { FOCUS_COLUMNS, type FocusRow } from './focus-columns.js';
import { compileFocusQuery } from './focus-query.js';
import { focusCsvPieces, focusParquet } from './focus-render.js';
import { idleFocusRow } from './focus-rows.js';

async function* rowsOf(rows: readonly FocusRow[]): AsyncGenerator<FocusRow> {
  yield* rows;
}
async function text(pieces: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const piece of pieces) all += piece;
  return all;
}
const arrayBufferOf = (buffer: Buffer) => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;

const query = compileFocusQuery({ window: '2026-03-01T00:00:00Z,2026-03-02T00:00:00Z' }, Date.parse('2026-03-04T00:00:00Z'));
const idle = idleFocusRow(query, 86_400_000, {
  bucket: '2026-03-01T00:00:00Z', cluster: 'c1', node_name: 'n1', instance_type: 'm5.large', capacity_type: 'ON_DEMAND',
  cpu_idle_cost_usd: 3e-7, memory_idle_cost_usd: 0, gpu_idle_cost_usd: 0, seconds: 86_400, price_sources: 'aws-pricing',
});

describe('an export with no rows', () => {
  it('is a CSV header alone and a Parquet file of the full schema with no rows', async () => {
    expect(parseCsv(await text(focusCsvPieces(rowsOf([]))))).toEqual([FOCUS_COLUMNS.map((c) => c.name)]);
    const file = arrayBufferOf(await focusParquet(rowsOf([])));
    expect(Number(parquetMetadata(file).num_rows)).toBe(0);
    expect(parquetMetadata(file).schema.slice(1).map((s) => s.name)).toEqual(FOCUS_COLUMNS.map((c) => c.name));
  });
});

describe('one idle row', () => {
  it('in CSV: plain decimals, second-precision UTC dates, empty fields for null', async () => {
    const [, line = []] = parseCsv(await text(focusCsvPieces(rowsOf([idle]))));
    const cell = (name: string) => line[FOCUS_COLUMNS.findIndex((c) => c.name === name)];
    expect([cell('EffectiveCost'), cell('ChargePeriodStart'), cell('ChargeClass'), cell('x_KcostIdle'), cell('PricingCategory')]).toEqual(['0.0000003', '2026-03-01T00:00:00Z', '', 'true', 'Standard']);
  });

  it('in Parquet: reads back with the same values', async () => {
    const [object] = (await parquetReadObjects({ file: arrayBufferOf(await focusParquet(rowsOf([idle]))) })) as Array<Record<string, unknown>>;
    expect(object).toMatchObject({ EffectiveCost: 3e-7, ChargePeriodStart: new Date('2026-03-01T00:00:00Z'), ChargeClass: null, x_KcostIdle: true, Tags: { 'kcost.io/cluster': 'c1', 'kcost.io/node': 'n1' } });
  });
});
