import { describe, expect, it } from 'vitest';
import { parseMigrationFileName, planMigrations, renderMigration } from './migration-plan.js';

const FILES = ['0002_storage.postgres.sql', '0001_tables.sql', '0002_storage.timescaledb.sql', 'README.md', '0003_views.sql', '0003_views.postgres.sql', '0003_views.timescaledb.sql'];

describe('migration plan', () => {
  it('reads version, name and path from a file name', () => {
    expect(parseMigrationFileName('0002_raw_storage.timescaledb.sql')).toEqual({ version: 2, name: 'raw_storage', variant: 'timescaledb', fileName: '0002_raw_storage.timescaledb.sql' });
    expect(parseMigrationFileName('0001_raw_tables.sql')?.variant).toBe('common');
    expect(parseMigrationFileName('notes.sql')).toBeUndefined();
  });

  it.each(['postgres', 'timescaledb'] as const)('orders versions and picks the shared file then the %s file', (variant) => {
    const plan = planMigrations(FILES, variant);
    expect(plan.map((m) => [m.version, m.files.map((f) => f.fileName)])).toEqual([
      [1, ['0001_tables.sql']],
      [2, [`0002_storage.${variant}.sql`]],
      [3, ['0003_views.sql', `0003_views.${variant}.sql`]],
    ]);
  });

  it('refuses a version written for one path only', () => {
    expect(() => planMigrations(['0001_a.postgres.sql'], 'postgres')).toThrow(/one storage path only/);
  });

  it('partitions by day on PostgreSQL and leaves the table plain for TimescaleDB', () => {
    const sql = 'CREATE TABLE t (ts timestamptz) {{PARTITION_BY_DAY(ts)}};';
    expect(renderMigration(sql, 'postgres')).toBe('CREATE TABLE t (ts timestamptz) PARTITION BY RANGE (ts);');
    expect(renderMigration(sql, 'timescaledb')).toBe('CREATE TABLE t (ts timestamptz) ;');
  });
});
