import { describe, expect, it } from 'vitest';
import { recommendation } from '../../test/fixtures/storage/recommendations.js';
import { keyMismatch, planLatest, type RecommendationEvent } from './recommendation-plan.js';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 11, 6, 12, 0);
const A = { workloadName: 'a' };
const B = { workloadName: 'b' };
const version = (target: { workloadName: string }, hours: number, savingUsd = hours): RecommendationEvent => {
  const value = recommendation({ target, generatedAt: T + hours * HOUR, savingUsd });
  return { key: value.key, value };
};
const tombstone = (target: { workloadName: string }): RecommendationEvent => ({ key: recommendation({ target }).key, value: null });
const keyOf = (target: { workloadName: string }) => recommendation({ target }).key;

/** Applies events one at a time to a table, the reference the plan must agree with. */
function applyOneByOne(stored: Map<string, number>, events: readonly RecommendationEvent[]): Map<string, number> {
  const table = new Map(stored);
  for (const e of events) {
    const key = e.value?.key ?? e.key;
    if (key === null) continue;
    if (e.value === null) table.delete(key);
    else if ((table.get(key) ?? -Infinity) <= e.value.generatedAt) table.set(key, e.value.generatedAt);
  }
  return table;
}

/** Applies a plan as the writer does: DELETE the cleared keys, then the conditional upsert. */
function applyPlan(stored: Map<string, number>, events: readonly RecommendationEvent[]): Map<string, number> {
  const table = new Map(stored);
  const plan = planLatest(events);
  for (const [key, outcome] of plan) if (outcome.action !== 'upsert') table.delete(key);
  for (const [key, outcome] of plan) {
    if (outcome.action === 'delete') continue;
    if ((table.get(key) ?? -Infinity) <= outcome.record.generatedAt) table.set(key, outcome.record.generatedAt);
  }
  return table;
}

describe('planLatest', () => {
  it('keeps the newest version per key, whatever the order, and a later tie', () => {
    const tie = version(A, 5, 99);
    const plan = planLatest([version(A, 5, 1), version(A, 9), version(A, 2), version(B, 1), tie]);
    expect(plan.get(keyOf(A))).toEqual({ action: 'upsert', record: version(A, 9).value });
    expect(plan.get(keyOf(B))).toEqual({ action: 'upsert', record: version(B, 1).value });
    expect(planLatest([version(A, 5, 1), tie]).get(keyOf(A))).toEqual({ action: 'upsert', record: tie.value });
  });

  it('deletes a key whose last event is a tombstone, and stores what follows a tombstone whatever the table held', () => {
    expect(planLatest([version(A, 9), tombstone(A)]).get(keyOf(A))).toEqual({ action: 'delete' });
    expect(planLatest([version(A, 9), tombstone(A), version(A, 1)]).get(keyOf(A))).toEqual({ action: 'replace', record: version(A, 1).value });
    expect(planLatest([{ key: null, value: null }]).size).toBe(0);
  });

  it('ends with the same table as applying the events one by one, for every order of a mixed batch', () => {
    const events = [version(A, 3), version(A, 1), tombstone(A), version(A, 2), version(B, 4), tombstone(B), version(A, 0)];
    const stores = [new Map<string, number>(), new Map([[keyOf(A), T + 10 * HOUR], [keyOf(B), T]]), new Map([[keyOf(A), T - HOUR]])];
    // Every rotation and its reverse of the batch, against tables that hold nothing, newer or older rows.
    for (let shift = 0; shift < events.length; shift++) {
      const rotated = [...events.slice(shift), ...events.slice(0, shift)];
      for (const order of [rotated, [...rotated].reverse()]) {
        for (const stored of stores) {
          for (let end = 0; end <= order.length; end++) {
            const batch = order.slice(0, end);
            expect(applyPlan(stored, batch)).toEqual(applyOneByOne(stored, batch));
          }
        }
      }
    }
  });
});

describe('keyMismatch', () => {
  it('accepts the record under its own key or no key, and names both keys otherwise', () => {
    const value = recommendation();
    expect(keyMismatch(value.key, value)).toBeUndefined();
    expect(keyMismatch(null, value)).toBeUndefined();
    expect(keyMismatch('prod-eu/shop/Deployment/other/app', value)).toBe(
      'the Kafka key "prod-eu/shop/Deployment/other/app" is not the record\'s key "prod-eu/shop/Deployment/checkout/app"',
    );
  });
});
