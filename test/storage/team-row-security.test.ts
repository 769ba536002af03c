import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { silentLogger } from '../../services/log/logger.js';
import { BatchWriter } from '../../services/sink/batch-writer.js';
import { recommendationRecords } from '../api/recommendation-records.js';
import { costHistory } from '../deploy/cost-data.js';
import { expandMacros, interpolateVariables } from '../deploy/grafana-sql.js';
import { REPO } from '../deploy/repo.js';
import { serverUrl } from '../support/database.js';

// sql/0010: a team's database role, logged in as Grafana's datasource would,
// sees only its namespaces in pod_cost, the rollups and every other namespaced
// relation, while kcost's own role (the owner that migrates and sinks) sees
// and writes everything as before. On the real server, plain PostgreSQL path.
describe('team database roles (row-level security, plain PostgreSQL)', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const database = `kcost_rls_${id}`;
  const owner = `kcost_owner_${id}`;
  const shopTeam = `team_shop_${id}`;
  const shopLogin = `grafana_shop_${id}`;
  const opsTeam = `team_ops_${id}`;
  const stagingTeam = `team_staging_${id}`;
  const urlAs = (user: string) => {
    const url = new URL(serverUrl());
    url.pathname = `/${database}`;
    url.username = user;
    url.password = '';
    return url.toString();
  };
  const admin = () => new pg.Client({ connectionString: serverUrl() });
  const history = costHistory(Date.UTC(2026, 9, 1), 2);
  const recommendations = recommendationRecords();
  let pool: pg.Pool;

  async function as<T>(user: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: urlAs(user) });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  }
  const scopesOf = async (client: pg.Client, relation: string, namespace = 'namespace') =>
    (await client.query<{ scope: string }>(`SELECT DISTINCT cluster || '/' || COALESCE(${namespace}, '') AS scope FROM ${relation} ORDER BY 1`)).rows.map((r) => r.scope);

  beforeAll(async () => {
    const client = admin();
    await client.connect();
    // kcost's own user: owns the database and the tables, may create the team roles.
    await client.query(`CREATE ROLE ${owner} LOGIN CREATEROLE`);
    await client.query(`CREATE DATABASE ${database} OWNER ${owner}`);
    await client.end();
    pool = new pg.Pool({ connectionString: urlAs(owner), max: 2 });
    const connection = await pool.connect();
    const { variant } = await migrate(pgSqlClient(connection), { logger: silentLogger() });
    connection.release();
    expect(variant).toBe('postgres');
    // The sink writes after row security is on, as the owner, unchanged.
    const writer = new BatchWriter({ pool, variant, group: 'rls', logger: silentLogger(), reject: async () => undefined });
    const batch = (topic: string, schema: 'PodCost' | 'NodeCost' | 'CostAnomaly' | 'Recommendation', records: readonly object[]) =>
      writer.write({ topic, partition: 0, schema, records: records.map((value, i) => ({ offset: String(i), key: null, value })), nextOffset: String(records.length) });
    await batch('costs', 'PodCost', history.pods);
    await batch('nodes', 'NodeCost', history.nodes);
    await batch('anomalies', 'CostAnomaly', history.anomalies);
    await batch('recommendations', 'Recommendation', recommendations);
    await pool.query(`INSERT INTO cost_forecast VALUES
      ('prod-eu', '', '2026-10-05', now(), 10, 9, 11, 8, 12, 'm'), ('prod-eu', 'shop', '2026-10-05', now(), 3, 2, 4, 1, 5, 'm'),
      ('prod-eu', 'search', '2026-10-05', now(), 4, 3, 5, 2, 6, 'm'), ('staging-us', 'shop', '2026-10-05', now(), 1, 0.5, 1.5, 0.2, 2, 'm')`);
    await pool.query(`INSERT INTO cost_forecast_series SELECT cluster, namespace, now(), now(), now(), 30, '{}', '{}', NULL FROM cost_forecast`);
    await pool.query(`INSERT INTO namespace_budget VALUES ('prod-eu', 'shop', 100, now()), ('prod-eu', 'search', 200, now()), ('staging-us', 'shop', 50, now())`);
    await pool.query(`INSERT INTO reconciled_pod_cost_daily SELECT DISTINCT '2026-10-05'::date, cluster, 'n1', namespace, 'Deployment', 'w', 1, 1 FROM cost_forecast WHERE namespace <> ''`);
    await pool.query(`INSERT INTO external_cost_daily SELECT DISTINCT '2026-10-05'::date, cluster, namespace, 'AmazonRDS', 'tag', 5 FROM cost_forecast WHERE namespace <> ''`);
    await pool.query(`INSERT INTO reconciled_node_cost_daily VALUES ('2026-10-05', 'prod-eu', 'n1', 'i-1', 'BILLED', 0.7, 10, 7, -3, 2, 1.4), ('2026-10-05', 'staging-us', 'n2', 'i-2', 'BILLED', 0.7, 10, 7, -3, 2, 1.4)`);
    // The documented grants: shop everywhere through a NOLOGIN role and a Grafana login in it; ops sees
    // one cluster's node figures and its kube-system, logging in as the team role itself.
    await pool.query(`SELECT kcost_grant_team($1, ARRAY['shop'])`, [shopTeam]);
    await pool.query(`CREATE ROLE ${shopLogin} LOGIN IN ROLE ${shopTeam}`);
    await pool.query(`SELECT kcost_grant_team($1, ARRAY['kube-system'], ARRAY['prod-eu'], node_costs => true)`, [opsTeam]);
    await pool.query(`ALTER ROLE ${opsTeam} LOGIN`);
    await pool.query(`SELECT kcost_grant_team($1, ARRAY['*'], ARRAY['staging-us'])`, [stagingTeam]);
    await pool.query(`ALTER ROLE ${stagingTeam} LOGIN`);
  });

  afterAll(async () => {
    await pool?.end();
    const client = admin();
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const role of [shopLogin, shopTeam, opsTeam, stagingTeam, owner]) await client.query(`DROP ROLE IF EXISTS ${role}`);
    await client.end();
  });

  it('the Grafana login of a team sees its namespaces in pod_cost, the rollups and every namespaced table, and sums only them', async () => {
    const owned = await pool.query<{ raw: number; hourly: number; daily: number }>(
      `SELECT (SELECT sum(total_cost_usd) FROM pod_cost WHERE namespace = 'shop') AS raw,
              (SELECT sum(total_cost_usd) FROM pod_cost_hourly WHERE namespace = 'shop') AS hourly,
              (SELECT sum(total_cost_usd) FROM pod_cost_daily WHERE namespace = 'shop') AS daily`,
    );
    await as(shopLogin, async (client) => {
      for (const relation of ['pod_cost', 'pod_cost_hourly', 'pod_cost_daily']) {
        expect(await scopesOf(client, relation), relation).toEqual(['prod-eu/shop', 'staging-us/shop']);
      }
      expect(await scopesOf(client, 'cost_anomaly')).toEqual([...new Set(history.anomalies.filter((a) => a.namespace === 'shop').map((a) => `${a.cluster}/shop`))].sort());
      expect(await scopesOf(client, 'cost_forecast')).toEqual(['prod-eu/shop', 'staging-us/shop']);
      expect(await scopesOf(client, 'cost_forecast_series')).toEqual(['prod-eu/shop', 'staging-us/shop']);
      expect(await scopesOf(client, 'namespace_budget')).toEqual(['prod-eu/shop', 'staging-us/shop']);
      expect(await scopesOf(client, 'reconciled_pod_cost_daily')).toEqual(['prod-eu/shop', 'staging-us/shop']);
      expect(await scopesOf(client, 'external_cost_daily')).toEqual(['prod-eu/shop', 'staging-us/shop']);
      expect(await scopesOf(client, 'reconciled_node_cost_daily', 'NULL')).toEqual([]);
      // No recommendation is in shop; the team sees none, and no DaemonSet node without a namespace.
      expect(await scopesOf(client, 'recommendation')).toEqual([]);
      expect(await scopesOf(client, 'recommendation_history')).toEqual([]);
      for (const relation of ['node_cost', 'node_cost_hourly', 'node_cost_daily']) {
        expect(await scopesOf(client, relation, 'NULL'), relation).toEqual([]);
      }
      // A sum over all rows, with no WHERE, as a dashboard's total would be.
      const sums = await client.query<{ raw: number; hourly: number; daily: number }>(
        `SELECT (SELECT sum(total_cost_usd) FROM pod_cost) AS raw, (SELECT sum(total_cost_usd) FROM pod_cost_hourly) AS hourly,
                (SELECT sum(total_cost_usd) FROM pod_cost_daily) AS daily`,
      );
      expect(sums.rows[0]?.raw).toBeCloseTo(Number(owned.rows[0]?.raw), 9);
      expect(sums.rows[0]?.hourly).toBeCloseTo(Number(owned.rows[0]?.hourly), 9);
      expect(sums.rows[0]?.daily).toBeCloseTo(Number(owned.rows[0]?.daily), 9);
      // List prices are no tenant's data.
      expect(Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM price_history')).rows[0]?.n)).toBeGreaterThanOrEqual(0);
    });
  });

  it('a dashboard panel run by the team\'s Grafana login, with every namespace in its variable, shows only the team\'s', async () => {
    const dashboard = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/dashboards/executive-summary.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ rawSql: string }> }> };
    const panel = dashboard.panels.find((p) => p.title === 'Top namespaces');
    const namespaces = [...new Set(history.pods.map((p) => p.namespace))];
    const sql = expandMacros(
      interpolateVariables(panel?.targets[0]?.rawSql ?? '', { cluster: { values: ['prod-eu', 'staging-us'], quoted: true }, namespace: { values: namespaces, quoted: true } }),
      { from: new Date(Date.UTC(2026, 9, 1)), to: new Date(Date.UTC(2026, 9, 3)) },
    );
    const asOwner = (await pool.query<{ Namespace: string }>(sql)).rows.map((r) => r.Namespace);
    expect(asOwner.length).toBeGreaterThan(1);
    const asTeam = await as(shopLogin, async (client) => (await client.query<{ Namespace: string }>(sql)).rows.map((r) => r.Namespace));
    expect(asTeam).toEqual(['shop']);
  });

  it('a team given node costs sees its cluster\'s nodes and cluster-wide figures, and nothing of another cluster', async () => {
    await as(opsTeam, async (client) => {
      expect(await scopesOf(client, 'pod_cost')).toEqual(['prod-eu/kube-system']);
      expect(await scopesOf(client, 'pod_cost_daily')).toEqual(['prod-eu/kube-system']);
      for (const relation of ['node_cost', 'node_cost_hourly', 'node_cost_daily']) {
        expect(await scopesOf(client, relation, 'NULL'), relation).toEqual(['prod-eu/']);
      }
      expect(await scopesOf(client, 'cost_forecast')).toEqual(['prod-eu/']);
      expect(await scopesOf(client, 'cost_forecast_series')).toEqual(['prod-eu/']);
      expect(await scopesOf(client, 'namespace_budget')).toEqual([]);
      expect(await scopesOf(client, 'reconciled_node_cost_daily', 'NULL')).toEqual(['prod-eu/']);
    });
  });

  it('a team given every namespace (*) of one cluster sees all of that cluster\'s namespaces, and neither another cluster nor node figures', async () => {
    const expected = [...new Set(history.pods.filter((p) => p.cluster === 'staging-us').map((p) => `staging-us/${p.namespace}`))].sort();
    expect(expected.length).toBeGreaterThan(1);
    await as(stagingTeam, async (client) => {
      for (const relation of ['pod_cost', 'pod_cost_hourly', 'pod_cost_daily']) expect(await scopesOf(client, relation), relation).toEqual(expected);
      expect(await scopesOf(client, 'node_cost', 'NULL')).toEqual([]);
      expect(await scopesOf(client, 'cost_forecast')).toEqual(['staging-us/shop']);
    });
  });

  it('no way past the policies: not the partitions, not the grants of other teams, not the grant function, not writes', async () => {
    await as(shopLogin, async (client) => {
      const partition = (await pool.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'pod_cost'::regclass LIMIT 1`)).rows[0]?.name;
      expect(partition).toBeDefined();
      await expect(client.query(`SELECT count(*) FROM kcost_partitions.${partition}`)).rejects.toThrow(/permission denied/);
      const grants = await client.query<{ namespace: string }>('SELECT namespace FROM kcost_namespace_grant');
      expect(grants.rows.map((r) => r.namespace)).toEqual(['shop']);
      await expect(client.query(`SELECT kcost_grant_team($1, ARRAY['*'])`, [shopTeam])).rejects.toThrow(/permission denied/);
      await expect(client.query(`INSERT INTO kcost_namespace_grant VALUES ($1, '*', '*', true)`, [shopTeam])).rejects.toThrow(/permission denied/);
      await expect(client.query(`DELETE FROM pod_cost`)).rejects.toThrow(/permission denied/);
      // Even a function of its own in WHERE only sees rows the policy let through (policies run first).
      const leaked = await client.query(`SELECT 1 FROM pod_cost WHERE namespace = 'search'`);
      expect(leaked.rows).toEqual([]);
    });
  });

  it('kcost\'s own role sees every row, and a revoked team sees nothing', async () => {
    const all = await pool.query<{ n: string }>('SELECT count(*) AS n FROM pod_cost');
    expect(Number(all.rows[0]?.n)).toBe(history.pods.length);
    expect((await pool.query('SELECT DISTINCT namespace FROM pod_cost_daily')).rows.length).toBe(new Set(history.pods.map((p) => p.namespace)).size);
    await pool.query('SELECT kcost_revoke_team($1)', [opsTeam]);
    await as(opsTeam, async (client) => {
      await expect(client.query('SELECT count(*) FROM pod_cost')).rejects.toThrow(/permission denied/);
    });
  });
});
