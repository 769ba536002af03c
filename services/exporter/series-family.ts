import { formatValue, renderHeader, type MetricType } from './exposition.js';

/**
 * One metric family whose sample lines are rendered when a value changes, not
 * when Prometheus scrapes (as kube-state-metrics does). A scrape concatenates
 * the stored lines once and keeps the result until the next change, so
 * scrapes between two changes cost nothing and a scrape after a change costs
 * one string join, whatever the number of series.
 */
export class SeriesFamily {
  private readonly series = new Map<string, string>();
  private readonly header: string;
  private rendered: string | undefined = '';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
  ) {
    this.header = renderHeader(name, help, type);
  }

  /**
   * Sets the value of the series `key`. `labels` is its rendered label set
   * (see renderLabels); callers keep it and pass the same string while the
   * labels stay the same.
   */
  set(key: string, labels: string, value: number): void {
    this.series.set(key, `${this.name}${labels} ${formatValue(value)}\n`);
    this.rendered = undefined;
  }

  delete(key: string): void {
    if (this.series.delete(key)) this.rendered = undefined;
  }

  has(key: string): boolean {
    return this.series.has(key);
  }

  get size(): number {
    return this.series.size;
  }

  /** HELP, TYPE and every sample line; empty when the family has no series. */
  render(): string {
    if (this.rendered !== undefined) return this.rendered;
    if (this.series.size === 0) {
      this.rendered = '';
      return '';
    }
    const parts = new Array<string>(this.series.size + 1);
    parts[0] = this.header;
    let i = 1;
    for (const line of this.series.values()) parts[i++] = line;
    this.rendered = parts.join('');
    return this.rendered;
  }
}
