// Approvals of recommendations (docs/approvals.md): the rules of who may
// approve what, and the statements of /v1/approvals. Pure: app.ts's approval
// routes run the statements.
import { KcostError } from '../errors/kcost-error.js';
import type { Role, RoleGrant } from './access-config.js';
import { FORMATS, oneOf, type Format } from './allocation-params.js';
import { ParameterError } from './parameter-error.js';
import { scopeConditions, type Scope } from './scope.js';
import { SqlParams, type SqlQuery } from './sql-params.js';
import { checkTextParams } from './text-param.js';

/** Roles that may approve (and withdraw approvals), weakest first; viewer may only read them. */
export const APPROVER_ROLES = ['engineer', 'operator', 'admin'] as const satisfies readonly Role[];
export type ApproverRole = (typeof APPROVER_ROLES)[number];

/**
 * approved: in force and for the recommendation's current version (what an
 * operator may apply); stale: in force, but the recommendation has changed or
 * gone since (it needs a new approval); withdrawn: taken back.
 */
export const APPROVAL_STATES = ['approved', 'stale', 'withdrawn'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** A validated POST /v1/approvals body. */
export interface ApprovalRequest {
  readonly key: string;
  /** The version the approver saw; absent: whichever version is current. */
  readonly generatedAtMillis?: number;
  readonly comment: string;
}

/** A validated GET /v1/approvals query. */
export interface ApprovalsQuery {
  readonly key?: string;
  readonly cluster?: string;
  readonly namespace?: string;
  readonly states: readonly ApprovalState[];
  readonly limit: number;
  readonly format: Format;
}

export type ApprovalsParams = Readonly<Partial<Record<'key' | 'cluster' | 'namespace' | 'state' | 'limit' | 'format', string>>>;

/** The caller's grants that may approve: an empty scope for a caller who is viewer everywhere. */
export function approverScope(grants: readonly RoleGrant[]): Scope {
  return { grants: grants.filter((g) => (APPROVER_ROLES as readonly string[]).includes(g.role)) };
}

/**
 * Refuses (403) a caller with no role that may approve, before anything is
 * looked up: the answer is the same whatever the key, so it says nothing
 * about which recommendations exist.
 */
export function requireApprover(subject: string, grants: readonly RoleGrant[]): void {
  if (approverScope(grants).grants.length === 0) {
    const roles = [...new Set(grants.map((g) => g.role))].join(', ');
    throw new KcostError('FORBIDDEN', `approving needs the engineer, operator or admin role; ${subject} has ${roles || 'no role'}`);
  }
}

/** Checks the POST body; a bad field is a 400 naming it. */
export function compileApprovalRequest(body: { key: string; generatedAt?: number | string; comment?: string }): ApprovalRequest {
  checkTextParams({ key: body.key });
  if (body.key === '') throw new ParameterError('key', 'is empty; give the key of a recommendation');
  let generatedAtMillis: number | undefined;
  if (typeof body.generatedAt === 'number') generatedAtMillis = body.generatedAt;
  else if (typeof body.generatedAt === 'string') {
    generatedAtMillis = /^\d{4}-\d{2}-\d{2}T/.test(body.generatedAt) ? Date.parse(body.generatedAt) : NaN;
    if (Number.isNaN(generatedAtMillis)) throw new ParameterError('generatedAt', `${JSON.stringify(body.generatedAt)} is not an RFC 3339 time or epoch milliseconds`);
  }
  return { key: body.key, ...(generatedAtMillis === undefined ? {} : { generatedAtMillis }), comment: body.comment ?? '' };
}

/** Checks the GET query string; a bad value is a 400 naming its parameter. */
export function compileApprovalsQuery(params: ApprovalsParams, maxRows: number): ApprovalsQuery {
  checkTextParams(params);
  const limit = params.limit === undefined ? Math.min(1000, maxRows) : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxRows) throw new ParameterError('limit', `${JSON.stringify(params.limit)} is not a whole number from 1 to ${maxRows}`);
  return {
    ...(params.key === undefined ? {} : { key: params.key }),
    ...(params.cluster === undefined ? {} : { cluster: params.cluster }),
    ...(params.namespace === undefined ? {} : { namespace: params.namespace }),
    states: params.state === undefined ? APPROVAL_STATES : params.state.split(',').map((s) => oneOf('state', s.trim(), APPROVAL_STATES)),
    limit,
    format: oneOf('format', params.format ?? 'json', FORMATS),
  };
}

