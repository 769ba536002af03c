// Daily cost series with known truth, for the forecast bench and tests:
// compounding growth or a linear trend, a weekly season, level shifts (a
// deploy that moves cost for good) and multiplicative noise.
import { Prng } from '../simulator/prng.js';

export interface SimulatedSeries {
  /** Observed cost per day. */
  readonly values: number[];
  /** The expected cost per day without noise. */
  readonly truth: number[];
  /** Days a level shift started on, with its ratio. */
  readonly shifts: ReadonlyArray<{ readonly day: number; readonly ratio: number }>;
  readonly noise: number;
}

export interface SeriesShape {
  readonly days: number;
  /** Largest number of level shifts (0 to this many, uniformly). */
  readonly maxShifts: number;
  /** Noise standard deviation range, relative (0.05: 5 %). */
  readonly noise: readonly [number, number];
}

export const DEFAULT_SHAPE: SeriesShape = { days: 120, maxShifts: 2, noise: [0.02, 0.12] };

function normal(prng: Prng): number {
  const u = Math.max(prng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * prng.next());
}

/** One series from the seed: same seed, same series. */
export function simulateSeries(seed: number, shape: SeriesShape = DEFAULT_SHAPE): SimulatedSeries {
  const prng = new Prng(seed);
  const base = Math.exp(prng.range(Math.log(20), Math.log(2000)));
  const compounding = prng.chance(0.5);
  // Daily growth from a slow decline to fast growth (−0.3 % to +1 % a day, compounding), or a straight line of the same size.
  const growth = prng.range(-0.003, 0.01);
  const weekend = prng.range(0.55, 1);
  const weekday = Array.from({ length: 5 }, () => prng.range(0.95, 1.05));
  // Day 0 is a Monday; Saturday and Sunday run at the weekend factor.
  const season = [...weekday, weekend, weekend * prng.range(0.95, 1.05)];
  const shiftCount = prng.int(0, shape.maxShifts);
  const shifts = Array.from({ length: shiftCount }, () => {
    const up = prng.chance(0.6);
    return { day: prng.int(20, shape.days - 1), ratio: up ? prng.range(1.2, 2.2) : prng.range(0.45, 0.83) };
  }).sort((a, b) => a.day - b.day);
  const noise = prng.range(shape.noise[0], shape.noise[1]);
  const truth: number[] = [];
  const values: number[] = [];
  for (let day = 0; day < shape.days; day++) {
    const trend = compounding ? (1 + growth) ** day : Math.max(0.05, 1 + growth * day);
    const shifted = shifts.filter((s) => s.day <= day).reduce((r, s) => r * s.ratio, 1);
    const expected = base * trend * shifted * (season[day % 7] as number);
    truth.push(expected);
    values.push(expected * Math.exp(noise * normal(prng) - (noise * noise) / 2));
  }
  return { values, truth, shifts, noise };
}
