import { oneOf, FORMATS, type Format } from './allocation-params.js';
import { ParameterError } from './parameter-error.js';
import { scopeConditions, type Scope } from './scope.js';
import { SqlParams, whereClause, type SqlQuery } from './sql-params.js';
import { checkTextParams } from './text-param.js';
import { resolveWindow, type TimeWindow } from './time-window.js';

export const SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export const SCOPES = ['WORKLOAD', 'NAMESPACE', 'CLUSTER'] as const;

export interface AnomaliesQuery {
  readonly window: TimeWindow;
  readonly scope?: (typeof SCOPES)[number];
  readonly minSeverity: (typeof SEVERITIES)[number];
  readonly cluster?: string;
  readonly namespace?: string;
  readonly limit: number;
  readonly format: Format;
}

/** One scored anomaly, as stored in cost_anomaly. */
export interface AnomalyRow {
  cluster: string;
  scope: string;
  key: string;
  namespace: string;
  start: string;
  windowSeconds: number;
  observedHourlyUsd: number;
  expectedHourlyUsd: number;
  score: number;
  direction: string;
  severity: string;
  baselineHours: number;
  detectedAt: string;
}

export function compileAnomaliesQuery(
  params: { window?: string; scope?: string; minSeverity?: string; cluster?: string; namespace?: string; limit?: string; format?: string },
  nowMillis: number,
  maxRows: number,
): AnomaliesQuery {
  checkTextParams(params);
  const limit = params.limit === undefined ? Math.min(1000, maxRows) : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxRows) throw new ParameterError('limit', `${JSON.stringify(params.limit)} is not a whole number from 1 to ${maxRows}`);
  return {
    window: resolveWindow(params.window ?? '7d', nowMillis),
    ...(params.scope === undefined ? {} : { scope: oneOf('scope', params.scope.toUpperCase(), SCOPES) }),
    minSeverity: oneOf('minSeverity', (params.minSeverity ?? 'INFO').toUpperCase(), SEVERITIES),
    ...(params.cluster === undefined ? {} : { cluster: params.cluster }),
    ...(params.namespace === undefined ? {} : { namespace: params.namespace }),
    limit,
    format: oneOf('format', params.format ?? 'json', FORMATS),
  };
}

/** Anomalies of the window at or above the severity within the scope (a cluster's, with no namespace, needs node costs), newest first, strongest first within a window. */
export function planAnomalies(query: AnomaliesQuery, scope: Scope): SqlQuery {
  const params = new SqlParams();
  const conditions = [
    `window_start >= ${params.add(new Date(query.window.startMillis).toISOString(), '::timestamptz')}`,
    `window_start < ${params.add(new Date(query.window.endMillis).toISOString(), '::timestamptz')}`,
    `severity = ANY(${params.add(SEVERITIES.slice(SEVERITIES.indexOf(query.minSeverity)), '::text[]')})`,
    ...scopeConditions(scope, { cluster: 'cluster', namespace: 'namespace' }, params),
  ];
  if (query.scope) conditions.push(`scope = ${params.add(query.scope, '::text')}`);
  if (query.cluster !== undefined) conditions.push(`cluster = ${params.add(query.cluster, '::text')}`);
  if (query.namespace !== undefined) conditions.push(`namespace = ${params.add(query.namespace, '::text')}`);
  const text = [
    'SELECT cluster, scope, key, namespace, window_start, window_seconds, observed_hourly_usd, expected_hourly_usd, score, direction, severity, baseline_hours, detected_at',
    'FROM cost_anomaly',
    whereClause(conditions),
    'ORDER BY window_start DESC, abs(score) DESC, cluster, scope, key',
    `LIMIT ${params.add(query.limit, '::int')}`,
  ].join('\n');
  return { text, values: params.values };
}

export function toAnomalyRow(row: Record<string, unknown>): AnomalyRow {
  return {
    cluster: String(row.cluster),
    scope: String(row.scope),
    key: String(row.key),
    namespace: String(row.namespace),
    start: new Date(row.window_start as Date).toISOString(),
    windowSeconds: Number(row.window_seconds),
    observedHourlyUsd: Number(row.observed_hourly_usd),
    expectedHourlyUsd: Number(row.expected_hourly_usd),
    score: Number(row.score),
    direction: String(row.direction),
    severity: String(row.severity),
    baselineHours: Number(row.baseline_hours),
    detectedAt: new Date(row.detected_at as Date).toISOString(),
  };
}
