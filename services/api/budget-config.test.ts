import { describe, expect, it } from 'vitest';
import { budgetName, budgetSelection, labelBudgetsOf, parseBudgets } from './budget-config.js';

describe('--budgets', () => {
  it('reads cluster, namespace and label budgets', () => {
    const budgets = parseBudgets('namespace/shop=1500, cluster/prod=20000,label:team/payments=3000.5');
    expect(budgets).toEqual([
      { scope: 'namespace', value: 'shop', monthlyUsd: 1500, source: 'config' },
      { scope: 'cluster', value: 'prod', monthlyUsd: 20000, source: 'config' },
      { scope: 'label', labelKey: 'team', value: 'payments', monthlyUsd: 3000.5, source: 'config' },
    ]);
    expect(budgets.map(budgetName)).toEqual(['namespace/shop', 'cluster/prod', 'label:team/payments']);
    expect(budgetSelection(budgets[2] as never)).toEqual({ aggregate: [{ dimension: 'label', labelKey: 'team' }], filter: [{ field: 'label', labelKey: 'team', negated: false, values: ['payments'] }] });
    expect(parseBudgets('')).toEqual([]);
  });

  it('selects a namespace budget from its label in its own cluster only, named with the cluster', () => {
    const [budget] = labelBudgetsOf([{ cluster: 'prod', namespace: 'shop', monthly_usd: 1500 }]);
    expect(budget).toEqual({ scope: 'namespace', value: 'shop', cluster: 'prod', monthlyUsd: 1500, source: 'label' });
    expect(budgetName(budget as never)).toBe('cluster/prod/namespace/shop');
    expect(budgetSelection(budget as never).filter).toEqual([
      { field: 'cluster', negated: false, values: ['prod'] },
      { field: 'namespace', negated: false, values: ['shop'] },
    ]);
  });

  it.each([
    ['pod/x=5', /is not comma-separated/],
    ['namespace/shop=-5', /is not/],
    ['namespace/shop=0', /above 0/],
    ['namespace/shop=10,namespace/shop=20', /two budgets/],
    ['label:-bad/x=10', /label key/],
  ])('refuses %s', (raw, message) => {
    expect(() => parseBudgets(raw)).toThrow(message);
  });
});
