import { describe, expect, it } from 'vitest';
import type { BillingLine } from '../codec/records.generated.js';
import { billingLineKey } from '../kafka/topics.js';
import { planBillingLines } from './billing-writer.js';

const line = (lineId: string, effectiveCost: number): BillingLine =>
  ({ billingAccountId: 'acct', billingPeriodStart: Date.UTC(2026, 10, 1), lineId, effectiveCost }) as BillingLine;

describe('planBillingLines', () => {
  it('leaves each key as its last event in offset order: a restated line wins, a tombstone deletes, a line after a tombstone comes back', () => {
    const a1 = line('a', 1);
    const a2 = line('a', 2);
    const b = line('b', 5);
    const c = line('c', 7);
    const plan = planBillingLines([
      { key: billingLineKey(a1), value: a1 },
      { key: billingLineKey(b), value: b },
      { key: billingLineKey(a2), value: a2 },
      { key: billingLineKey(b), value: null },
      { key: billingLineKey(c), value: null },
      { key: billingLineKey(c), value: c },
      { key: null, value: null },
    ]);
    expect([...plan]).toEqual([
      ['acct/2026-11-01/a', a2],
      ['acct/2026-11-01/b', null],
      ['acct/2026-11-01/c', c],
    ]);
  });
});
