import type pg from 'pg';
import type { Logger } from '../log/logger.js';
import { budgetStatements, computeForecasts, replaceStatements, type ForecastStoreOptions } from './forecast-store.js';
import type { NamespaceBudget } from './namespace-budget-book.js';

/** What one run stored. */
export interface StoreResult {
  readonly rows: number;
  readonly series: number;
}

/**
 * One run of `kcost forecast`: forecasts every cluster and namespace from the
 * daily rollups and replaces the stored forecasts (and, when given, the
 * namespaces' budgets) with them in one transaction, so readers see the
 * previous run or this one, never a mix.
 */
export async function storeForecasts(
  pool: pg.Pool,
  nowMillis: number,
  options: ForecastStoreOptions,
  logger: Logger,
  budgets?: readonly NamespaceBudget[],
  yieldBetween?: () => Promise<void>,
): Promise<StoreResult> {
  const computed = await computeForecasts(async (query) => (await pool.query(query.text, [...query.values])).rows as Array<Record<string, unknown>>, nowMillis, options, yieldBetween);
  await inTransaction(pool, replaceStatements(computed, nowMillis, budgets));
  logger.info({ series: computed.series.length, rows: computed.days.length, horizonDays: options.horizonDays, namespaceBudgets: budgets?.length }, 'stored forecasts');
  return { rows: computed.days.length, series: computed.series.length };
}

/** Replaces the stored namespace budgets alone: a label changed between two forecast runs. */
export async function storeNamespaceBudgets(pool: pg.Pool, budgets: readonly NamespaceBudget[]): Promise<void> {
  await inTransaction(pool, budgetStatements(budgets));
}

async function inTransaction(pool: pg.Pool, statements: ReadonlyArray<{ text: string; values: readonly unknown[] }>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const statement of statements) await client.query(statement.text, [...statement.values]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
