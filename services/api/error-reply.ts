import { classifyDbError } from '../db/pg-errors.js';
import { KcostError } from '../errors/kcost-error.js';
import { ParameterError } from './parameter-error.js';

/** HTTP status of each KcostError code the API raises on purpose. */
export const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  BAD_PARAMETER: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  // An approval of a version that is no longer the recommendation's.
  CONFLICT: 409,
  RATE_LIMITED: 429,
  TOO_BUSY: 429,
  // Never seen by the client, which is gone; counted in the request metrics as nginx does.
  CLIENT_GONE: 499,
  URL_TOO_LONG: 414,
  // Too little history to forecast: the request is fine, the data cannot answer it yet.
  INSUFFICIENT_HISTORY: 422,
  DATABASE_UNAVAILABLE: 503,
  // More budgets than one request may fit without kcost forecast's stored forecasts: run it.
  FORECASTS_NOT_STORED: 503,
  // The OIDC issuer's discovery document or keys could not be read: not the caller's fault.
  IDENTITY_PROVIDER_UNAVAILABLE: 503,
};

/** The body of an error answer; `parameter` names the query parameter at fault. */
export interface ErrorBody {
  error: string;
  message: string;
  parameter?: string;
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[] };
}

/**
 * Maps anything a handler throws to a status and body: our errors by code,
 * Fastify's schema validation errors to 400 naming the parameter, a data
 * exception from the database (SQLSTATE class 22) to 400, database outages
 * and statement timeouts to 503, and the rest to 500 (whose message is not
 * shown to the caller, only logged).
 */
export function errorReply(error: unknown): { status: number; body: ErrorBody; log: boolean } {
  if (error instanceof ParameterError) return { status: 400, body: { error: error.code, message: error.message, parameter: error.parameter }, log: false };
  const validation = (error as { validation?: ValidationIssue[] }).validation;
  if (Array.isArray(validation) && validation.length > 0) {
    const issue = validation[0] as ValidationIssue;
    const parameter = issue.params?.additionalProperty ?? issue.params?.missingProperty ?? (issue.instancePath ?? '').replace(/^\//, '');
    const detail = issue.params?.additionalProperty
      ? 'is not a parameter of this endpoint'
      : `${issue.message ?? 'is invalid'}${issue.params?.allowedValues ? ` (${issue.params.allowedValues.join(', ')})` : ''}`;
    return { status: 400, body: { error: 'BAD_PARAMETER', message: `parameter "${parameter}": ${detail}`, parameter }, log: false };
  }
  if (error instanceof KcostError && STATUS_OF_CODE[error.code] !== undefined) {
    const parameter = (error as { parameter?: unknown }).parameter;
    return { status: STATUS_OF_CODE[error.code] as number, body: { error: error.code, message: error.message, ...(typeof parameter === 'string' ? { parameter } : {}) }, log: false };
  }
  const code = (error as { code?: unknown }).code;
  if (code === '57014') return { status: 503, body: { error: 'DATABASE_UNAVAILABLE', message: 'the query ran past the statement timeout; narrow the window or the grouping' }, log: true };
  // No such database (3D000) or table (42P01): a deployment that was never migrated, not a bad request.
  if (code === '3D000' || code === '42P01') {
    return { status: 503, body: { error: 'DATABASE_UNAVAILABLE', message: 'the kcost database or its tables do not exist; run kcost migrate' }, log: true };
  }
  // Data exceptions (class 22): a value the edge should have refused reached the
  // database. Still the caller's input, so 400; logged, because the edge missed it.
  if (typeof code === 'string' && code.startsWith('22')) {
    return { status: 400, body: { error: 'BAD_PARAMETER', message: `the database refused a parameter value (SQLSTATE ${code}): ${error instanceof Error ? error.message : ''}` }, log: true };
  }
  if (classifyDbError(error) === 'transient') return { status: 503, body: { error: 'DATABASE_UNAVAILABLE', message: 'the database is not reachable; retry later' }, log: true };
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: 'BAD_REQUEST', message: error instanceof Error ? error.message : String(error) }, log: false };
  }
  return { status: 500, body: { error: 'INTERNAL', message: 'internal error; see the API log' }, log: true };
}
