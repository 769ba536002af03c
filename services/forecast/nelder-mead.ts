/** Where the search stopped and the objective there. */
export interface Minimum {
  readonly x: number[];
  readonly value: number;
}

/**
 * Nelder-Mead simplex search for the minimum of an unconstrained function:
 * enough for the four smoothing parameters of a Holt-Winters model, which
 * the caller maps into their ranges. Deterministic (no random restarts), so
 * one series always gets the same fit.
 */
export function nelderMead(f: (x: readonly number[]) => number, start: readonly number[], options: { step?: number; maxIterations?: number; tolerance?: number } = {}): Minimum {
  const step = options.step ?? 1;
  const maxIterations = options.maxIterations ?? 400;
  const tolerance = options.tolerance ?? 1e-9;
  const n = start.length;
  let simplex: Minimum[] = [{ x: [...start], value: f(start) }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = (x[i] as number) + step;
    simplex.push({ x, value: f(x) });
  }
  const at = (x: number[]): Minimum => ({ x, value: f(x) });
  const along = (from: readonly number[], to: readonly number[], t: number) => from.map((v, i) => v + t * ((to[i] as number) - v));
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0] as Minimum;
    const worst = simplex[n] as Minimum;
    if (Math.abs(worst.value - best.value) <= tolerance * (Math.abs(best.value) + tolerance)) break;
    const centroid = Array.from({ length: n }, (_, i) => simplex.slice(0, n).reduce((sum, p) => sum + (p.x[i] as number), 0) / n);
    const reflected = at(along(centroid, worst.x, -1));
    const secondWorst = simplex[n - 1] as Minimum;
    if (reflected.value < best.value) {
      const expanded = at(along(centroid, worst.x, -2));
      simplex[n] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < secondWorst.value) {
      simplex[n] = reflected;
    } else {
      const contracted = at(along(centroid, worst.x, reflected.value < worst.value ? -0.5 : 0.5));
      if (contracted.value < Math.min(worst.value, reflected.value)) simplex[n] = contracted;
      else simplex = simplex.map((p, i) => (i === 0 ? p : at(along(best.x, p.x, 0.5))));
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  return simplex[0] as Minimum;
}
