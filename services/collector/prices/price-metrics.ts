import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the price collector, one series per source. */
export interface PriceMetrics {
  readonly up: Gauge<'source'>;
  readonly failures: Counter<'source'>;
  readonly malformed: Counter<'source'>;
  readonly published: Counter<'source'>;
  readonly lastSuccess: Gauge<'source'>;
}

export function createPriceMetrics(registry: Registry): PriceMetrics {
  const registers = [registry];
  return {
    up: new Gauge({ name: 'kcost_price_source_up', help: '1 when the last fetch of the price source succeeded, 0 when it failed (its last good prices stay in effect).', labelNames: ['source'], registers }),
    failures: new Counter({ name: 'kcost_price_source_failures_total', help: 'Fetches of a price source that failed as a whole.', labelNames: ['source'], registers }),
    malformed: new Counter({ name: 'kcost_price_documents_malformed_total', help: 'Price documents (products, meters, SKUs, price book entries) skipped because they could not be read.', labelNames: ['source'], registers }),
    published: new Counter({ name: 'kcost_prices_published_total', help: 'Price updates published to the prices topic (only changed prices are published).', labelNames: ['source'], registers }),
    lastSuccess: new Gauge({ name: 'kcost_price_source_last_success_timestamp_seconds', help: 'When the price source last fetched successfully, in Unix seconds.', labelNames: ['source'], registers }),
  };
}
