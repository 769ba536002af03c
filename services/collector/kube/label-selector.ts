import type { LabelSelectorRequirement } from '../../codec/records.generated.js';

/**
 * Whether a pod's labels satisfy a label selector, as Kubernetes evaluates
 * one (apimachinery's LabelSelectorAsSelector): every matchLabels entry must
 * equal the pod's label and every matchExpressions requirement must hold.
 * An empty selector matches every pod: for a policy/v1 PodDisruptionBudget
 * that means every pod of its namespace (the caller keeps to the namespace).
 *
 * - `In`: the label is present and its value is one of `values`;
 * - `NotIn`: the label is absent, or its value is none of `values`;
 * - `Exists`: the label is present (any value); `DoesNotExist`: it is absent.
 *
 * An operator Kubernetes does not know matches nothing, as the API server
 * rejects such a selector and a selector that cannot be read selects no pod.
 */
export function selectorMatches(
  labels: Readonly<Record<string, string>>,
  matchLabels: Readonly<Record<string, string>>,
  matchExpressions: readonly LabelSelectorRequirement[],
): boolean {
  for (const [key, value] of Object.entries(matchLabels)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return matchExpressions.every((requirement) => requirementHolds(labels, requirement));
}

function requirementHolds(labels: Readonly<Record<string, string>>, requirement: LabelSelectorRequirement): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'In':
      return present && value !== undefined && requirement.values.includes(value);
    case 'NotIn':
      return !present || value === undefined || !requirement.values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}
