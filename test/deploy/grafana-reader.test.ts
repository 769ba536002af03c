import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { silentLogger } from '../../services/log/logger.js';
import { BatchWriter } from '../../services/sink/batch-writer.js';
import { serverUrl } from '../support/database.js';
import { costHistory } from './cost-data.js';
import { expandMacros, interpolateVariables } from './grafana-sql.js';
import { REPO } from './repo.js';

// docker-compose.yml gives Grafana a read-only login made by deploy/grafana/postgres-init before
// any table exists; kcost migrate then creates the tables. This replays that order on the real server.
const INIT = readFileSync(join(REPO, 'deploy/grafana/postgres-init/10-grafana-reader.sql'), 'utf8');
const DASHBOARD = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/dashboards/executive-summary.json'), 'utf8')) as {
  panels: Array<{ title: string; targets: Array<{ rawSql: string }> }>;
};

describe('the Grafana login of docker-compose.yml', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const database = `kcost_reader_${id}`;
  const owner = `kcost_owner_${id}`;
  const reader = `grafana_${id}`;
  const urlAs = (user: string, password = '') => {
    const url = new URL(serverUrl());
    url.pathname = `/${database}`;
    url.username = user;
    url.password = password;
    return url.toString();
  };
  const admin = () => new pg.Client({ connectionString: serverUrl() });

  beforeAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`CREATE ROLE ${owner} LOGIN`);
    await client.query(`CREATE DATABASE ${database} OWNER ${owner}`);
    await client.end();
    // As the image's entrypoint does: the init script in the new database, as a superuser.
    const init = new pg.Client({ connectionString: urlAs(new URL(serverUrl()).username || 'postgres') });
    await init.connect();
    await init.query(
      INIT.replace(/\bROLE grafana\b/g, `ROLE ${reader}`)
        .replace(/\bTO grafana\b/g, `TO ${reader}`)
        .replace(/\bDATABASE kcost\b/g, `DATABASE ${database}`)
        .replace(/\bFOR ROLE kcost\b/g, `FOR ROLE ${owner}`),
    );
    await init.end();
    // Then kcost migrate and the sink, as the database's owner.
    const pool = new pg.Pool({ connectionString: urlAs(owner), max: 2 });
    const connection = await pool.connect();
    const { variant } = await migrate(pgSqlClient(connection), { logger: silentLogger() });
    connection.release();
    const writer = new BatchWriter({ pool, variant, group: 'reader', logger: silentLogger(), reject: async () => undefined });
    const pods = costHistory(Date.UTC(2026, 9, 1), 2).pods;
    await writer.write({ topic: 'costs', partition: 0, schema: 'PodCost', records: pods.map((value, i) => ({ offset: String(i), key: null, value })), nextOffset: String(pods.length) });
    await pool.end();
  });

  afterAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS ${reader}`);
    await client.query(`DROP ROLE IF EXISTS ${owner}`);
    await client.end();
  });

  it('reads what the dashboards query, and cannot change it', async () => {
    const client = new pg.Client({ connectionString: urlAs(reader, 'grafana') });
    await client.connect();
    try {
      const panel = DASHBOARD.panels.find((p) => p.title === 'Top namespaces');
      const sql = expandMacros(
        interpolateVariables(panel?.targets[0]?.rawSql ?? '', { cluster: { values: ['prod-eu', 'staging-us'], quoted: true }, namespace: { values: ['shop', 'ci'], quoted: true } }),
        { from: new Date(Date.UTC(2026, 9, 1)), to: new Date(Date.UTC(2026, 9, 3)) },
      );
      const { rows } = await client.query<{ Namespace: string }>(sql);
      expect(rows.map((r) => r.Namespace).sort()).toEqual(['ci', 'shop']);
      // The Right-sizing dashboard's tables, created by the same migrations.
      const advice = await client.query<{ n: string }>('SELECT (SELECT count(*) FROM recommendation) + (SELECT count(*) FROM recommendation_history) AS n');
      expect(Number(advice.rows[0]?.n)).toBe(0);
      await expect(client.query('DELETE FROM pod_cost')).rejects.toThrow(/permission denied/);
      await expect(client.query('DELETE FROM recommendation')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });
});
