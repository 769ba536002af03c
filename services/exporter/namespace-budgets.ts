import type { KubeObject } from '../codec/records.generated.js';
import { renderLabels } from './exposition.js';
import type { ApplyOutcome } from './namespace-costs.js';
import { SeriesFamily } from './series-family.js';

/** The namespace label that sets a monthly budget, in USD (e.g. `kcost.io/monthly-budget-usd: "1500"`). */
export const BUDGET_LABEL = 'kcost.io/monthly-budget-usd';

/**
 * kube_cost_namespace_budget_usd{cluster, namespace} from the budget label of
 * each namespace, as read from kcost.kube.v1: the series the budget alerts
 * compare against (deploy/prometheus/rules). A namespace that loses the label,
 * or is deleted, loses the series; an older observation never replaces a
 * newer one. Other kinds of object are ignored.
 */
export class NamespaceBudgets {
  readonly monthly = new SeriesFamily('kube_cost_namespace_budget_usd', `Monthly budget of the namespace, USD, from its ${BUDGET_LABEL} label.`, 'gauge');
  private readonly observedAt = new Map<string, number>();

  apply(object: KubeObject): ApplyOutcome {
    if (object.kind !== 'NAMESPACE') return 'ignored';
    const key = `${object.cluster}\u0000${object.name}`;
    const previous = this.observedAt.get(key);
    if (previous !== undefined && previous > object.observedAt) return 'duplicate';
    this.observedAt.set(key, object.observedAt);
    const raw = object.labels[BUDGET_LABEL];
    if (object.deletedAt !== null || raw === undefined) {
      this.monthly.delete(key);
      return 'applied';
    }
    const budget = parseBudget(raw);
    if (budget === null) {
      this.monthly.delete(key);
      return 'invalid';
    }
    this.monthly.set(key, renderLabels(['cluster', 'namespace'], [object.cluster, object.name]), budget);
    return 'applied';
  }

  get size(): number {
    return this.monthly.size;
  }
}

/** A plain positive decimal number ("1500", "99.5"); anything else (units, signs, exponents) is not a budget. */
export function parseBudget(raw: string): number | null {
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) return null;
  const value = Number(raw.trim());
  return Number.isFinite(value) && value > 0 ? value : null;
}
