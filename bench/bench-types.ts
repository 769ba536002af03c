/** One measured figure next to the baseline it is judged against, measured in the same run. */
export interface Figure {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly label: string; readonly value: number };
  /** value / baseline.value (or the inverse where lower is better, as `better` says). */
  readonly ratio?: number;
  readonly better: 'higher' | 'lower';
  /** The target this figure is held to, in words (e.g. "ratio >= 0.7"), and whether it was met. */
  readonly target?: { readonly text: string; readonly met: boolean };
}

export interface BenchResult {
  readonly name: string;
  readonly description: string;
  readonly figures: readonly Figure[];
  /** What limits the figure, how it was measured, anything a reader must know. */
  readonly notes: readonly string[];
}

/** What every benchmark gets: the real components to run against. */
export interface BenchContext {
  readonly kafkaBrokers: string[];
  readonly databaseUrl: string;
  readonly log: (line: string) => void;
}

/** A benchmark module: `bench/<name>.bench.ts` exporting `default` of this type. */
export type Benchmark = (context: BenchContext) => Promise<BenchResult>;

/** A figure compared with its baseline; higher-is-better ratios are value/baseline, lower-is-better baseline/value. */
export function compared(
  metric: string,
  unit: string,
  better: 'higher' | 'lower',
  value: number,
  baseline: { label: string; value: number },
  target?: { text: string; test: (ratio: number, value: number) => boolean },
): Figure {
  const ratio = better === 'higher' ? value / baseline.value : baseline.value / value;
  return {
    metric,
    value,
    unit,
    better,
    baseline,
    ratio,
    ...(target ? { target: { text: target.text, met: target.test(ratio, value) } } : {}),
  };
}
