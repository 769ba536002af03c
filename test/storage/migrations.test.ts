import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient, type SqlClient } from '../../services/db/sql-client.js';
import { silentLogger } from '../../services/log/logger.js';
import { createTestDatabase } from '../support/database.js';
import { readerSchema, type ReaderColumn } from './reader-schema.js';
import { createTimescaleDb } from './timescale-db.js';

const READER_RELATIONS = [
  'billing_line',
  'cost_anomaly',
  'cost_forecast',
  'cost_forecast_series',
  'external_cost_daily',
  'kcost_namespace_grant',
  'namespace_budget',
  'node_cost',
  'node_cost_daily',
  'node_cost_hourly',
  'pod_cost',
  'pod_cost_daily',
  'pod_cost_hourly',
  'price_history',
  'recommendation',
  'recommendation_approval',
  'recommendation_history',
  'reconciled_day',
  'reconciled_node_cost_daily',
  'reconciled_pod_cost_daily',
  'reconciled_volume_cost_daily',
  'schema_migrations',
  'sink_offset',
];

const logger = silentLogger();

describe('migrations on both storage paths', () => {
  let postgres: { client: pg.Client; sql: SqlClient; drop(): Promise<void> };
  let timescale: Awaited<ReturnType<typeof createTimescaleDb>>;

  beforeAll(async () => {
    const database = await createTestDatabase('kcost_migrate');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    postgres = { client, sql: pgSqlClient(client), drop: () => database.drop() };
    timescale = await createTimescaleDb();
  });

  afterAll(async () => {
    await postgres?.client.end();
    await postgres?.drop();
    await timescale?.close();
  });

  it('apply on plain PostgreSQL, then a second run applies nothing and a forced re-run of every file succeeds', async () => {
    const first = await migrate(postgres.sql, { logger });
    expect(first.variant).toBe('postgres');
    expect(first.applied).toEqual(['0001_raw_tables', '0002_raw_storage', '0003_rollups', '0004_rollup_comments', '0005_pod_cost_volumes', '0006_recommendations', '0007_pod_cost_memory_peak', '0008_price_instance_shape', '0009_cost_forecast', '0010_team_row_security', '0011_recommendation_approval', '0012_billing_lines', '0013_forecast_series_and_budgets', '0014_reconciled_cost', '0015_billing_storage']);
    const second = await migrate(postgres.sql, { logger });
    expect(second).toEqual({ variant: 'postgres', applied: [] });
    const again = await migrate(postgres.sql, { logger, reapply: true });
    expect(again.applied).toHaveLength(15);
    const recorded = await postgres.client.query<{ version: number; variant: string }>('SELECT version, variant FROM schema_migrations ORDER BY version');
    expect(recorded.rows).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((version) => ({ version, variant: 'postgres' })));
  });

  it('plain PostgreSQL: recommendation_history gets daily partitions ahead and loses them to retention like the event tables', async () => {
    const partitions = async () =>
      (
        await postgres.client.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
           WHERE p.relname = 'recommendation_history' ORDER BY 1`,
        )
      ).rows.map((r) => r.name);
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    expect(await partitions()).toContain(`recommendation_history_${today}`);
    await postgres.client.query(`SELECT kcost_ensure_partitions('2020-01-01', '2020-01-01')`);
    expect(await partitions()).toContain('recommendation_history_20200101');
    // Kept while event_keep covers it, dropped once it does not.
    await postgres.client.query(`SELECT kcost_drop_expired(INTERVAL '90 days', INTERVAL '100 years')`);
    expect(await partitions()).toContain('recommendation_history_20200101');
    await postgres.client.query(`SELECT kcost_drop_expired(INTERVAL '90 days', INTERVAL '400 days')`);
    expect(await partitions()).not.toContain('recommendation_history_20200101');
    expect(await partitions()).toContain(`recommendation_history_${today}`);
  });

  it('apply on TimescaleDB as hypertables, policies and real-time continuous aggregates, twice', async () => {
    const first = await migrate(timescale.client, { logger });
    expect(first.variant).toBe('timescaledb');
    expect(first.applied).toHaveLength(15);
    expect(await migrate(timescale.client, { logger })).toEqual({ variant: 'timescaledb', applied: [] });
    expect((await migrate(timescale.client, { logger, reapply: true })).applied).toHaveLength(15);

    const hypertables = await timescale.client.query<{ hypertable_name: string; compression_enabled: boolean }>(
      `SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables
       WHERE hypertable_schema = current_schema() ORDER BY 1`,
    );
    expect(hypertables.rows).toEqual(
      ['cost_anomaly', 'node_cost', 'pod_cost', 'price_history', 'recommendation_history'].map((hypertable_name) => ({ hypertable_name, compression_enabled: true })),
    );
    const caggs = await timescale.client.query<{ view_name: string; materialized_only: boolean }>(
      'SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates ORDER BY 1',
    );
    expect(caggs.rows).toEqual(
      ['node_cost_daily', 'node_cost_hourly', 'pod_cost_daily', 'pod_cost_hourly'].map((view_name) => ({ view_name, materialized_only: false })),
    );
    const jobs = await timescale.client.query<{ proc_name: string; n: number }>(
      `SELECT proc_name, count(*)::int AS n FROM timescaledb_information.jobs
       WHERE proc_name IN ('policy_compression', 'policy_retention', 'policy_refresh_continuous_aggregate') GROUP BY 1 ORDER BY 1`,
    );
    expect(jobs.rows).toEqual([
      { proc_name: 'policy_compression', n: 5 },
      { proc_name: 'policy_refresh_continuous_aggregate', n: 4 },
      { proc_name: 'policy_retention', n: 5 },
    ]);
  });

  it('readers see the same relations, columns and types on both paths, every one documented', async () => {
    const onPostgres = await readerSchema(postgres.sql);
    const onTimescale = await readerSchema(timescale.client);
    const shape = (columns: ReaderColumn[]) => columns.map(({ relation, column, position, dataType, udtName }) => ({ relation, column, position, dataType, udtName }));
    expect([...new Set(onPostgres.columns.map((c) => c.relation))]).toEqual(READER_RELATIONS);
    expect(shape(onTimescale.columns)).toEqual(shape(onPostgres.columns));
    for (const schema of [onPostgres, onTimescale]) {
      expect([...schema.relationComments.keys()].sort()).toEqual(READER_RELATIONS);
      expect([...schema.relationComments].filter(([, comment]) => !comment)).toEqual([]);
      expect(schema.columns.filter((c) => !c.comment).map((c) => `${c.relation}.${c.column}`)).toEqual([]);
    }
    expect(onTimescale.columns.map((c) => c.comment)).toEqual(onPostgres.columns.map((c) => c.comment));
  });
});
