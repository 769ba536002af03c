import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../codec/records.generated.js';
import { NamespaceBudgetBook } from './namespace-budget-book.js';

const namespace = (name: string, labels: Record<string, string>, observedAt: number, deletedAt: number | null = null): KubeObject => ({
  cluster: 'c1', kind: 'NAMESPACE', uid: `ns-${name}`, name, namespace: null, labels, resourceVersion: String(observedAt), createdAt: 0, deletedAt, observedAt, pod: null, node: null, volume: null, claim: null, hpa: null, workload: null, disruptionBudget: null,
});
const budget = (usd: string) => ({ 'kcost.io/monthly-budget-usd': usd });

describe('NamespaceBudgetBook', () => {
  it('keeps the newest label per namespace and drops it when the label goes, the namespace goes, or it is no plain number', () => {
    const book = new NamespaceBudgetBook();
    book.observe(namespace('shop', budget('1500'), 10));
    book.observe(namespace('shop', budget('900'), 5));
    book.observe(namespace('web', budget('250.5'), 10));
    book.observe(namespace('ops', budget('1e3'), 10));
    book.observe(null);
    expect(book.list().map((b) => [b.namespace, b.monthlyUsd])).toEqual([['shop', 1500], ['web', 250.5]]);
    book.observe(namespace('web', {}, 11));
    book.observe(namespace('shop', budget('1500'), 12, 12));
    expect(book.list()).toEqual([]);
  });

  it('moves its version only when a budget changes, so an unchanged resync writes nothing', () => {
    const book = new NamespaceBudgetBook();
    book.observe(namespace('shop', budget('1500'), 1));
    const version = book.version;
    book.observe(namespace('shop', budget('1500'), 2));
    book.observe(namespace('idle', {}, 2));
    expect(book.version).toBe(version);
    book.observe(namespace('shop', budget('2000'), 3));
    expect(book.version).toBe(version + 1);
  });
});