/** SQL that is true where one of the scope's grants holds the row (`TRUE` for an unrestricted scope). */
function scopeTest(scope: Scope, cluster: string, namespace: string, params: SqlParams): string {
  return scopeConditions(scope, { cluster, namespace }, params)[0] ?? 'TRUE';
}

/**
 * The recommendation `key` if the caller may see it (else no row: 404, as
 * for a key that does not exist), with the strongest role the caller may
 * approve it as (NULL: it may only read it, 403).
 */
export function planApprovalTarget(key: string, grants: readonly RoleGrant[]): SqlQuery {
  const params = new SqlParams();
  const roleCases = [...APPROVER_ROLES]
    .reverse()
    .map((role) => `WHEN ${scopeTest({ grants: grants.filter((g) => g.role === role) }, 'cluster', 'namespace', params)} THEN '${role}'`)
    .join(' ');
  const text = [
    `SELECT key, generated_at, cluster, namespace, CASE ${roleCases} END AS approver_role`,
    'FROM recommendation',
    `WHERE key = ${params.add(key, '::text')} AND ${scopeTest({ grants }, 'cluster', 'namespace', params)}`,
  ].join('\n');
  return { text, values: params.values };
}

/** What planApprovalTarget found. */
export interface ApprovalTarget {
  readonly key: string;
  readonly generatedAt: Date;
  readonly cluster: string;
  readonly namespace: string | null;
  readonly approverRole: ApproverRole | null;
}

export function toApprovalTarget(row: Record<string, unknown>): ApprovalTarget {
  return {
    key: row.key as string,
    generatedAt: row.generated_at as Date,
    cluster: row.cluster as string,
    namespace: (row.namespace as string | null) ?? null,
    approverRole: (row.approver_role as ApproverRole | null) ?? null,
  };
}

const APPROVAL_COLUMNS = 'id, key, generated_at, cluster, namespace, approved_by, approved_role, approved_at, comment, withdrawn_by, withdrawn_at';

/** The approval with its state, as every answer lists it. */
const WITH_STATE = `SELECT a.*, r.generated_at AS current_generated_at,
  CASE WHEN a.withdrawn_at IS NOT NULL THEN 'withdrawn' WHEN r.generated_at = a.generated_at THEN 'approved' ELSE 'stale' END AS state
  FROM recommendation_approval a LEFT JOIN recommendation r ON r.key = a.key`;

/**
 * Records the approval of the target's version, only while that version is
 * still the recommendation's (a newer one arrived meanwhile: no row, 409),
 * and only if no approval of it is in force (no row: the first one stands).
 */
export function planInsertApproval(target: ApprovalTarget, role: ApproverRole, subject: string, comment: string, nowMillis: number): SqlQuery {
  const params = new SqlParams();
  const text = `WITH inserted AS (
  INSERT INTO recommendation_approval (key, generated_at, cluster, namespace, approved_by, approved_role, approved_at, comment)
  SELECT key, generated_at, cluster, namespace, ${params.add(subject, '::text')}, ${params.add(role, '::text')}, ${params.add(new Date(nowMillis), '::timestamptz')}, ${params.add(comment, '::text')}
  FROM recommendation WHERE key = ${params.add(target.key, '::text')} AND generated_at = ${params.add(target.generatedAt, '::timestamptz')}
  ON CONFLICT (key, generated_at) WHERE withdrawn_at IS NULL DO NOTHING
  RETURNING ${APPROVAL_COLUMNS}
)
SELECT i.*, i.generated_at AS current_generated_at, 'approved' AS state FROM inserted i`;
  return { text, values: params.values };
}

