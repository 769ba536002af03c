import { describe, expect, it } from 'vitest';
import type { RoleGrant } from './access-config.js';
import { approverScope, compileApprovalRequest, compileApprovalsQuery, planApprovalTarget, requireApprover } from './approvals-query.js';
import { ALL } from './scope.js';

const grant = (role: RoleGrant['role'], namespaces: readonly string[] | typeof ALL, nodeCosts = false): RoleGrant => ({ role, namespaces, clusters: ALL, nodeCosts });

describe('who may approve', () => {
  it.each([
    [[grant('viewer', ['web'])], false],
    [[grant('viewer', ALL, true)], false],
    [[grant('engineer', ['web'])], true],
    [[grant('viewer', ['web']), grant('operator', ['api'])], true],
    [[grant('admin', ALL, true)], true],
  ] as const)('grants %j: approver %s', (grants, approver) => {
    expect(approverScope(grants).grants.length > 0).toBe(approver);
    if (approver) expect(() => requireApprover('alice', grants)).not.toThrow();
    else expect(() => requireApprover('alice', grants)).toThrow(/approving needs the engineer, operator or admin role; alice has viewer/);
  });

  it('keeps only the approving grants: a viewer grant over a namespace does not let its holder approve there', () => {
    expect(approverScope([grant('viewer', ['web']), grant('engineer', ['api'])]).grants).toEqual([grant('engineer', ['api'])]);
  });

  it('looks the key up within every grant, and names the strongest role whose grant holds it, admin first', () => {
    const query = planApprovalTarget('c1/web/Deployment/frontend/app', [grant('viewer', ['web']), grant('engineer', ['api']), grant('operator', ['api'])]);
    expect(query.text).toMatch(/CASE WHEN FALSE THEN 'admin' WHEN .* THEN 'operator' WHEN .* THEN 'engineer' END/);
    expect(query.values).toContain('c1/web/Deployment/frontend/app');
    expect(query.values).toContainEqual(['web']);
  });
});

describe('request parsing', () => {
  it('takes the version as epoch milliseconds or RFC 3339, and none as the current one', () => {
    expect(compileApprovalRequest({ key: 'k', generatedAt: 1_790_000_000_000 }).generatedAtMillis).toBe(1_790_000_000_000);
    expect(compileApprovalRequest({ key: 'k', generatedAt: '2026-11-01T03:00:00Z' }).generatedAtMillis).toBe(Date.parse('2026-11-01T03:00:00Z'));
    expect(compileApprovalRequest({ key: 'k' })).toEqual({ key: 'k', comment: '' });
  });

  it.each([
    [{ key: '' }, 'key'],
    [{ key: 'a\u0000b' }, 'key'],
    [{ key: 'k', generatedAt: 'yesterday' }, 'generatedAt'],
    [{ key: 'k', generatedAt: '2026-13-45T00:00:00Z' }, 'generatedAt'],
  ])('refuses %j naming %s', (body, parameter) => {
    expect(() => compileApprovalRequest(body)).toThrow(expect.objectContaining({ parameter }));
  });

  it('lists every state by default and refuses an unknown one by name', () => {
    expect(compileApprovalsQuery({}, 100)).toMatchObject({ states: ['approved', 'stale', 'withdrawn'], limit: 100, format: 'json' });
    expect(() => compileApprovalsQuery({ state: 'approved,pending' }, 100)).toThrow(expect.objectContaining({ parameter: 'state' }));
    expect(() => compileApprovalsQuery({ limit: '101' }, 100)).toThrow(expect.objectContaining({ parameter: 'limit' }));
  });
});
