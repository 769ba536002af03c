import { describe, expect, it } from 'vitest';
import {
  decodeCostRate,
  decodeIdleMark,
  decodeSeriesSnapshot,
  decodeTick,
  encodeCostRate,
  encodeIdleMark,
  encodeSeriesSnapshot,
  encodeTick,
  idleMarkHeaders,
  isIdleMark,
  isTick,
  sourceHeaders,
  sourceOf,
  tickHeaders,
} from './internal-records.js';

describe('internal records', () => {
  it('round-trip ticks, cost shares, closed marks, series snapshots and source headers', () => {
    const tick = { cluster: 'prod', windowStart: 1_700_000_000_000, windowSeconds: 60, source: 3 };
    expect(decodeTick(encodeTick(tick))).toEqual(tick);
    expect(isTick(tickHeaders())).toBe(true);
    expect(isTick(sourceHeaders({ partition: 1, offset: '42' }))).toBe(false);
    expect(sourceOf(sourceHeaders({ partition: 1, offset: '42' }))).toEqual({ partition: 1, offset: '42' });
    expect(sourceOf(undefined)).toBeNull();
    expect(decodeIdleMark(encodeIdleMark({ source: 2 }))).toEqual({ source: 2 });
    expect(isIdleMark(idleMarkHeaders())).toBe(true);
    expect(isTick(idleMarkHeaders())).toBe(false);
    const cost = { kind: 'cost' as const, point: { cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'api', windowStart: 0, totalCostUsd: 0.5, onDemandCostUsd: 0.7 } };
    expect(decodeCostRate(encodeCostRate(cost))).toEqual(cost);
    const mark = { kind: 'mark' as const, mark: { sources: [0, 2], closedThrough: 3_600_000 } };
    expect(decodeCostRate(encodeCostRate(mark))).toEqual(mark);
    const snapshot = { cluster: 'prod', scope: 'WORKLOAD' as const, key: 'shop/Deployment/api', namespace: 'shop', history: [[0, 1.5], [3_600_000, 1.25]] as Array<[number, number]> };
    expect(decodeSeriesSnapshot(encodeSeriesSnapshot(snapshot))).toEqual(snapshot);
  });

  it('refuses what it did not write, with a stable reason code', () => {
    expect(() => decodeTick(Buffer.from('{"cluster":"prod"}'))).toThrow(expect.objectContaining({ code: 'MALFORMED_INTERNAL_RECORD' }));
    expect(() => decodeIdleMark(Buffer.from('{"source":"1"}'))).toThrow(/idle mark/);
    expect(() => decodeCostRate(Buffer.from('not json'))).toThrow(expect.objectContaining({ code: 'MALFORMED_INTERNAL_RECORD' }));
    expect(() => decodeCostRate(Buffer.from('{"kind":"cost","point":{"cluster":"prod"}}'))).toThrow(/cost-rate record/);
    expect(() => decodeSeriesSnapshot(Buffer.from('{"cluster":"p","scope":"POD","key":"k","namespace":"n","history":[]}'))).toThrow(/anomaly history/);
    expect(() => decodeSeriesSnapshot(Buffer.from('{"cluster":"p","scope":"NAMESPACE","key":"k","namespace":"n","history":[[1,"x"]]}'))).toThrow(/anomaly history/);
  });
});
