import type { Aggregate } from './allocation-params.js';
import { isLabelKey, type FilterClause } from './filter.js';

/** A monthly budget for one cluster, namespace or label value, from --budgets. */
export interface BudgetDefinition {
  readonly scope: 'cluster' | 'namespace' | 'label';
  /** The label key, for scope label. */
  readonly labelKey?: string;
  /** The cluster, namespace or label value the budget is for. */
  readonly value: string;
  readonly monthlyUsd: number;
  /** For a namespace budget from its label: the one cluster it is in (a configured namespace budget spans every cluster). */
  readonly cluster?: string;
  /** config: --budgets; label: the namespace's kcost.io/monthly-budget-usd label (namespace_budget). */
  readonly source: 'config' | 'label';
}

export const BUDGETS_FORMS = 'comma-separated <scope>/<name>=<USD a month>, scope cluster, namespace or label:<key> (e.g. namespace/shop=1500,cluster/prod=20000,label:team/payments=3000)';

/** Parses --budgets; throws a plain Error naming the bad entry (the settings wrap it with the flag). */
export function parseBudgets(raw: string): BudgetDefinition[] {
  if (raw.trim() === '') return [];
  const seen = new Set<string>();
  return raw.split(',').map((entry) => {
    const match = /^(cluster|namespace|label:([^/=]+))\/([^=]+)=(\d+(?:\.\d+)?)$/.exec(entry.trim());
    if (!match) throw new Error(`${JSON.stringify(entry.trim())} is not ${BUDGETS_FORMS}`);
    const [, scopeText, labelKey, value, usd] = match as unknown as [string, string, string | undefined, string, string];
    if (labelKey !== undefined && !isLabelKey(labelKey)) throw new Error(`${JSON.stringify(labelKey)} in ${JSON.stringify(entry.trim())} is not a Kubernetes label key`);
    const monthlyUsd = Number(usd);
    if (!(monthlyUsd > 0)) throw new Error(`the budget of ${JSON.stringify(entry.trim())} must be above 0`);
    const key = `${scopeText}/${value}`;
    if (seen.has(key)) throw new Error(`${key} has two budgets`);
    seen.add(key);
    const scope = labelKey === undefined ? (scopeText as 'cluster' | 'namespace') : 'label';
    return { scope, ...(labelKey === undefined ? {} : { labelKey }), value, monthlyUsd, source: 'config' as const };
  });
}

/** The aggregate and filter that select exactly the budget's cost. */
export function budgetSelection(budget: BudgetDefinition): { aggregate: Aggregate[]; filter: FilterClause[] } {
  if (budget.scope === 'label') {
    const labelKey = budget.labelKey ?? '';
    return { aggregate: [{ dimension: 'label', labelKey }], filter: [{ field: 'label', labelKey, negated: false, values: [budget.value] }] };
  }
  if (budget.cluster !== undefined) {
    return {
      aggregate: [{ dimension: 'cluster' }, { dimension: 'namespace' }],
      filter: [
        { field: 'cluster', negated: false, values: [budget.cluster] },
        { field: 'namespace', negated: false, values: [budget.value] },
      ],
    };
  }
  return { aggregate: [{ dimension: budget.scope }], filter: [{ field: budget.scope, negated: false, values: [budget.value] }] };
}

/** The namespaces' own budgets, as `kcost forecast` stored them from their labels (rows of namespace_budget). */
export function labelBudgetsOf(rows: ReadonlyArray<Record<string, unknown>>): BudgetDefinition[] {
  return rows.map((row) => ({ scope: 'namespace', value: String(row.namespace), cluster: String(row.cluster), monthlyUsd: Number(row.monthly_usd), source: 'label' }));
}

/** How the budget is named in answers: namespace/shop, label:team/payments, and a label's cluster/prod/namespace/shop. */
export function budgetName(budget: BudgetDefinition): string {
  if (budget.cluster !== undefined) return `cluster/${budget.cluster}/namespace/${budget.value}`;
  return `${budget.scope === 'label' ? `label:${budget.labelKey ?? ''}` : budget.scope}/${budget.value}`;
}
