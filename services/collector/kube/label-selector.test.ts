import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabelSelectorRequirement } from '../../codec/records.generated.js';
import { selectorMatches } from './label-selector.js';

const pod = { app: 'storefront', tier: 'web', 'pod-template-hash': '5d8f' };
const req = (key: string, operator: string, values: string[] = []): LabelSelectorRequirement => ({ key, operator, values });

describe('selectorMatches', () => {
  it.each<[string, Record<string, string>, LabelSelectorRequirement[], boolean]>([
    ['an empty selector: every pod (of the namespace, for policy/v1)', {}, [], true],
    ['every matchLabels entry equal', { app: 'storefront', tier: 'web' }, [], true],
    ['one matchLabels value differs', { app: 'storefront', tier: 'db' }, [], false],
    ['a matchLabels key the pod lacks', { team: 'shop' }, [], false],
    ['In with the value listed', {}, [req('app', 'In', ['checkout', 'storefront'])], true],
    ['In with the value not listed', {}, [req('app', 'In', ['checkout'])], false],
    ['In on a label the pod lacks', {}, [req('canary', 'In', ['true'])], false],
    ['NotIn with the value listed', {}, [req('tier', 'NotIn', ['web'])], false],
    ['NotIn with the value not listed', {}, [req('tier', 'NotIn', ['db'])], true],
    ['NotIn on a label the pod lacks (holds, as in Kubernetes)', {}, [req('canary', 'NotIn', ['true'])], true],
    ['Exists on a present label', {}, [req('pod-template-hash', 'Exists')], true],
    ['Exists on an absent label', {}, [req('canary', 'Exists')], false],
    ['DoesNotExist on an absent label', {}, [req('canary', 'DoesNotExist')], true],
    ['DoesNotExist on a present label', {}, [req('app', 'DoesNotExist')], false],
    ['labels and expressions all holding', { tier: 'web' }, [req('app', 'In', ['storefront']), req('canary', 'DoesNotExist')], true],
    ['labels holding, one expression failing', { tier: 'web' }, [req('app', 'In', ['storefront']), req('tier', 'NotIn', ['web'])], false],
    ['an operator Kubernetes does not know', {}, [req('app', 'Matches', ['store.*'])], false],
    ['In with no values (what a budget without a selector is published with)', {}, [req('', 'In')], false],
  ])('%s', (_, matchLabels, matchExpressions, expected) => {
    expect(selectorMatches(pod, matchLabels, matchExpressions)).toBe(expected);
  });

  it('treats a label inherited from Object.prototype as absent', () => {
    expect(selectorMatches({}, {}, [req('constructor', 'Exists')])).toBe(false);
    expect(selectorMatches({}, { toString: 'x' }, [])).toBe(false);
  });

  const key = fc.constantFrom('app', 'tier', 'team', 'canary');
  const value = fc.constantFrom('a', 'b', 'c');
  const labels = fc.dictionary(key, value);
  const requirement = fc.record({ key, operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'), values: fc.array(value, { maxLength: 3 }) });

  it('is the conjunction of its parts: matches exactly when each label and each requirement matches alone', () => {
    fc.assert(
      fc.property(labels, labels, fc.array(requirement, { maxLength: 4 }), (podLabels, matchLabels, expressions) => {
        const parts = [
          ...Object.entries(matchLabels).map(([k, v]) => selectorMatches(podLabels, { [k]: v }, [])),
          ...expressions.map((e) => selectorMatches(podLabels, {}, [e])),
        ];
        expect(selectorMatches(podLabels, matchLabels, expressions)).toBe(parts.every(Boolean));
      }),
    );
  });

  it('In and NotIn on the same values are complements where the label is present; Exists and DoesNotExist always are', () => {
    fc.assert(
      fc.property(labels, key, fc.array(value, { maxLength: 3 }), (podLabels, k, values) => {
        const inside = selectorMatches(podLabels, {}, [req(k, 'In', values)]);
        const outside = selectorMatches(podLabels, {}, [req(k, 'NotIn', values)]);
        if (k in podLabels) expect(inside).toBe(!outside);
        else expect([inside, outside]).toEqual([false, true]);
        expect(selectorMatches(podLabels, {}, [req(k, 'Exists')])).toBe(!selectorMatches(podLabels, {}, [req(k, 'DoesNotExist')]));
      }),
    );
  });
});
