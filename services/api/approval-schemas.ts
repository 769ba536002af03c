// JSON schemas of the /v1/approvals routes (docs/approvals.md), for
// validation, serialization and /openapi.json.
import { FORMATS } from './allocation-params.js';
import { APPROVAL_STATES, APPROVER_ROLES } from './approvals-query.js';
import { ERROR_SCHEMA } from './schemas.js';

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
const nullableStr = (description: string, extra: Record<string, unknown> = {}) => ({ type: ['string', 'null'], description, ...extra });

const APPROVAL = {
  type: 'object',
  description: 'One approval of one version of a recommendation.',
  properties: {
    id: { type: 'integer', description: 'Approval id (DELETE /v1/approvals/{id} withdraws it).' },
    key: str('The recommendation\'s key.'),
    generatedAt: str('The version approved: the recommendation\'s generatedAt when it was approved, RFC 3339.', { format: 'date-time' }),
    cluster: str('Cluster of the recommendation.'),
    namespace: nullableStr('Namespace of the recommendation; null for advice about no namespace (a node).'),
    state: str('approved: in force for the recommendation\'s current version (what may be applied); stale: in force, but the recommendation changed or is gone since; withdrawn.', { enum: [...APPROVAL_STATES] }),
    currentGeneratedAt: nullableStr('The recommendation\'s current version; null when it is gone.', { format: 'date-time' }),
    approvedBy: str('Who approved: the token\'s subject.'),
    approvedRole: str('The approver\'s strongest role over the recommendation.', { enum: [...APPROVER_ROLES] }),
    approvedAt: str('When, RFC 3339.', { format: 'date-time' }),
    comment: str('The approver\'s note.'),
    withdrawnBy: nullableStr('Who withdrew it; null while in force.'),
    withdrawnAt: nullableStr('When it was withdrawn; null while in force.', { format: 'date-time' }),
  },
  required: ['id', 'key', 'generatedAt', 'cluster', 'namespace', 'state', 'currentGeneratedAt', 'approvedBy', 'approvedRole', 'approvedAt', 'comment', 'withdrawnBy', 'withdrawnAt'],
} as const;

const errors = { 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 403: ERROR_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA, 429: ERROR_SCHEMA, 503: ERROR_SCHEMA } as const;

export const APPROVE_SCHEMA = {
  summary: 'Approve one version of a recommendation.',
  description:
    'Records that the caller approves the recommendation `key` at version `generatedAt` (the version it was shown; omitted: the current one). Needs the engineer, operator or admin role over the recommendation\'s namespace (403 for a caller that is viewer everywhere, whatever the key; 404 for a key outside what the caller may see, as for one that does not exist; 403 for one it may see only as viewer). 201 with the new approval, 200 with the one already in force, 409 when the recommendation has changed since `generatedAt`.',
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      key: str('The recommendation\'s key, as /v1/recommendations lists it.', { maxLength: 1024 }),
      generatedAt: {
        description: 'The version approved: the recommendation\'s generatedAt, in epoch milliseconds (as /v1/recommendations lists it) or RFC 3339.',
        anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 40 }],
      },
      comment: str('A note for the audit (at most 500 characters).', { maxLength: 500 }),
    },
    required: ['key'],
  },
  response: { 200: APPROVAL, 201: APPROVAL, ...errors },
} as const;

export const WITHDRAW_SCHEMA = {
  summary: 'Withdraw an approval.',
  description: 'Withdraws the approval `id` (it stays listed, as withdrawn, for the audit). Who may approve the recommendation may withdraw its approval. 404 for an approval outside what the caller may see; 200 with the approval, also when it was withdrawn already.',
  params: { type: 'object', properties: { id: str('Approval id.', { pattern: '^[0-9]{1,18}$' }) }, required: ['id'] },
  response: { 200: APPROVAL, ...errors },
} as const;

export const APPROVALS_SCHEMA = {
  summary: 'Approvals within the caller\'s scope, newest first.',
  description: 'Every approval of the caller\'s namespaces (of no namespace only with nodeCosts), with its state. A kcost operator applies a recommendation only while an approval of its current version is listed as approved.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      key: str('Only approvals of this recommendation.', { maxLength: 1024 }),
      cluster: str('Only this cluster.', { maxLength: 253 }),
      namespace: str('Only this namespace (empty: advice of no namespace).', { maxLength: 253 }),
      state: str(`Only these states, comma-separated: ${APPROVAL_STATES.join(', ')} (default all).`, { maxLength: 40 }),
      limit: str('Most approvals returned (default 1000).', { pattern: '^[0-9]{1,9}$' }),
      format: str('json (default) or csv (text/csv, one line per approval).', { enum: [...FORMATS] }),
    },
  },
  response: {
    200: { type: 'object', description: 'The approvals.', properties: { approvals: { type: 'array', items: APPROVAL } }, required: ['approvals'] },
    ...errors,
  },
} as const;
