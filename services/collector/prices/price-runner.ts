import type { PriceUpdate } from '../../codec/records.generated.js';
import { messageOf } from '../../errors/kcost-error.js';
import type { OutgoingRecord } from '../../kafka/batching-producer.js';
import { priceKey } from '../../kafka/topics.js';
import type { Logger } from '../../log/logger.js';
import { selectChanges } from './price-changes.js';
import type { PriceMetrics } from './price-metrics.js';
import type { PriceScope, PriceSource } from './price-source.js';

/** A source and what it should price. */
export interface ScopedSource {
  readonly source: PriceSource;
  /** Fixed, or worked out at each refresh (configured lists plus the nodes seen on the kube topic). */
  readonly scope: Omit<PriceScope, 'nowMillis'> | (() => Omit<PriceScope, 'nowMillis'>);
}

export interface PriceRunnerDeps {
  readonly sources: readonly ScopedSource[];
  /** Resolves once the records are acknowledged by the broker. */
  readonly publish: (records: readonly OutgoingRecord<'PriceUpdate'>[]) => Promise<void>;
  readonly metrics: PriceMetrics;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly topic: string;
}

/** How one source's refresh went. */
export interface RefreshOutcome {
  readonly source: string;
  readonly ok: boolean;
  readonly fetched: number;
  readonly published: number;
  readonly malformed: number;
  readonly error?: string;
}

/**
 * Refreshes every price source and publishes what changed. A source that
 * fails keeps its last good prices (nothing is republished or erased; the
 * compacted topic still holds them), and is reported in the log and in
 * kcost_price_source_up / kcost_price_source_failures_total.
 */
export class PriceRunner {
  private published = new Map<string, PriceUpdate>();
  private readonly lastGood = new Map<string, PriceUpdate[]>();

  constructor(private readonly deps: PriceRunnerDeps) {
    for (const { source } of deps.sources) deps.metrics.up.set({ source: source.name }, 0);
  }

  /** Refreshes the sources one after another (they are few, and this keeps the API calls polite). */
  async refreshAll(): Promise<RefreshOutcome[]> {
    const outcomes: RefreshOutcome[] = [];
    for (const scoped of this.deps.sources) outcomes.push(await this.refresh(scoped));
    return outcomes;
  }

  /** The last good prices of a source (empty before its first success). */
  lastGoodPrices(source: string): readonly PriceUpdate[] {
    return this.lastGood.get(source) ?? [];
  }

  private async refresh({ source, scope }: ScopedSource): Promise<RefreshOutcome> {
    const { metrics, logger } = this.deps;
    const labels = { source: source.name };
    const nowMillis = this.deps.clock();
    let result;
    try {
      result = await source.fetch({ ...(typeof scope === 'function' ? scope() : scope), nowMillis });
    } catch (error) {
      metrics.up.set(labels, 0);
      metrics.failures.inc(labels);
      logger.error({ err: error, source: source.name, keptPrices: this.lastGoodPrices(source.name).length }, 'price source failed; keeping its last good prices');
      return { source: source.name, ok: false, fetched: 0, published: 0, malformed: 0, error: messageOf(error) };
    }
    for (const doc of result.malformed) logger.warn({ source: source.name, ref: doc.ref, reason: doc.reason }, 'skipping a malformed price document');
    metrics.malformed.inc(labels, result.malformed.length);
    const { changes, next } = selectChanges(result.prices, this.published);
    try {
      await this.deps.publish(changes.map((value) => ({ topic: this.deps.topic, key: priceKey(value), schema: 'PriceUpdate', value })));
    } catch (error) {
      // Nothing is remembered as published, so the next refresh sends these again.
      metrics.up.set(labels, 0);
      metrics.failures.inc(labels);
      logger.error({ err: error, source: source.name }, 'publishing prices failed; will retry on the next refresh');
      return { source: source.name, ok: false, fetched: result.prices.length, published: 0, malformed: result.malformed.length, error: messageOf(error) };
    }
    this.published = next;
    this.lastGood.set(source.name, result.prices);
    metrics.published.inc(labels, changes.length);
    metrics.up.set(labels, 1);
    metrics.lastSuccess.set(labels, nowMillis / 1000);
    logger.info({ source: source.name, fetched: result.prices.length, published: changes.length, malformed: result.malformed.length }, 'price source refreshed');
    return { source: source.name, ok: true, fetched: result.prices.length, published: changes.length, malformed: result.malformed.length };
  }
}
