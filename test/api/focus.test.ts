import { createHash } from 'node:crypto';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../services/api/access-config.js';
import type { ApiApp } from '../../services/api/app.js';
import { buildApi, useLoadedApi } from './api-harness.js';
import { expectFocusConformant, SPEC, SPEC_BY_ID, table, type CsvTable } from './focus-conformance.js';
import { NOW } from './cost-records.js';

// GET /v1/focus over the real API and a database loaded through the real
// sink: its columns, types and values against the FOCUS 1.2 column
// definitions (test/fixtures/focus), its money against /v1/allocation, its
// Parquet read back by hyparquet, and the caller's scope.

const loaded = useLoadedApi();
// Whole UTC days (daily rollups) around the estate's 32 hours, which cross the October/November month boundary.
const DAYS = '2026-10-30T00:00:00Z,2026-11-02T00:00:00Z';
// Neither day- nor hour-aligned: raw rows.
const UNALIGNED = '2026-10-31T05:30:00Z,2026-11-01T02:15:00Z';

async function focusCsv(query: string, api: ApiApp = loaded.api, token?: string): Promise<CsvTable> {
  const response = await api.inject({ method: 'GET', url: `/v1/focus?${query}`, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/csv/);
  return table(response.body);
}

interface AllocationAnswer {
  rows: Array<{ properties: { cluster?: string; namespace?: string; node?: string }; start: string; totalCostUsd: number; name: string }>;
  totals: { totalCostUsd: number };
}
async function allocation(query: string): Promise<AllocationAnswer> {
  const response = await loaded.api.inject({ method: 'GET', url: `/v1/allocation?${query}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<AllocationAnswer>();
}

const sum = (rows: ReadonlyArray<Record<string, string>>, column: string) => rows.reduce((total, row) => total + Number(row[column]), 0);

describe('GET /v1/focus against the FOCUS 1.2 column definitions', () => {
  it.each([
    ['workload per day', `window=${DAYS}`],
    ['namespace per hour over raw rows', `window=${UNALIGNED}&aggregate=namespace&step=1h`],
  ])('%s: mandatory columns, nullability, allowed values, date and decimal formats, Tags, x_ prefixes', async (_name, query) => {
    const csv = await focusCsv(query);
    expectFocusConformant(csv);
    expect(new Set(csv.rows.map((r) => r.x_KcostCostKind))).toEqual(new Set(['allocation', 'idle']));
    // The estate's 32 hours span two billing periods.
    expect(new Set(csv.rows.map((r) => r.BillingPeriodStart))).toEqual(new Set(['2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z']));
  });
});

describe('money in the export', () => {
  it.each([
    ['whole days', DAYS, '1d'],
    ['an unaligned window by the hour', UNALIGNED, '1h'],
  ])('over %s, Σ EffectiveCost is the allocation API\'s total with idle included, per cluster, namespace and day', async (_name, window, step) => {
    const csv = await focusCsv(`window=${window}&aggregate=namespace&step=${step}`);
    const api = await allocation(`window=${window}&aggregate=cluster,namespace&step=${step}&idle=include`);
    expect(sum(csv.rows, 'EffectiveCost')).toBeCloseTo(api.totals.totalCostUsd, 9);
    expect(sum(csv.rows, 'BilledCost')).toBeCloseTo(api.totals.totalCostUsd, 9);
    const allocated = csv.rows.filter((r) => r.x_KcostCostKind === 'allocation');
    const byKey = new Map(allocated.map((r) => [`${r.x_KcostCluster}/${r.x_KcostNamespace}/${r.ChargePeriodStart}`, Number(r.EffectiveCost)]));
    const apiRows = api.rows.filter((r) => !r.name.endsWith('__idle__'));
    expect(byKey.size).toBe(apiRows.length);
    for (const row of apiRows) expect(byKey.get(`${row.properties.cluster}/${row.properties.namespace}/${row.start.slice(0, 19)}Z`), row.name).toBe(row.totalCostUsd);
    // Idle rows per node add up to the API's __idle__ rows: node cost = allocation + idle, nothing twice.
    const idle = csv.rows.filter((r) => r.x_KcostCostKind === 'idle');
    expect(sum(idle, 'EffectiveCost')).toBeCloseTo(api.rows.filter((r) => r.name.endsWith('__idle__')).reduce((t, r) => t + r.totalCostUsd, 0), 9);
  });

  it('by workload holds the same money as by namespace, and the x_ parts of each row add up to it', async () => {
    const [byWorkload, byNamespace] = await Promise.all([focusCsv(`window=${DAYS}`), focusCsv(`window=${DAYS}&aggregate=namespace`)]);
    expect(sum(byWorkload.rows, 'EffectiveCost')).toBeCloseTo(sum(byNamespace.rows, 'EffectiveCost'), 9);
    for (const row of byWorkload.rows) {
      const parts = ['x_KcostCpuCost', 'x_KcostMemoryCost', 'x_KcostGpuCost', 'x_KcostStorageCost', 'x_KcostNetworkCost'].reduce((t, c) => t + Number(row[c]), 0);
      expect(parts, row.ResourceId).toBeCloseTo(Number(row.EffectiveCost), 8);
    }
  });
});

describe('Parquet', () => {
  it('reads back with hyparquet as the same rows as the CSV, typed as FOCUS says', async () => {
    const query = `window=${DAYS}&aggregate=workload`;
    const response = await loaded.api.inject({ method: 'GET', url: `/v1/focus?${query}&format=parquet` });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.apache.parquet');
    const file = response.rawPayload.buffer.slice(response.rawPayload.byteOffset, response.rawPayload.byteOffset + response.rawPayload.byteLength) as ArrayBuffer;
    const metadata = parquetMetadata(file);
    expect(metadata.key_value_metadata).toContainEqual({ key: 'FocusVersion', value: SPEC.focusVersion });
    const csv = await focusCsv(query);
    const fields = parquetSchema(metadata).children.map((c) => c.element);
    expect(fields.map((f) => f.name)).toEqual(csv.header);
    for (const field of fields) {
      const spec = SPEC_BY_ID.get(field.name);
      if (spec?.dataType === 'Decimal') expect(field.type, field.name).toBe('DOUBLE');
      if (spec?.dataType === 'Date/Time') expect(field.logical_type, field.name).toMatchObject({ type: 'TIMESTAMP', isAdjustedToUTC: true });
      if (spec?.dataType === 'JSON') expect(field.converted_type, field.name).toBe('JSON');
      if (spec?.allowsNulls === false) expect(field.repetition_type, `${field.name} may not be null`).toBe('REQUIRED');
    }
    const objects = (await parquetReadObjects({ file })) as Array<Record<string, unknown>>;
    expect(objects.length).toBe(csv.rows.length);
    objects.forEach((object, i) => {
      const row = csv.rows[i] as Record<string, string>;
      for (const name of csv.header) {
        const value = object[name];
        const spec = SPEC_BY_ID.get(name);
        if (value === null || value === undefined) expect(row[name], name).toBe('');
        else if (value instanceof Date) expect(`${value.toISOString().slice(0, 19)}Z`, name).toBe(row[name]);
        else if (typeof value === 'number') expect(value, name).toBe(Number(row[name]));
        else if (spec?.dataType === 'JSON') expect(value, name).toEqual(JSON.parse(row[name] ?? ''));
        else expect(typeof value === 'boolean' ? String(value) : value, name).toBe(row[name]);
      }
    });
  });
});

describe('scope', () => {
  const TOKENS = { web: 'token-focus-web', ops: 'token-focus-ops' } as const;
  let api: ApiApp;
  beforeAll(async () => {
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    const access = [
      'staticTokens:',
      `  - { name: web, sha256: ${sha(TOKENS.web)}, role: viewer, namespaces: ["web"], clusters: ["c1"], nodeCosts: false }`,
      `  - { name: ops, sha256: ${sha(TOKENS.ops)}, role: viewer, namespaces: ["*"], clusters: ["c2"], nodeCosts: true }`,
    ].join('\n');
    api = await buildApi(loaded.db.pool, NOW, { access: parseAccessConfig(access, 'test') });
  });
  afterAll(async () => api?.close());

  it('a team sees its namespaces\' allocation and no idle; asking for idle is a 403', async () => {
    const csv = await focusCsv(`window=${DAYS}&filter=namespace!:"none"`, api, TOKENS.web);
    expect(csv.rows.length).toBeGreaterThan(0);
    for (const row of csv.rows) expect([row.x_KcostCluster, row.x_KcostNamespace, row.x_KcostCostKind]).toEqual(['c1', 'web', 'allocation']);
    const refused = await api.inject({ method: 'GET', url: `/v1/focus?window=${DAYS}&idle=include`, headers: { authorization: `Bearer ${TOKENS.web}` } });
    expect(refused.statusCode).toBe(403);
  });

  it('an operator of one cluster gets that cluster\'s allocation and idle, and nothing of another', async () => {
    const csv = await focusCsv(`window=${DAYS}`, api, TOKENS.ops);
    expect(new Set(csv.rows.map((r) => r.x_KcostCluster))).toEqual(new Set(['c2']));
    expect(csv.rows.some((r) => r.x_KcostCostKind === 'idle' && r.x_KcostNode === 'n3')).toBe(true);
  });
});
