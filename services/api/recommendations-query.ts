import type { Recommendation } from '../codec/records.generated.js';
import { FORMATS, oneOf, type Format } from './allocation-params.js';
import { ParameterError } from './parameter-error.js';
import { scopeConditions, type Scope } from './scope.js';
import { SqlParams, type SqlQuery } from './sql-params.js';
import { checkTextParams } from './text-param.js';

/** Kinds a request may ask for (UNKNOWN is what a reader makes of a newer kind; the sink never stores it). */
export const RECOMMENDATION_KINDS = ['WORKLOAD_RESOURCES', 'ORPHANED_VOLUME', 'DAEMONSET_ONLY_NODE', 'IDLE_WORKLOAD', 'NODE_POOL', 'SPOT_WORKLOAD', 'COMMITMENT', 'ARM_WORKLOAD'] as const;
export const RISKS = ['LOW', 'MEDIUM', 'HIGH'] as const;

/** Sort keys, each with its order: the largest saving, the most confident, the newest first; key ascending. */
export const RECOMMENDATION_SORTS = {
  saving: 'monthly_savings_usd DESC',
  confidence: 'confidence DESC',
  generatedAt: 'generated_at DESC',
  key: 'key ASC',
} as const;
export type RecommendationSort = keyof typeof RECOMMENDATION_SORTS;
const SORT_NAMES = Object.keys(RECOMMENDATION_SORTS) as RecommendationSort[];

// Text filters map to these columns of the recommendation table, and only these.
const TEXT_FILTERS = {
  cluster: 'cluster',
  namespace: 'namespace',
  workloadKind: 'workload_kind',
  workloadName: 'workload_name',
  container: 'container',
} as const;
type TextFilter = keyof typeof TEXT_FILTERS;

/** A validated /v1/recommendations request. */
export interface RecommendationsQuery {
  readonly filters: Readonly<Partial<Record<TextFilter, string>>>;
  readonly kind?: (typeof RECOMMENDATION_KINDS)[number];
  readonly risks?: ReadonlyArray<(typeof RISKS)[number]>;
  readonly minSavingUsd?: number;
  readonly sort: RecommendationSort;
  readonly limit: number;
  readonly format: Format;
}

export type RecommendationsParams = Readonly<Partial<Record<TextFilter | 'kind' | 'risk' | 'minSavingUsd' | 'sort' | 'limit' | 'format', string>>>;

const DECIMAL = /^-?[0-9]{1,12}(\.[0-9]{1,12})?$/;

/** Compiles the query string; any bad value throws a ParameterError naming it. */
export function compileRecommendationsQuery(params: RecommendationsParams, maxRows: number): RecommendationsQuery {
  checkTextParams(params);
  const limit = params.limit === undefined ? Math.min(1000, maxRows) : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxRows) throw new ParameterError('limit', `${JSON.stringify(params.limit)} is not a whole number from 1 to ${maxRows}`);
  if (params.minSavingUsd !== undefined && !DECIMAL.test(params.minSavingUsd)) {
    throw new ParameterError('minSavingUsd', `${JSON.stringify(params.minSavingUsd)} is not a number of USD per month such as 10 or -2.5`);
  }
  const filters: Partial<Record<TextFilter, string>> = {};
  for (const name of Object.keys(TEXT_FILTERS) as TextFilter[]) {
    const value = params[name];
    if (value !== undefined) filters[name] = value;
  }
  return {
    filters,
    ...(params.kind === undefined ? {} : { kind: oneOf('kind', params.kind.toUpperCase(), RECOMMENDATION_KINDS) }),
    ...(params.risk === undefined ? {} : { risks: params.risk.split(',').map((r) => oneOf('risk', r.trim().toUpperCase(), RISKS)) }),
    ...(params.minSavingUsd === undefined ? {} : { minSavingUsd: Number(params.minSavingUsd) }),
    sort: oneOf('sort', params.sort ?? 'saving', SORT_NAMES),
    limit,
    format: oneOf('format', params.format ?? 'json', FORMATS),
  };
}

