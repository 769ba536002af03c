/** The figures the live summary of `kcost up` shows, read from the roles' own /metrics. */
export interface PipelineFigures {
  /** Usage samples published to the usage topic (the sum of its partitions' end offsets). */
  readonly samplesIn: number;
  /** PodCost records the processor has published. */
  readonly costsOut: number;
  /** Pod cost rows the sink has committed to the database. */
  readonly rowsLoaded: number;
  /** The processor's event-time watermark (latest window end seen), Unix seconds; null before the first window. */
  readonly watermarkSeconds: number | null;
}

/**
 * Sums the samples of one metric in Prometheus text exposition, keeping those
 * whose labels include every `labels` pair; null when no sample matches.
 */
export function metricSum(exposition: string, name: string, labels: Readonly<Record<string, string>> = {}): number | null {
  let sum: number | null = null;
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const text = match[2] ?? '';
    if (!Object.entries(labels).every(([key, value]) => text.includes(`${key}="${value}"`))) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** The figures from the processor's and the sink's /metrics text, and the usage records published so far. */
export function figuresOf(processorMetrics: string, sinkMetrics: string, samplesIn: number): PipelineFigures {
  return {
    samplesIn,
    costsOut: metricSum(processorMetrics, 'kcost_process_pod_costs_total') ?? 0,
    rowsLoaded: metricSum(sinkMetrics, 'kcost_sink_rows_loaded_total', { table: 'PodCost' }) ?? 0,
    watermarkSeconds: metricSum(processorMetrics, 'kcost_process_watermark_seconds') || null,
  };
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** How far event time trails the clock, as a person would say it. */
export function behind(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

/** One line: what came in, what went out, how far behind, and where to look. */
export function renderSummary(figures: PipelineFigures, nowMillis: number, apiUrl: string): string {
  const lag = figures.watermarkSeconds === null ? 'no window priced yet' : `costs up to ${behind(nowMillis / 1000 - figures.watermarkSeconds)} ago`;
  return `kcost: ${count(figures.samplesIn)} usage samples in, ${count(figures.costsOut)} pod costs out, ${count(figures.rowsLoaded)} in the database (${count(Math.max(0, figures.costsOut - figures.rowsLoaded))} to load), ${lag}; ${apiUrl}`;
}
