import pg from 'pg';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { silentLogger } from '../../services/log/logger.js';
import { createTestDatabase } from '../support/database.js';

// 70 days of daily cost up to (and including part of) 2026-11-20, written to
// the daily rollup the sink maintains: `shop` with a weekly season, slow
// growth and a doubling from 2026-11-17 (a deploy three days ago); `fresh`
// with only its last 10 days; `mixed` mostly on weekdays.

export const DAY = 86_400_000;
/** The API's clock: 10:00 on 2026-11-20, so the history ends at its 00:00. */
export const FORECAST_NOW = Date.parse('2026-11-20T10:00:00Z');
export const TODAY = Date.parse('2026-11-20T00:00:00Z');
export const FIRST_DAY = TODAY - 70 * DAY;
export const SHIFT_DAY = Date.parse('2026-11-17T00:00:00Z');
/** What `shop` has spent of today by the clock. */
export const SHOP_TODAY_USD = 37;

const WEEKLY = [1, 1.04, 1.02, 0.99, 1.03, 0.62, 0.58];
const weekday = (day: number) => ((Math.floor(day / DAY) + 3) % 7); // 0 = Monday

export function shopCost(day: number): number {
  const t = (day - FIRST_DAY) / DAY;
  const noise = 1 + 0.03 * Math.sin(t * 12.9898);
  return 100 * (WEEKLY[weekday(day)] as number) * 1.002 ** t * (day >= SHIFT_DAY ? 2 : 1) * noise;
}

export interface DailyRow {
  readonly day: number;
  readonly cluster: string;
  readonly namespace: string;
  readonly usd: number;
}

export function forecastRows(): DailyRow[] {
  const rows: DailyRow[] = [];
  for (let day = FIRST_DAY; day < TODAY; day += DAY) {
    rows.push({ day, cluster: 'c1', namespace: 'shop', usd: shopCost(day) });
    if (day >= TODAY - 10 * DAY) rows.push({ day, cluster: 'c1', namespace: 'fresh', usd: 20 });
  }
  rows.push({ day: TODAY, cluster: 'c1', namespace: 'shop', usd: SHOP_TODAY_USD });
  return rows;
}

/** A migrated database (plain PostgreSQL) with the rows in pod_cost_daily, as the sink's rollup would hold them. */
export async function loadDailyCosts(rows: readonly DailyRow[]): Promise<{ url: string; drop(): Promise<void> }> {
  const database = await createTestDatabase('kcost_forecast');
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await migrate(pgSqlClient(client), { logger: silentLogger(), variant: 'postgres' });
    for (const row of rows) {
      await client.query(
        `INSERT INTO pod_cost_daily (bucket_start, cluster, namespace, workload_kind, workload_name, record_count, container_seconds,
           cpu_core_seconds_requested, cpu_core_seconds_used, cpu_core_seconds_allocated, memory_byte_seconds_requested, memory_byte_seconds_used,
           memory_byte_seconds_allocated, gpu_seconds_requested, gpu_seconds_allocated, cpu_cost_usd, memory_cost_usd, gpu_cost_usd, storage_cost_usd,
           network_cost_usd, total_cost_usd, on_demand_cost_usd, spot_savings_usd, price_sources)
         VALUES ($1, $2, $3, 'Deployment', $3, 288, 86400, 0, 0, 0, 0, 0, 0, 0, 0, $4 * 0.6, $4 * 0.4, 0, 0, 0, $4, $4, 0, ARRAY['pricebook'])`,
        [new Date(row.day).toISOString(), row.cluster, row.namespace, row.usd],
      );
    }
  } finally {
    await client.end();
  }
  return database;
}
