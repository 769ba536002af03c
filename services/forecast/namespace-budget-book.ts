// The namespaces' own monthly budgets, from their kcost.io/monthly-budget-usd
// label as kcost.kube.v1 carries it: the same label and the same reading as
// the exporter's kube_cost_namespace_budget_usd, kept here so `kcost forecast`
// can store them for GET /v1/budgets (the API reads only the database).
import type { KubeObject } from '../codec/records.generated.js';
import { BUDGET_LABEL, parseBudget } from '../exporter/namespace-budgets.js';

/** One namespace's budget, USD a month. */
export interface NamespaceBudget {
  readonly cluster: string;
  readonly namespace: string;
  readonly monthlyUsd: number;
  /** When the label was observed, epoch milliseconds. */
  readonly observedAtMillis: number;
}

/**
 * The latest budget per cluster and namespace. A namespace that loses the
 * label (or carries a value that is no plain positive number), or is deleted,
 * has none; an older observation never replaces a newer one. `version` moves
 * on every change, so a writer knows when there is something new to store.
 */
export class NamespaceBudgetBook {
  private readonly budgets = new Map<string, NamespaceBudget>();
  private readonly observedAt = new Map<string, number>();
  private changes = 0;

  observe(object: KubeObject | null): void {
    if (object === null || object.kind !== 'NAMESPACE') return;
    const key = `${object.cluster}\u0000${object.name}`;
    const previous = this.observedAt.get(key);
    if (previous !== undefined && previous > object.observedAt) return;
    this.observedAt.set(key, object.observedAt);
    const raw = object.labels[BUDGET_LABEL];
    const monthlyUsd = object.deletedAt === null && raw !== undefined ? parseBudget(raw) : null;
    const before = this.budgets.get(key);
    if (monthlyUsd === null) {
      if (before !== undefined) this.changes++;
      this.budgets.delete(key);
      return;
    }
    if (before?.monthlyUsd !== monthlyUsd) this.changes++;
    this.budgets.set(key, { cluster: object.cluster, namespace: object.name, monthlyUsd, observedAtMillis: object.observedAt });
  }

  get version(): number {
    return this.changes;
  }

  list(): NamespaceBudget[] {
    return [...this.budgets.values()].sort((a, b) => (a.cluster === b.cluster ? (a.namespace < b.namespace ? -1 : 1) : a.cluster < b.cluster ? -1 : 1));
  }
}
