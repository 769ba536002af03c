import { describe, expect, it } from 'vitest';
import { Lanes } from './lanes.js';

describe('Lanes', () => {
  it('hold the event time at the slowest lane, and at nothing while a lane is unheard of', () => {
    const lanes = new Lanes(3);
    lanes.tick(0, 500);
    lanes.tick(1, 300);
    expect(lanes.watermark).toBe(Number.NEGATIVE_INFINITY);
    lanes.tick(2, 400);
    expect(lanes.watermark).toBe(300);
  });

  it('stop waiting for an idle lane, and take the fastest once every lane is idle', () => {
    const lanes = new Lanes(3);
    lanes.tick(0, 500);
    lanes.tick(1, 300);
    lanes.idle(2);
    expect(lanes.watermark).toBe(300);
    lanes.idle(1);
    lanes.idle(0);
    expect(lanes.watermark).toBe(500);
  });

  it('wait again for every idle lane once one delivers again, until each ticks or is idle anew', () => {
    const lanes = new Lanes(3);
    lanes.tick(0, 500);
    lanes.tick(1, 500);
    for (const source of [0, 1, 2]) lanes.idle(source);
    lanes.tick(0, 2_000);
    expect(lanes.watermark).toBe(Number.NEGATIVE_INFINITY);
    lanes.idle(2);
    expect(lanes.watermark).toBe(500);
    lanes.tick(1, 1_500);
    expect(lanes.watermark).toBe(1_500);
  });

  it('come back from their snapshot as they were', () => {
    const lanes = new Lanes(2);
    lanes.tick(0, 100);
    lanes.idle(1);
    const restored = new Lanes(2);
    restored.restore(lanes.snapshot());
    expect(restored.snapshot()).toEqual(lanes.snapshot());
    expect(restored.watermark).toBe(100);
  });
});
