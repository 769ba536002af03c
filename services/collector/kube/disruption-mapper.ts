import type { DisruptionBudgetState, LabelSelectorRequirement } from '../../codec/records.generated.js';
import type { KubeResource } from './kube-json.js';
import { MalformedObjectError } from './kube-json.js';

type IntOrString = number | string | null | undefined;

interface KubeLabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?: ReadonlyArray<{ readonly key?: string; readonly operator?: string; readonly values?: readonly string[] | null }> | null;
}

/** The policy/v1 PodDisruptionBudget fields the mapper reads. */
export interface KubePodDisruptionBudget extends KubeResource {
  readonly spec?: {
    readonly minAvailable?: IntOrString;
    readonly maxUnavailable?: IntOrString;
    readonly selector?: KubeLabelSelector | null;
  } | null;
  readonly status?: {
    readonly disruptionsAllowed?: number | null;
    readonly currentHealthy?: number | null;
    readonly desiredHealthy?: number | null;
    readonly expectedPods?: number | null;
  } | null;
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * What a budget without any selector is published with. In policy/v1 a null
 * selector selects no pod (an empty one selects them all), and the record
 * has no field for "none": a requirement no label set satisfies (In, no
 * values) keeps that meaning for any consumer that evaluates the selector.
 */
export const SELECTS_NO_POD: LabelSelectorRequirement = { key: '', operator: 'In', values: [] };

/** An int-or-string as given ("2", "50%"); null when unset. */
function intOrString(value: IntOrString, what: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new MalformedObjectError(`${what}: ${JSON.stringify(value)} is not a count`);
    return String(value);
  }
  if (typeof value !== 'string' || !/^\d+%?$/.test(value)) throw new MalformedObjectError(`${what}: ${JSON.stringify(value)} is neither a count nor a percent`);
  return value;
}

/** A status count (int32 ≥ 0); 0 when the disruption controller has not filled it in yet. */
function statusCount(value: number | null | undefined, what: string): number {
  if (value === null || value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) throw new MalformedObjectError(`${what}: ${JSON.stringify(value)} is not a count`);
  return value;
}

function requirementsOf(selector: KubeLabelSelector, label: string): LabelSelectorRequirement[] {
  return (selector.matchExpressions ?? []).map((expression, i) => {
    const what = `${label} spec.selector.matchExpressions[${i}]`;
    if (!expression.key) throw new MalformedObjectError(`${what}: no key`);
    if (!expression.operator || !OPERATORS.has(expression.operator)) throw new MalformedObjectError(`${what}: operator ${JSON.stringify(expression.operator)} is not In, NotIn, Exists or DoesNotExist`);
    return { key: expression.key, operator: expression.operator, values: [...(expression.values ?? [])] };
  });
}

/** PodDisruptionBudget state: its selector, its bound as given, and what the disruption controller last computed. */
export function mapDisruptionBudgetState(budget: KubePodDisruptionBudget, label: string): DisruptionBudgetState {
  const spec = budget.spec ?? {};
  const selector = spec.selector;
  const status = budget.status;
  return {
    minAvailable: intOrString(spec.minAvailable, `${label} spec.minAvailable`),
    maxUnavailable: intOrString(spec.maxUnavailable, `${label} spec.maxUnavailable`),
    matchLabels: { ...(selector?.matchLabels ?? {}) },
    matchExpressions: selector === null || selector === undefined ? [SELECTS_NO_POD] : requirementsOf(selector, label),
    disruptionsAllowed: statusCount(status?.disruptionsAllowed, `${label} status.disruptionsAllowed`),
    currentHealthy: statusCount(status?.currentHealthy, `${label} status.currentHealthy`),
    desiredHealthy: statusCount(status?.desiredHealthy, `${label} status.desiredHealthy`),
    expectedPods: statusCount(status?.expectedPods, `${label} status.expectedPods`),
  };
}