/** The latest recommendations within the scope that pass the filters, in the requested order (ties by key), at most `limit`. */
export function planRecommendations(query: RecommendationsQuery, scope: Scope): SqlQuery {
  const params = new SqlParams();
  const conditions: string[] = [...scopeConditions(scope, { cluster: 'cluster', namespace: 'namespace' }, params)];
  for (const [name, value] of Object.entries(query.filters) as Array<[TextFilter, string]>) {
    conditions.push(`${TEXT_FILTERS[name]} = ${params.add(value, '::text')}`);
  }
  if (query.kind) conditions.push(`kind = ${params.add(query.kind, '::text')}`);
  if (query.risks) conditions.push(`risk = ANY(${params.add([...query.risks], '::text[]')})`);
  if (query.minSavingUsd !== undefined) conditions.push(`monthly_savings_usd >= ${params.add(query.minSavingUsd, '::float8')}`);
  const order = query.sort === 'key' ? 'key ASC' : `${RECOMMENDATION_SORTS[query.sort]}, key ASC`;
  const text = [
    `SELECT ${CSV_COLUMNS.map(([column]) => column).join(', ')}, record`,
    'FROM recommendation',
    conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '',
    `ORDER BY ${order}`,
    `LIMIT ${params.add(query.limit, '::int')}`,
  ]
    .filter((line) => line !== '')
    .join('\n');
  return { text, values: params.values };
}

/** The stored record, as the topic carries it: what a JSON answer lists. */
export function toRecommendation(row: Record<string, unknown>): Recommendation {
  return row.record as Recommendation;
}

// Flat CSV columns: the table's queryable columns, named as the record names them.
const CSV_COLUMNS: ReadonlyArray<readonly [column: string, header: string]> = [
  ['key', 'key'],
  ['kind', 'kind'],
  ['cluster', 'cluster'],
  ['namespace', 'namespace'],
  ['workload_kind', 'workloadKind'],
  ['workload_name', 'workloadName'],
  ['container', 'container'],
  ['generated_at', 'generatedAt'],
  ['confidence', 'confidence'],
  ['risk', 'risk'],
  ['reasons', 'reasons'],
  ['strategy', 'strategy'],
  ['current_monthly_usd', 'currentMonthlyUsd'],
  ['recommended_monthly_usd', 'recommendedMonthlyUsd'],
  ['monthly_savings_usd', 'monthlySavingsUsd'],
  ['price_sources', 'priceSources'],
  ...(['cpu', 'memory'] as const).flatMap((resource) => {
    const unit = resource === 'cpu' ? 'Cores' : 'Bytes';
    return [
      [`${resource}_action`, `${resource}Action`],
      ...['current_request', 'current_limit', 'recommended_request', 'recommended_limit', 'lower_bound', 'upper_bound'].map(
        (figure) => [`${resource}_${figure}_${unit.toLowerCase()}`, `${resource}${camel(figure)}${unit}`] as const,
      ),
    ] as const;
  }),
  ['hpa', 'hpa'],
  ['history_hours', 'historyHours'],
  ['observed_hours', 'observedHours'],
  ['sample_count', 'sampleCount'],
  ['oom_kills', 'oomKills'],
  ['restart_count', 'restartCount'],
  ['replicas', 'replicas'],
  ['replicas_after', 'replicasAfter'],
];

function camel(snake: string): string {
  return snake.replace(/(^|_)([a-z])/g, (_all, _sep: string, c: string) => c.toUpperCase());
}

/** One flat CSV row: timestamps in RFC 3339, lists joined by ";", the HPA advice as JSON, NULL empty. */
export function toRecommendationCsvRow(row: Record<string, unknown>): Record<string, string | number | null | string[]> {
  const out: Record<string, string | number | null | string[]> = {};
  for (const [column, header] of CSV_COLUMNS) {
    const value = row[column];
    if (value === null || value === undefined) out[header] = null;
    else if (value instanceof Date) out[header] = value.toISOString();
    else if (Array.isArray(value) && column !== 'hpa') out[header] = value.map(String);
    else if (typeof value === 'number' || typeof value === 'string') out[header] = column === 'sample_count' ? Number(value) : value;
    else out[header] = JSON.stringify(value);
  }
  return out;
}
