import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { silentLogger } from '../../services/log/logger.js';
import { BatchWriter, type LoadBatch } from '../../services/sink/batch-writer.js';
import { createTestDatabase } from '../support/database.js';
import { costHistory } from './cost-data.js';
import { expandMacros, interpolateVariables, type TimeRange, type VariableValue } from './grafana-sql.js';
import { REPO } from './repo.js';

interface Target {
  refId: string;
  format: string;
  rawSql: string;
}
interface Panel {
  title: string;
  type: string;
  datasource: { uid: string };
  targets: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string;
  multi?: boolean;
  includeAll?: boolean;
  current: { value?: string | string[] };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const DIR = join(REPO, 'deploy/grafana/dashboards');
const dashboards = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Dashboard }));

const DAY = 86_400_000;
const DATA_START = Date.UTC(2026, 9, 1);
const DATA_DAYS = 35;
// Grafana's range: the last 14 days of data, ending mid-day so partial days are in play.
const RANGE: TimeRange = { from: new Date(DATA_START + 20 * DAY + 6 * 3_600_000), to: new Date(DATA_START + 34 * DAY + 6 * 3_600_000) };

const isNumeric = (value: unknown) => (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value));

describe('Grafana dashboards', () => {
  it('are the five kcost dashboards, each on the PostgreSQL datasource variable with cluster, namespace and window variables', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual(
      ['kcost-anomalies-forecast', 'kcost-executive-summary', 'kcost-namespace-deep-dive', 'kcost-resource-efficiency', 'kcost-spot'],
    );
    for (const { dashboard } of dashboards) {
      const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
      expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'grafana-postgresql-datasource' });
      for (const name of ['cluster', 'namespace']) expect(variables.get(name), `${dashboard.uid} $${name}`).toMatchObject({ type: 'query', multi: true, includeAll: true });
      expect(variables.get('bucket')?.type).toBe('custom');
      expect(dashboard.panels.length).toBeGreaterThan(3);
      for (const panel of dashboard.panels) {
        // Grafana's own variable syntax, not a template literal.
        // eslint-disable-next-line no-template-curly-in-string
        expect(panel.datasource.uid, `${dashboard.uid} / ${panel.title}`).toBe('${datasource}');
        expect(panel.targets.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('every dashboard query on the real schema with simulated costs', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  // The values Grafana would offer for $cluster and $namespace, from the dashboards' own variable queries.
  let clusters: string[] = [];
  let namespaces: string[] = [];

  const all = (): Record<string, VariableValue> => ({
    cluster: { values: clusters, quoted: true },
    namespace: { values: namespaces, quoted: true },
    bucket: { values: ['1d'], quoted: false },
  });

  async function run(sql: string, variables: Record<string, VariableValue>): Promise<Array<Record<string, unknown>>> {
    const expanded = expandMacros(interpolateVariables(sql, variables), RANGE);
    expect(expanded).not.toMatch(/\$\w|\[\[/);
    return (await pool.query<Record<string, unknown>>(expanded)).rows;
  }

  beforeAll(async () => {
    database = await createTestDatabase('kcost_dashboards');
    // Grafana's PostgreSQL datasource runs its sessions in UTC; so do these, whatever the server's default.
    pool = new pg.Pool({ connectionString: database.url, max: 2, options: '-c TimeZone=UTC' });
    const client = await pool.connect();
    let variant: 'postgres' | 'timescaledb';
    try {
      variant = (await migrate(pgSqlClient(client), { logger: silentLogger() })).variant;
    } finally {
      client.release();
    }
    // Loaded the way the sink loads them: COPY into the raw tables and, on plain PostgreSQL, the rollups in the same transaction.
    const writer = new BatchWriter({ pool, variant, group: 'dashboards', logger: silentLogger(), reject: async () => undefined });
    const history = costHistory(DATA_START, DATA_DAYS);
    const load = async (topic: string, schema: LoadBatch['schema'], values: readonly unknown[]) => {
      for (let first = 0; first < values.length; first += 5000) {
        const records = values.slice(first, first + 5000).map((value, i) => ({ offset: String(first + i), key: null, value }));
        const result = await writer.write({ topic, partition: 0, schema, records, nextOffset: String(first + records.length) });
        expect(result.rejected).toEqual([]);
      }
    };
    await load('costs', 'PodCost', history.pods);
    await load('node-costs', 'NodeCost', history.nodes);
    await load('anomalies', 'CostAnomaly', history.anomalies);
    const variables = dashboards[0]?.dashboard.templating.list ?? [];
    const query = (name: string) => variables.find((v) => v.name === name)?.query ?? '';
    clusters = (await run(query('cluster'), {})).map((r) => String(Object.values(r)[0]));
    namespaces = (await run(query('namespace'), { cluster: { values: clusters, quoted: true } })).map((r) => String(Object.values(r)[0]));
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('offers every simulated cluster and namespace in the variables', () => {
    expect(clusters).toEqual(['prod-eu', 'staging-us']);
    expect(namespaces).toEqual(['batch', 'ci', 'kube-system', 'search', 'shop']);
  });

  const targets = dashboards.flatMap(({ dashboard }) =>
    dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ name: `${dashboard.title} / ${panel.title} (${target.refId})`, target }))),
  );

  it.each(targets)('$name returns rows with numbers for All clusters and namespaces', async ({ target }) => {
    const rows = await run(target.rawSql, all());
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => Object.values(row).some(isNumeric))).toBe(true);
    if (target.format === 'time_series') {
      expect(Object.keys(rows[0] ?? {})).toContain('time');
      expect(Object.keys(rows[0] ?? {}).length).toBeGreaterThan(1);
    }
  });

  it.each(targets)('$name runs for one cluster, one namespace and hourly buckets', async ({ target }) => {
    const one = { cluster: { values: ['prod-eu'], quoted: true }, namespace: { values: ['shop'], quoted: true }, bucket: { values: ['1h'], quoted: false } };
    await expect(run(target.rawSql, one)).resolves.toBeInstanceOf(Array);
  });

  const find = (uid: string, title: string) => {
    const panel = dashboards.find((d) => d.dashboard.uid === uid)?.dashboard.panels.find((p) => p.title === title);
    if (!panel) throw new Error(`no panel ${title} in ${uid}`);
    return panel.targets[0]?.rawSql ?? '';
  };

  it('projects the daily cost trend 30 days past the last complete day of the range', async () => {
    const rows = await run(find('kcost-anomalies-forecast', 'Daily cost and 30-day forecast'), all());
    const actual = rows.filter((r) => r.Actual !== null);
    const forecast = rows.filter((r) => r.Forecast !== null);
    // 06:00 on day 20 to 06:00 on day 34: the complete UTC days 21..33.
    expect(actual).toHaveLength(13);
    expect(forecast).toHaveLength(30);
    const lastActual = actual[actual.length - 1]?.time as Date;
    expect((forecast[0]?.time as Date).getTime() - lastActual.getTime()).toBe(DAY);
    // Two workloads grow every day, so the fitted trend rises.
    expect(Number(forecast[29]?.Forecast)).toBeGreaterThan(Number(forecast[0]?.Forecast));
  });

  it('compares the range with the period of the same length before it', async () => {
    const [row] = await run(find('kcost-executive-summary', 'Change vs previous period'), all());
    expect(row?.['Previous period']).toBeGreaterThan(0);
    expect(row?.['This period']).toBeGreaterThan(row?.['Previous period'] as number);
    expect(row?.['Change %']).toBeGreaterThan(0);
  });

  it('narrows to the selected namespaces', async () => {
    const rows = await run(find('kcost-executive-summary', 'Top namespaces'), { ...all(), namespace: { values: ['shop', 'ci'], quoted: true } });
    expect(rows.map((r) => r.Namespace).sort()).toEqual(['ci', 'shop']);
  });
});
