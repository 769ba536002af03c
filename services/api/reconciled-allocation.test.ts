import { describe, expect, it } from 'vitest';
import { compileAllocationQuery, type AllocationParams } from './allocation-params.js';
import { ParameterError } from './parameter-error.js';
import { planReconciled, toReconciledRow } from './reconciled-allocation.js';
import { UNRESTRICTED, type Scope } from './scope.js';

const NOW = Date.parse('2026-03-04T13:20:00Z');
const query = (params: AllocationParams) => compileAllocationQuery(params, NOW);

describe('costBasis=reconciled', () => {
  it.each([
    [{ window: '24h' }, 'window'],
    [{ window: 'yesterday', aggregate: 'workload' }, 'aggregate'],
    [{ window: 'yesterday', filter: 'node:"n1"' }, 'filter'],
    [{ window: 'yesterday', step: '1h' }, 'step'],
    [{ window: 'yesterday', idle: 'share' }, 'idle'],
  ] as Array<[AllocationParams, string]>)('refuses %j, naming %s', (params, parameter) => {
    expect(() => planReconciled(query(params), UNRESTRICTED)).toThrow(ParameterError);
    try {
      planReconciled(query(params), UNRESTRICTED);
    } catch (error) {
      expect((error as ParameterError).message).toContain(parameter);
    }
  });

  it('keeps pods and external rows within the caller\'s namespaces, and reads idle only when asked', () => {
    const scope: Scope = { grants: [{ clusters: ['c1'], namespaces: ['web'], nodeCosts: false }] };
    const statement = planReconciled(query({ window: 'yesterday', aggregate: 'cluster,namespace' }), scope);
    expect(statement.text.match(/COALESCE\(namespace, ''\) = ANY/g)).toHaveLength(2);
    expect(statement.text).not.toContain('reconciled_node_cost_daily');
    expect(statement.values).toContainEqual(['web']);
    expect(statement.values).toContainEqual(['c1']);
    expect(planReconciled(query({ window: 'yesterday', idle: 'include' }), UNRESTRICTED).text).toContain('reconciled_node_cost_daily');
  });

  it('names rows by their values, idle as [cluster/]__idle__, and totals reconciled + external + idle', () => {
    const q = query({ window: 'yesterday', aggregate: 'cluster,namespace', step: '1d' });
    expect(toReconciledRow(q, { bucket: '2026-03-03', idle: false, g0: 'c1', g1: 'web', list: 10, reconciled: 8, external: 1.5, idle_cost: 0 })).toEqual({
      name: 'c1/web',
      properties: { cluster: 'c1', namespace: 'web' },
      start: '2026-03-03T00:00:00.000Z',
      end: '2026-03-04T00:00:00.000Z',
      listCostUsd: 10,
      reconciledCostUsd: 8,
      externalCostUsd: 1.5,
      idleCostUsd: 0,
      totalCostUsd: 9.5,
    });
    expect(toReconciledRow(q, { bucket: '2026-03-03', idle: true, g0: 'c1', g1: null, list: 0, reconciled: 0, external: 0, idle_cost: 2 })).toMatchObject({ name: 'c1/__idle__', totalCostUsd: 2 });
    expect(toReconciledRow(q, { bucket: '2026-03-03', idle: false, g0: '', g1: '__unallocated__', list: 0, reconciled: 0, external: 3, idle_cost: 0 }).name).toBe('__unallocated__/__unallocated__');
  });
});
