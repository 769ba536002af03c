import { describe, expect, it } from 'vitest';
import { currentSchemas } from '../codec/records.generated.js';
import { podCost } from '../../test/fixtures/storage/records.js';
import { columnNames, encodeRow, TABLES_BY_SCHEMA } from './tables.js';

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('raw table columns', () => {
  it.each(Object.values(TABLES_BY_SCHEMA))('$table has one column per $schema field, in snake_case and in order', (spec) => {
    const fields = (currentSchemas[spec.schema] as { fields: Array<{ name: string }> }).fields.map((f) => snake(f.name));
    expect(spec.columns.map((c) => c.name)).toEqual(fields);
  });

  it('encodes a record as one tab-separated COPY line', () => {
    const line = encodeRow(TABLES_BY_SCHEMA.PodCost, podCost({ flags: ['SCALED'], priceEffectiveFrom: null }));
    const fields = line.slice(0, -1).split('\t');
    expect(line.endsWith('\n')).toBe(true);
    expect(fields).toHaveLength(columnNames(TABLES_BY_SCHEMA.PodCost).length);
    expect(fields[8]).toBe('{"app":"checkout","team":"payments"}');
    expect(fields[9]).toBe('2026-11-22T10:00:00.000Z');
    expect(fields.slice(-3)).toEqual(['\\N', '{"SCALED"}', '[{"persistentVolume":"pvc-3c1d7e52","claim":"cache","storageClass":"gp3","capacityBytes":1073741824,"costUsd":0.0000012}]']);
  });
});
