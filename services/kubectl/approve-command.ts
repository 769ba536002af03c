import type { ApprovalJson } from '../api/approvals-query.js';
import { KcostError } from '../errors/kcost-error.js';
import type { CostApi } from './api-client.js';

export interface ApproveOptions {
  readonly comment: string;
  /** The version to approve, as given (RFC 3339 or epoch milliseconds); empty: the current one. */
  readonly generatedAt: string;
  readonly output: 'table' | 'json' | 'csv';
}

/**
 * `kubectl cost approve <key>`: POST /v1/approvals (docs/approvals.md) and
 * say what was approved, which version, as which role; with -o json the
 * approval as the API answers it.
 */
export async function approveCommand(api: CostApi, key: string | undefined, options: ApproveOptions): Promise<string> {
  if (key === undefined || key === '') throw new KcostError('INVALID_CONFIG', 'kubectl cost approve needs the key of a recommendation, as kubectl cost recommendations -o json lists it');
  if (options.output === 'csv') throw new KcostError('INVALID_CONFIG', 'kubectl cost approve prints a line or, with -o json, the approval; not csv');
  const version = /^\d+$/.test(options.generatedAt) ? Number(options.generatedAt) : options.generatedAt;
  const { status, body } = await api.post<ApprovalJson>('v1/approvals', { key, ...(options.generatedAt === '' ? {} : { generatedAt: version }), ...(options.comment === '' ? {} : { comment: options.comment }) });
  if (options.output === 'json') return `${JSON.stringify(body, null, 2)}\n`;
  const what = status === 201 ? 'approved' : 'already approved';
  return `${body.key} ${what}: version ${body.generatedAt}, by ${body.approvedBy} as ${body.approvedRole} (approval ${body.id})\n`;
}