/** The approval in force of one version, with its state. */
export function planApprovalInForce(key: string, generatedAt: Date): SqlQuery {
  const params = new SqlParams();
  return {
    text: `SELECT * FROM (${WITH_STATE}) s WHERE key = ${params.add(key, '::text')} AND generated_at = ${params.add(generatedAt, '::timestamptz')} AND withdrawn_at IS NULL`,
    values: params.values,
  };
}

/** One approval if the caller may see it, with whether it may withdraw it (its approver scope holds it). */
export function planApprovalById(id: string, grants: readonly RoleGrant[]): SqlQuery {
  const params = new SqlParams();
  const mayWithdraw = scopeTest(approverScope(grants), 'cluster', 'namespace', params);
  const text = `SELECT *, ${mayWithdraw} AS may_withdraw FROM (${WITH_STATE}) s
WHERE id = ${params.add(id, '::bigint')} AND ${scopeTest({ grants }, 'cluster', 'namespace', params)}`;
  return { text, values: params.values };
}

/** Withdraws an approval in force; no row when it was withdrawn meanwhile. */
export function planWithdrawApproval(id: string, subject: string, nowMillis: number): SqlQuery {
  const params = new SqlParams();
  const text = `WITH withdrawn AS (
  UPDATE recommendation_approval SET withdrawn_by = ${params.add(subject, '::text')}, withdrawn_at = ${params.add(new Date(nowMillis), '::timestamptz')}
  WHERE id = ${params.add(id, '::bigint')} AND withdrawn_at IS NULL
  RETURNING ${APPROVAL_COLUMNS}
)
SELECT w.*, r.generated_at AS current_generated_at, 'withdrawn' AS state FROM withdrawn w LEFT JOIN recommendation r ON r.key = w.key`;
  return { text, values: params.values };
}

/** Approvals within the scope that pass the filters, newest first, at most `limit`. */
export function planApprovals(query: ApprovalsQuery, scope: Scope): SqlQuery {
  const params = new SqlParams();
  const conditions = [scopeTest(scope, 'cluster', 'namespace', params), `state = ANY(${params.add([...query.states], '::text[]')})`];
  if (query.key !== undefined) conditions.push(`key = ${params.add(query.key, '::text')}`);
  if (query.cluster !== undefined) conditions.push(`cluster = ${params.add(query.cluster, '::text')}`);
  if (query.namespace !== undefined) conditions.push(`COALESCE(namespace, '') = ${params.add(query.namespace, '::text')}`);
  const text = `SELECT * FROM (${WITH_STATE}) s WHERE ${conditions.join(' AND ')} ORDER BY approved_at DESC, id DESC LIMIT ${params.add(query.limit, '::int')}`;
  return { text, values: params.values };
}

/** An approval as the API answers it. */
export interface ApprovalJson {
  readonly id: number;
  readonly key: string;
  readonly generatedAt: string;
  readonly cluster: string;
  readonly namespace: string | null;
  readonly state: ApprovalState;
  /** The recommendation's current version; null when it is gone. */
  readonly currentGeneratedAt: string | null;
  readonly approvedBy: string;
  readonly approvedRole: ApproverRole;
  readonly approvedAt: string;
  readonly comment: string;
  readonly withdrawnBy: string | null;
  readonly withdrawnAt: string | null;
}

export function toApprovalJson(row: Record<string, unknown>): ApprovalJson {
  const time = (value: unknown) => (value instanceof Date ? value.toISOString() : null);
  return {
    id: Number(row.id),
    key: row.key as string,
    generatedAt: time(row.generated_at) as string,
    cluster: row.cluster as string,
    namespace: (row.namespace as string | null) ?? null,
    state: row.state as ApprovalState,
    currentGeneratedAt: time(row.current_generated_at),
    approvedBy: row.approved_by as string,
    approvedRole: row.approved_role as ApproverRole,
    approvedAt: time(row.approved_at) as string,
    comment: row.comment as string,
    withdrawnBy: (row.withdrawn_by as string | null) ?? null,
    withdrawnAt: time(row.withdrawn_at),
  };
}
