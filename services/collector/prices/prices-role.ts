import { defineRole } from '../../cli/role.js';
import { lazyRun } from '../../cli/lazy-run.js';
import { pricesSettings } from './prices-settings.js';

/** `kcost collect prices`: refreshes the configured price sources and publishes changed prices to kcost.prices.v1. */
export const pricesRole = defineRole({
  name: 'prices',
  usage: 'prices [flags]',
  summary: 'Publish cloud and price-book prices to kcost.prices.v1.',
  description:
    'Fetches node, GPU and storage prices from AWS (Price List GetProducts for on-demand, EC2 spot price history), the Azure Retail Prices API, the GCP Cloud Billing Catalog and a custom price book, and publishes PriceUpdate records keyed provider/region/kind/sku/capacityType. Every source is refreshed each --refresh-interval and only changed prices are published. A failing source keeps its last good prices and shows as kcost_price_source_up{source}=0 and in kcost_price_source_failures_total; a malformed price document is logged, counted in kcost_price_documents_malformed_total and skipped. Built-in default prices are not published: the processor applies them where no source has a price.',
  settings: pricesSettings,
  run: lazyRun(() => import('./prices-run.js')),
});
