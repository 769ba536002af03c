import type { Recommendation } from '../codec/records.generated.js';
import type { SavingsSummary, SummaryLine } from '../savings/savings-summary.js';
import { FORMATS, oneOf, type Format } from './allocation-params.js';
import { scopeConditions, type Scope } from './scope.js';
import { SqlParams, type SqlQuery } from './sql-params.js';
import { checkTextParams } from './text-param.js';

/** A validated /v1/savings request. */
export interface SavingsQuery {
  readonly cluster?: string;
  readonly format: Format;
}

export function compileSavingsQuery(params: Readonly<Partial<Record<'cluster' | 'format', string>>>): SavingsQuery {
  checkTextParams(params);
  return { ...(params.cluster === undefined ? {} : { cluster: params.cluster }), format: oneOf('format', params.format ?? 'json', FORMATS) };
}

/**
 * Every open recommendation within the caller's scope (and the cluster
 * asked for), in key order: the summary needs them all to count each dollar
 * once, and adds up only what the caller may see. Advice with no namespace
 * (node pools, commitments, DaemonSet-only nodes) is node cost: in scope for
 * grants with nodeCosts only, as on /v1/recommendations.
 */
export function planSavings(query: SavingsQuery, scope: Scope): SqlQuery {
  const params = new SqlParams();
  const conditions = [...scopeConditions(scope, { cluster: 'cluster', namespace: 'namespace' }, params)];
  if (query.cluster !== undefined) conditions.push(`cluster = ${params.add(query.cluster, '::text')}`);
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  return { text: ['SELECT record FROM recommendation', where, 'ORDER BY key'].filter((l) => l !== '').join('\n'), values: params.values };
}

export const toRecord = (row: Record<string, unknown>): Recommendation => row.record as Recommendation;

/** The JSON answer: the total, per kind, and every line with its counted part. */
export function savingsJson(summary: SavingsSummary): object {
  return { totalMonthlySavingsUsd: summary.totalMonthlySavingsUsd, byKind: summary.byKind, recommendations: summary.lines };
}

/** CSV: one line per recommendation. */
export function savingsCsvRow(line: SummaryLine): Record<string, string | number | null> {
  return { ...line };
}
