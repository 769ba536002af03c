import { formatValue, renderHeader, type MetricType } from './exposition.js';

/** Series per shard: a change re-joins and re-encodes only the shard it falls in. */
const SHARD_SIZE = 512;

interface Shard {
  readonly lines: Map<string, string>;
  /** The shard's lines joined and UTF-8 encoded; undefined after a change until the next scrape. */
  encoded: Buffer | undefined;
}

/**
 * One metric family whose sample lines are rendered when a value changes, not
 * when Prometheus scrapes (as kube-state-metrics does). Series are kept in
 * shards of up to 512 lines, each holding its lines already joined and
 * encoded, so a scrape hands the socket one buffer per shard and only the
 * shards that changed since the last scrape are joined again, whatever the
 * number of series.
 */
export class SeriesFamily {
  private readonly shardOf = new Map<string, Shard>();
  private readonly shards: Shard[] = [];
  private open: Shard | undefined;
  private readonly header: Buffer;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
  ) {
    this.header = Buffer.from(renderHeader(name, help, type));
  }

  /**
   * Sets the value of the series `key`. `labels` is its rendered label set
   * (see renderLabels); callers keep it and pass the same string while the
   * labels stay the same.
   */
  set(key: string, labels: string, value: number): void {
    let shard = this.shardOf.get(key);
    if (!shard) {
      shard = this.openShard();
      this.shardOf.set(key, shard);
    }
    // join() makes one flat string; a template literal would keep a rope that every scrape walks again.
    shard.lines.set(key, [this.name, labels, ' ', formatValue(value), '\n'].join(''));
    shard.encoded = undefined;
  }

  delete(key: string): void {
    const shard = this.shardOf.get(key);
    if (!shard) return;
    this.shardOf.delete(key);
    shard.lines.delete(key);
    shard.encoded = undefined;
    if (shard.lines.size === 0 && shard !== this.open) this.shards.splice(this.shards.indexOf(shard), 1);
  }

  has(key: string): boolean {
    return this.shardOf.has(key);
  }

  get size(): number {
    return this.shardOf.size;
  }

  /** HELP, TYPE and every sample line, as buffers to write in order; none when the family has no series. */
  chunks(): Buffer[] {
    if (this.shardOf.size === 0) return [];
    const out = [this.header];
    for (const shard of this.shards) {
      if (shard.lines.size === 0) continue;
      shard.encoded ??= Buffer.from([...shard.lines.values()].join(''));
      out.push(shard.encoded);
    }
    return out;
  }

  /** The family as text (chunks() joined). */
  render(): string {
    return Buffer.concat(this.chunks()).toString('utf8');
  }

  private openShard(): Shard {
    if (this.open && this.open.lines.size < SHARD_SIZE) return this.open;
    // Prefer a shard that deletions left half empty, so pod churn does not leave a trail of sparse shards.
    const reusable = this.shards.find((s) => s.lines.size < SHARD_SIZE / 2);
    this.open = reusable ?? { lines: new Map(), encoded: undefined };
    if (!reusable) this.shards.push(this.open);
    return this.open;
  }
}
