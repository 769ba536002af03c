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
    [{ window: 'yesterday', aggregate: 'pod' }, 'aggregate'],
    [{ window: 'yesterday', aggregate: 'label:app' }, 'aggregate'],
    [{ window: 'yesterday', filter: 'node:"n1"' }, 'filter'],
    [{ window: 'yesterday', step: '1h' }, 'step'],
  ] as Array<[AllocationParams, string]>)('refuses %j, naming %s', (params, parameter) => {
    expect(() => planReconciled(query(params), UNRESTRICTED, 100)).toThrow(ParameterError);
    try {
      planReconciled(query(params), UNRESTRICTED, 100);
    } catch (error) {
      expect((error as ParameterError).message).toContain(parameter);
    }
  });

  it('keeps pods and external rows within the caller\'s namespaces, and reads idle only when asked', () => {
    const scope: Scope = { grants: [{ clusters: ['c1'], namespaces: ['web'], nodeCosts: false }] };
    const statement = planReconciled(query({ window: 'yesterday', aggregate: 'cluster,namespace' }), scope, 100);
    expect(statement.text.match(/COALESCE\(namespace, ''\) = ANY/g)).toHaveLength(1);
    // External rows: __unallocated__ counts as no namespace, for callers given node costs only.
    expect(statement.text.match(/COALESCE\(NULLIF\(namespace, '__unallocated__'\), ''\) = ANY/g)).toHaveLength(1);
    expect(statement.text).not.toContain('reconciled_node_cost_daily');
    expect(statement.values).toContainEqual(['web']);
    expect(statement.values).toContainEqual(['c1']);
    expect(planReconciled(query({ window: 'yesterday', idle: 'include' }), UNRESTRICTED, 100).text).toContain('reconciled_node_cost_daily');
    expect(planReconciled(query({ window: 'yesterday' }), UNRESTRICTED, 100).values.at(-1)).toBe(101);
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

  it('names workload rows namespace/kind/name, external cost namespace/__external__, idle [cluster/][node/]__idle__', () => {
    const q = query({ window: 'yesterday', aggregate: 'cluster,workload', step: '1d' });
    const row = (g: unknown[], idle = false) => toReconciledRow(q, { bucket: '2026-03-03', idle, ...Object.fromEntries(g.map((v, i) => [`g${i}`, v])), list: 1, reconciled: 1, external: 0, idle_cost: 0 });
    expect(row(['c1', 'web', 'Deployment', 'front'])).toMatchObject({ name: 'c1/web/Deployment/front', properties: { cluster: 'c1', namespace: 'web', controllerKind: 'Deployment', controller: 'front' } });
    expect(row(['c1', 'web', '', '']).name).toBe('c1/web/__unallocated__');
    expect(row(['c1', 'web', '', '__external__']).name).toBe('c1/web/__external__');
    expect(row(['c1', null, null, null], true).name).toBe('c1/__idle__');
    const byNode = query({ window: 'yesterday', aggregate: 'cluster,node' });
    expect(toReconciledRow(byNode, { bucket: '2026-03-03', idle: true, g0: 'c1', g1: 'n1', list: 0, reconciled: 0, external: 0, idle_cost: 2 }).name).toBe('c1/n1/__idle__');
    expect(toReconciledRow(byNode, { bucket: '2026-03-03', idle: false, g0: 'c1', g1: '__external__', list: 0, reconciled: 0, external: 2, idle_cost: 0 }).name).toBe('c1/__external__');
  });

  it('idle=share weighs each node-day\'s idle by the reconciled cost of all its pods, before the caller\'s scope narrows them, and keeps idle of pod-less node-days', () => {
    const scope: Scope = { grants: [{ clusters: '*', namespaces: ['web'], nodeCosts: true }] };
    const { text } = planReconciled(query({ window: 'yesterday', aggregate: 'namespace', idle: 'share' }), scope, 100);
    const inner = text.slice(text.indexOf('OVER (PARTITION BY day, cluster, node_name)'), text.indexOf(') AS p'));
    expect(inner).not.toContain('namespace');
    expect(text.slice(text.indexOf(') AS p'))).toContain("COALESCE(namespace, '') = ANY");
    expect(text).toContain('<= 0');
  });
});
