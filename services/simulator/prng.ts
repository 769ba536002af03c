/**
 * A small seeded PRNG (mulberry32): the simulator never calls Math.random,
 * so one seed always produces the same cluster, the same churn and the same
 * usage.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Whole number in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick() from an empty list');
    return item;
  }

  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    const last = items.at(-1);
    if (!last) throw new Error('weighted() from an empty list');
    return last[0];
  }

  /** Exponentially distributed wait with the given mean (for Poisson events). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** A version-4-shaped UUID built from the stream, as Kubernetes object uids look. */
  uuid(): string {
    const hex = Array.from({ length: 16 }, () => Math.floor(this.next() * 256).toString(16).padStart(2, '0')).join('');
    const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
  }

  /** Lower-case alphanumerics, like the random suffix of a pod name. */
  suffix(length: number): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    return Array.from({ length }, () => alphabet[Math.floor(this.next() * alphabet.length)]).join('');
  }
}

/**
 * A stateless hash of integers to [0, 1): noise for (container, window)
 * that does not depend on the order the windows are computed in.
 */
export function hashUnit(seed: number, a: number, b: number): number {
  let h = (seed ^ Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4_294_967_296;
}

/** Roughly normal noise with mean 0 and standard deviation 1 from two hashed uniforms (Box-Muller). */
export function hashNormal(seed: number, a: number, b: number): number {
  const u = Math.max(hashUnit(seed, a, b), 1e-12);
  const v = hashUnit(seed ^ 0x5bd1e995, a, b);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
