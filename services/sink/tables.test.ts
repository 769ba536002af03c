import { describe, expect, it } from 'vitest';
import { currentSchemas } from '../codec/records.generated.js';
import { podCost } from '../../test/fixtures/storage/records.js';
import { recommendation } from '../../test/fixtures/storage/recommendations.js';
import { RECOMMENDATION_TABLE } from './recommendation-table.js';
import { columnNames, encodeRow, TABLES_BY_SCHEMA } from './tables.js';

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('raw table columns', () => {
  // Recommendation is nested; its table is a flat projection (tested below).
  it.each(Object.values(TABLES_BY_SCHEMA).filter((spec) => spec.schema !== 'Recommendation'))('$table has one column per $schema field, in snake_case and in order', (spec) => {
    const fields = (currentSchemas[spec.schema] as { fields: Array<{ name: string }> }).fields.map((f) => snake(f.name));
    // billing_line is keyed: its first column is the kcost.billing.v1 key the tombstones name.
    expect(spec.columns.map((c) => c.name)).toEqual(spec.schema === 'BillingLine' ? ['key', ...fields] : fields);
  });

  it('encodes a record as one tab-separated COPY line', () => {
    const line = encodeRow(TABLES_BY_SCHEMA.PodCost, podCost({ flags: ['SCALED'], priceEffectiveFrom: null }));
    const fields = line.slice(0, -1).split('\t');
    expect(line.endsWith('\n')).toBe(true);
    expect(fields).toHaveLength(columnNames(TABLES_BY_SCHEMA.PodCost).length);
    expect(fields[8]).toBe('{"app":"checkout","team":"payments"}');
    expect(fields[9]).toBe('2026-11-22T10:00:00.000Z');
    expect(fields.slice(-3)).toEqual(['\\N', '{"SCALED"}', '[{"persistentVolume":"pvc-3c1d7e52","claim":"cache","storageClass":"gp3","capacityBytes":1073741824,"costUsd":0.0000012,"providerVolumeId":"vol-0c1d7e52"}]']);
  });

  it('flattens a recommendation: target, saving, both resources, evidence and pricing, and the whole record last', () => {
    const record = recommendation({ cpu: { currentLimit: 2 } });
    const fields = encodeRow(RECOMMENDATION_TABLE, record).slice(0, -1).split('\t');
    const row = Object.fromEntries(columnNames(RECOMMENDATION_TABLE).map((name, i) => [name, fields[i]]));
    expect(row).toMatchObject({
      key: 'prod-eu/shop/Deployment/checkout/app',
      namespace: 'shop',
      workload_kind: 'Deployment',
      generated_at: '2026-12-06T12:00:00.000Z',
      reasons: '{"OVER_PROVISIONED"}',
      monthly_savings_usd: '41.25',
      cpu_action: 'CHANGE',
      cpu_current_limit_cores: '2',
      cpu_recommended_limit_cores: '\\N',
      memory_recommended_request_bytes: String(700 * 1_048_576),
      hpa: '[]',
      sample_count: '60480',
      replicas_after: '3',
    });
    expect(JSON.parse(row.record as string)).toEqual(record);
  });

  it('leaves the workload columns NULL for a kind without a workload target', () => {
    const record = { ...recommendation(), workloadResources: null };
    const row = encodeRow(RECOMMENDATION_TABLE, record).slice(0, -1).split('\t');
    const names = columnNames(RECOMMENDATION_TABLE);
    for (const name of ['namespace', 'container', 'cpu_action', 'memory_upper_bound_bytes', 'hpa', 'sample_count', 'replicas']) {
      expect(row[names.indexOf(name)], name).toBe('\\N');
    }
  });
});
