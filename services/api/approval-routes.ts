// POST /v1/approvals, DELETE /v1/approvals/{id} and GET /v1/approvals
// (docs/approvals.md). Registered by app.ts; every write is logged with who,
// what and when, and stays in the table (the audit).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import { KcostError } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';
import type { DbRow } from './allocation-rows.js';
import { APPROVALS_SCHEMA, APPROVE_SCHEMA, WITHDRAW_SCHEMA } from './approval-schemas.js';
import {
  compileApprovalRequest,
  compileApprovalsQuery,
  planApprovalById,
  planApprovalInForce,
  planApprovals,
  planApprovalTarget,
  planInsertApproval,
  planWithdrawApproval,
  requireApprover,
  toApprovalJson,
  toApprovalTarget,
  type ApprovalJson,
  type ApprovalsParams,
} from './approvals-query.js';
import type { Principal } from './authenticator.js';
import { csvLine } from './csv.js';
import type { Lane } from './query-gate.js';
import type { SqlQuery } from './sql-params.js';

/** What the approval routes need from app.ts. */
export interface ApprovalRouteContext {
  readonly runQuery: (query: SqlQuery) => Promise<DbRow[]>;
  readonly admit: (request: FastifyRequest, reply: FastifyReply, lane: Lane) => Promise<void>;
  readonly clock: () => number;
  readonly maxRows: number;
  readonly principalOf: (request: FastifyRequest) => Principal;
}

const CSV_HEADER = ['id', 'key', 'generatedAt', 'cluster', 'namespace', 'state', 'currentGeneratedAt', 'approvedBy', 'approvedRole', 'approvedAt', 'comment', 'withdrawnBy', 'withdrawnAt'] as const satisfies ReadonlyArray<keyof ApprovalJson>;

export function registerApprovalRoutes(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>, context: ApprovalRouteContext): void {
  const notFound = (key: string) => new KcostError('NOT_FOUND', `no recommendation ${JSON.stringify(key)}`);

  app.post<{ Body: { key: string; generatedAt?: number | string; comment?: string } }>('/v1/approvals', { schema: APPROVE_SCHEMA, bodyLimit: 4096 }, async (request, reply) => {
    const principal = context.principalOf(request);
    requireApprover(principal.subject, principal.grants);
    const approval = compileApprovalRequest(request.body);
    await context.admit(request, reply, 'light');
    const [found] = await context.runQuery(planApprovalTarget(approval.key, principal.grants));
    if (!found) throw notFound(approval.key);
    const target = toApprovalTarget(found);
    const where = target.namespace ? `namespace ${target.namespace} of cluster ${target.cluster}` : `cluster ${target.cluster} (advice of no namespace)`;
    if (target.approverRole === null) throw new KcostError('FORBIDDEN', `approving ${approval.key} needs the engineer, operator or admin role over ${where}; ${principal.subject} may only view it`);
    const changed = () =>
      new KcostError('CONFLICT', `recommendation ${approval.key} has changed: its current version is ${target.generatedAt.toISOString()}, not ${new Date(approval.generatedAtMillis ?? 0).toISOString()}; review it and approve that version`);
    if (approval.generatedAtMillis !== undefined && approval.generatedAtMillis !== target.generatedAt.getTime()) throw changed();
    const [inserted] = await context.runQuery(planInsertApproval(target, target.approverRole, principal.subject, approval.comment, context.clock()));
    if (inserted) {
      const json = toApprovalJson(inserted);
      request.log.info({ audit: 'approve', subject: principal.subject, role: json.approvedRole, approval: json.id, key: json.key, generatedAt: json.generatedAt }, 'recommendation approved');
      return reply.code(201).send(json);
    }
    // Not inserted: an approval of this version is in force already, or the version changed meanwhile.
    const [existing] = await context.runQuery(planApprovalInForce(target.key, target.generatedAt));
    if (!existing) throw changed();
    return reply.code(200).send(toApprovalJson(existing));
  });

  app.delete<{ Params: { id: string } }>('/v1/approvals/:id', { schema: WITHDRAW_SCHEMA }, async (request, reply) => {
    const principal = context.principalOf(request);
    requireApprover(principal.subject, principal.grants);
    await context.admit(request, reply, 'light');
    const [found] = await context.runQuery(planApprovalById(request.params.id, principal.grants));
    if (!found) throw new KcostError('NOT_FOUND', `no approval ${request.params.id}`);
    if (found.may_withdraw !== true) throw new KcostError('FORBIDDEN', `withdrawing approval ${request.params.id} needs the engineer, operator or admin role over its recommendation; ${principal.subject} may only view it`);
    if (found.withdrawn_at !== null) return reply.code(200).send(toApprovalJson(found));
    const [withdrawn] = await context.runQuery(planWithdrawApproval(request.params.id, principal.subject, context.clock()));
    // Withdrawn by someone else in between: answer with that withdrawal.
    const json = toApprovalJson(withdrawn ?? (await context.runQuery(planApprovalById(request.params.id, principal.grants)))[0] ?? found);
    if (withdrawn) request.log.info({ audit: 'withdraw', subject: principal.subject, approval: json.id, key: json.key, generatedAt: json.generatedAt }, 'approval withdrawn');
    return reply.code(200).send(json);
  });

  app.get<{ Querystring: ApprovalsParams }>('/v1/approvals', { schema: APPROVALS_SCHEMA }, async (request, reply) => {
    const query = compileApprovalsQuery(request.query, context.maxRows);
    await context.admit(request, reply, 'light');
    const approvals = (await context.runQuery(planApprovals(query, context.principalOf(request)))).map(toApprovalJson);
    if (query.format === 'csv') {
      return reply.type('text/csv; charset=utf-8').send([csvLine([...CSV_HEADER]), ...approvals.map((a) => csvLine(CSV_HEADER.map((h) => a[h])))].join(''));
    }
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ approvals }));
  });
}
