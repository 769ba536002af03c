import { describe, expect, it } from 'vitest';
import { bucketCount, bucketOf, bucketStart, CPU_BUCKETS, MEMORY_BUCKETS, percentileOf, type SparseWeights, addWeight } from './histogram.js';

describe('exponential buckets', () => {
  it('start where VPA puts them: 0, then first × (ratio^n − 1)/(ratio − 1)', () => {
    expect(bucketStart(CPU_BUCKETS, 0)).toBe(0);
    expect(bucketStart(CPU_BUCKETS, 1)).toBeCloseTo(0.01, 12);
    expect(bucketStart(CPU_BUCKETS, 2)).toBeCloseTo(0.01 + 0.0105, 12);
    expect(bucketStart(MEMORY_BUCKETS, 1)).toBeCloseTo(1e7, 3);
  });

  it('put a value in the bucket whose range holds it, and clamp out-of-range values', () => {
    for (const value of [0.0001, 0.01, 0.2, 1, 3.7, 64]) {
      const b = bucketOf(CPU_BUCKETS, value);
      expect(bucketStart(CPU_BUCKETS, b)).toBeLessThanOrEqual(value * (1 + 1e-12));
      expect(bucketStart(CPU_BUCKETS, b + 1)).toBeGreaterThan(value);
    }
    expect(bucketOf(CPU_BUCKETS, -1)).toBe(0);
    expect(bucketOf(CPU_BUCKETS, 1e9)).toBe(bucketCount(CPU_BUCKETS) - 1);
    expect(bucketOf(CPU_BUCKETS, Number.NaN)).toBe(0);
  });
});

describe('percentileOf', () => {
  it('answers the end of the bucket where the running weight reaches the threshold', () => {
    const w: SparseWeights = new Map();
    for (let i = 0; i < 9; i++) addWeight(w, CPU_BUCKETS, 0.1, 1);
    addWeight(w, CPU_BUCKETS, 1, 1);
    const b01 = bucketOf(CPU_BUCKETS, 0.1);
    const b1 = bucketOf(CPU_BUCKETS, 1);
    expect(percentileOf(w, CPU_BUCKETS, 0.9)).toBeCloseTo(bucketStart(CPU_BUCKETS, b01 + 1), 12);
    expect(percentileOf(w, CPU_BUCKETS, 0.95)).toBeCloseTo(bucketStart(CPU_BUCKETS, b1 + 1), 12);
    // Within 5 % of the true value, above it.
    expect(percentileOf(w, CPU_BUCKETS, 0.95)).toBeGreaterThan(1);
    expect(percentileOf(w, CPU_BUCKETS, 0.95)).toBeLessThan(1.06);
  });

  it('weighs samples: a heavy sample moves the percentile', () => {
    const w: SparseWeights = new Map();
    addWeight(w, CPU_BUCKETS, 0.1, 1);
    addWeight(w, CPU_BUCKETS, 2, 9);
    expect(percentileOf(w, CPU_BUCKETS, 0.5)).toBeGreaterThan(2);
  });

  it('is 0 on an empty histogram', () => {
    expect(percentileOf(new Map(), MEMORY_BUCKETS, 0.9)).toBe(0);
  });
});
