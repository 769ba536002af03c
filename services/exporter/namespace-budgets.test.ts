import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../codec/records.generated.js';
import { autoscalerObject, workloadObject } from '../processor/record-builders.js';
import { BUDGET_LABEL, NamespaceBudgets, parseBudget } from './namespace-budgets.js';

const ns = (name: string, labels: Record<string, string>, observedAt = 1, deletedAt: number | null = null): KubeObject => ({
  cluster: 'prod', kind: 'NAMESPACE', uid: `ns-${name}`, name, namespace: null, labels, resourceVersion: '1', createdAt: 0, deletedAt, observedAt, pod: null, node: null, volume: null, claim: null, hpa: null, workload: null, disruptionBudget: null,
});

describe('parseBudget', () => {
  it('takes plain positive decimals only', () => {
    expect(parseBudget('1500')).toBe(1500);
    expect(parseBudget(' 99.5 ')).toBe(99.5);
    for (const raw of ['0', '-5', '1e3', '1,000', '$100', '100USD', '', 'lots']) expect(parseBudget(raw), raw).toBeNull();
  });
});

describe('NamespaceBudgets', () => {
  it('serves a budget per labelled namespace and drops it with the label or the namespace', () => {
    const budgets = new NamespaceBudgets();
    expect(budgets.apply(ns('shop', { [BUDGET_LABEL]: '1000' }))).toBe('applied');
    expect(budgets.apply(ns('data', { [BUDGET_LABEL]: 'a lot' }))).toBe('invalid');
    expect(budgets.apply({ ...ns('web', {}), kind: 'POD' })).toBe('ignored');
    expect(budgets.size).toBe(1);
    expect(Buffer.concat(budgets.monthly.chunks()).toString()).toContain('kube_cost_namespace_budget_usd{cluster="prod",namespace="shop"} 1000');
    expect(budgets.apply(ns('shop', { [BUDGET_LABEL]: '5' }, 0))).toBe('duplicate');
    expect(budgets.apply(ns('shop', {}, 2))).toBe('applied');
    expect(budgets.size).toBe(0);
    budgets.apply(ns('data', { [BUDGET_LABEL]: '10' }, 2));
    budgets.apply(ns('data', { [BUDGET_LABEL]: '10' }, 3, 3));
    expect(budgets.size).toBe(0);
  });

  it('ignores autoscalers and workloads, even one named like a budgeted namespace and carrying the label', () => {
    const budgets = new NamespaceBudgets();
    budgets.apply(ns('shop', { [BUDGET_LABEL]: '1000' }));
    const labels = { [BUDGET_LABEL]: '5' };
    expect(budgets.apply(autoscalerObject({ name: 'shop', namespace: 'shop', labels, observedAt: 2 }))).toBe('ignored');
    expect(budgets.apply(workloadObject({ name: 'shop', namespace: 'shop', labels, observedAt: 2, deletedAt: 2 }))).toBe('ignored');
    expect(Buffer.concat(budgets.monthly.chunks()).toString()).toContain('kube_cost_namespace_budget_usd{cluster="prod",namespace="shop"} 1000');
  });
});
