import type pg from 'pg';
import type { Logger } from '../log/logger.js';
import { computeForecasts, replaceStatements, type ForecastStoreOptions } from './forecast-store.js';

/**
 * One run of `kcost forecast`: forecasts every cluster and namespace from the
 * daily rollups and replaces the stored forecasts with them in one
 * transaction, so readers see the previous run or this one, never a mix.
 */
export async function storeForecasts(pool: pg.Pool, nowMillis: number, options: ForecastStoreOptions, logger: Logger): Promise<{ rows: number }> {
  const rows = await computeForecasts(async (query) => (await pool.query(query.text, [...query.values])).rows as Array<Record<string, unknown>>, nowMillis, options);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const statement of replaceStatements(rows, nowMillis)) await client.query(statement.text, [...statement.values]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const series = new Set(rows.map((r) => `${r.cluster}/${r.namespace}`)).size;
  logger.info({ series, rows: rows.length, horizonDays: options.horizonDays }, 'stored forecasts');
  return { rows: rows.length };
}
