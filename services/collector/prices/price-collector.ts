import type { Registry } from 'prom-client';
import type { OutgoingRecord } from '../../kafka/batching-producer.js';
import type { Logger } from '../../log/logger.js';
import { createPricingClient, awsPricingSource } from './aws-pricing-source.js';
import { awsSpotSource, createEc2Client, type Ec2Send } from './aws-spot-source.js';
import { azureRetailSource, type FetchFn } from './azure-retail.js';
import { gcpCatalogSource } from './gcp-catalog.js';
import type { KubeScope } from './kube-scope.js';
import { priceBookSource } from './price-book.js';
import { createPriceMetrics } from './price-metrics.js';
import { PriceRunner, type RefreshOutcome, type ScopedSource } from './price-runner.js';
import type { PriceScope } from './price-source.js';
import type { PricesConfig } from './prices-settings.js';

/** What the price collector needs from outside: where to publish, what to log and measure, and the time. */
export interface PriceCollectorDeps {
  readonly publish: (records: readonly OutgoingRecord<'PriceUpdate'>[]) => Promise<void>;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock?: () => number;
  /** The HTTP client of the Azure and GCP sources (global fetch by default). */
  readonly fetch?: FetchFn;
  /** Nodes seen on the kube topic, whose regions and types are priced on top of the configured lists. */
  readonly kubeScope?: KubeScope;
}

/** A built price collector: refresh on demand (tests, --once) or on a timer until stopped. */
export interface PriceCollector {
  readonly runner: PriceRunner;
  refreshAll(): Promise<RefreshOutcome[]>;
  /** Refreshes now and then every refreshInterval until stop(); resolves when stopped. */
  run(): Promise<void>;
  stop(): void;
}

/** Builds the configured sources with their scopes; the AWS SDK clients honour the endpoint override. */
export function buildPriceSources(config: PricesConfig, deps: Pick<PriceCollectorDeps, 'fetch' | 'kubeScope'> = {}): ScopedSource[] {
  const aws = { endpointUrl: config.awsEndpointUrl, maxAttempts: config.awsMaxAttempts };
  const scoped = (provider: string, configured: Omit<PriceScope, 'nowMillis'>): ScopedSource['scope'] => {
    const seen = deps.kubeScope;
    return seen ? () => seen.scopeFor(provider, configured) : configured;
  };
  const awsScope = scoped('aws', { regions: config.awsRegions, instanceTypes: config.awsInstanceTypes });
  const ec2Clients = new Map<string, Ec2Send>();
  const ec2For = (region: string): Ec2Send => {
    const client = ec2Clients.get(region) ?? createEc2Client(aws, region);
    ec2Clients.set(region, client);
    return client;
  };
  const http = deps.fetch ? { fetch: deps.fetch } : {};
  return config.sources.map((name): ScopedSource => {
    switch (name) {
      case 'aws-pricing':
        return { source: awsPricingSource(createPricingClient(aws)), scope: awsScope };
      case 'aws-spot':
        return { source: awsSpotSource(ec2For, config.spotLookback), scope: awsScope };
      case 'azure-retail':
        return { source: azureRetailSource({ baseUrl: config.azureBaseUrl, ...http }), scope: scoped('azure', { regions: config.azureRegions, instanceTypes: config.azureInstanceTypes }) };
      case 'gcp-catalog':
        return { source: gcpCatalogSource({ baseUrl: config.gcpBaseUrl, apiKey: config.gcpApiKey, ...http }), scope: scoped('gcp', { regions: config.gcpRegions, instanceTypes: config.gcpMachineTypes }) };
      case 'pricebook':
        if (!config.priceBook) throw new Error('the pricebook source needs --price-book <file>');
        return { source: priceBookSource(config.priceBook), scope: { regions: [], instanceTypes: [] } };
    }
  });
}

/** Wires the sources, the runner and the refresh timer; opens no Kafka connection itself. */
export function buildPriceCollector(deps: PriceCollectorDeps, config: PricesConfig): PriceCollector {
  const runner = new PriceRunner({
    sources: buildPriceSources(config, deps),
    publish: deps.publish,
    metrics: createPriceMetrics(deps.registry),
    logger: deps.logger,
    clock: deps.clock ?? Date.now,
    topic: config.pricesTopic,
  });
  let stopped = false;
  let wake: (() => void) | undefined;
  return {
    runner,
    refreshAll: () => runner.refreshAll(),
    async run() {
      while (!stopped) {
        await runner.refreshAll();
        if (stopped) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, config.refreshInterval);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    stop() {
      stopped = true;
      wake?.();
    },
  };
}
