import { kafkaSettings, processSettings } from '../../config/common-settings.js';
import { parseBoolean, parseDurationMillis, parseEnum, parseInteger, parseList, parseString, parseUrl } from '../../config/parsers.js';
import { setting, type ConfigOf } from '../../config/settings.js';
import { TOPICS } from '../../kafka/topics.js';

export const PRICE_SOURCE_NAMES = ['aws-pricing', 'aws-spot', 'azure-retail', 'gcp-catalog', 'pricebook'] as const;
export type PriceSourceName = (typeof PRICE_SOURCE_NAMES)[number];

const parseSourceList = (raw: string): PriceSourceName[] => parseList(raw).map(parseEnum(PRICE_SOURCE_NAMES));

/** Settings of `kcost collect prices`. */
export const pricesSettings = {
  ...kafkaSettings,
  ...processSettings,
  sources: setting('sources', {
    description: `Price sources to refresh, comma-separated: ${PRICE_SOURCE_NAMES.join(', ')}.`,
    default: ['aws-pricing', 'aws-spot'] as PriceSourceName[],
    parse: parseSourceList,
  }),
  scopeFromKube: setting('scopeFromKube', {
    description: 'Also price the regions and instance types of the nodes on the kube topic (read from its beginning), on top of the configured lists.',
    default: false,
    parse: parseBoolean,
    isSwitch: true,
  }),
  kubeTopic: setting('kubeTopic', { description: 'Topic of the KubeObject records read by --scope-from-kube.', default: TOPICS.kube.name, parse: parseString }),
  pricesTopic: setting('pricesTopic', { description: 'Topic the PriceUpdate records go to.', default: TOPICS.prices.name, parse: parseString }),
  replicationFactor: setting('replicationFactor', { description: 'Replicas of the prices topic when it has to be created.', default: 1, parse: parseInteger(1, 16) }),
  refreshInterval: setting('refreshInterval', {
    description: 'How often every source is fetched again (e.g. 15m, 1h); only changed prices are published.',
    default: 3_600_000,
    defaultLabel: '1h',
    parse: parseDurationMillis,
  }),
  once: setting('once', { description: 'Refresh every source once, publish, and exit (for cron jobs); exits 1 if a source failed.', default: false, parse: parseBoolean, isSwitch: true }),
  awsRegions: setting('awsRegions', { description: 'AWS regions to price, comma-separated.', default: ['us-east-1'], parse: parseList }),
  awsInstanceTypes: setting('awsInstanceTypes', { description: 'AWS instance types to price, comma-separated; empty prices every type in the regions (with --scope-from-kube: the types seen on nodes).', default: [] as string[], parse: parseList }),
  awsEndpointUrl: setting('awsEndpointUrl', {
    description: 'Endpoint of the AWS Pricing and EC2 APIs (a VPC endpoint or a test server); empty uses AWS. Credentials come from the AWS SDK default chain (AWS_* variables, profile, IRSA, instance role).',
    default: '',
    defaultLabel: '(AWS)',
    parse: parseUrl(['http', 'https']),
  }),
  awsMaxAttempts: setting('awsMaxAttempts', { description: 'Attempts per AWS API call, including the first.', default: 3, parse: parseInteger(1, 10) }),
  spotLookback: setting('spotLookback', { description: 'How much spot price history to read on each refresh.', default: 6 * 3_600_000, defaultLabel: '6h', parse: parseDurationMillis }),
  azureRegions: setting('azureRegions', { description: 'Azure regions (armRegionName) to price, comma-separated.', default: ['eastus'], parse: parseList }),
  azureInstanceTypes: setting('azureInstanceTypes', { description: 'Azure VM sizes (armSkuName, e.g. Standard_D2s_v3) to price; empty prices every size.', default: [] as string[], parse: parseList }),
  azureBaseUrl: setting('azureBaseUrl', { description: 'Base URL of the Azure Retail Prices API.', default: 'https://prices.azure.com', parse: parseUrl(['http', 'https']) }),
  gcpRegions: setting('gcpRegions', { description: 'GCP regions to price, comma-separated.', default: ['us-central1'], parse: parseList }),
  gcpMachineTypes: setting('gcpMachineTypes', { description: 'GCP machine types (e2-standard-4) whose families to price; empty prices every family.', default: [] as string[], parse: parseList }),
  gcpBaseUrl: setting('gcpBaseUrl', { description: 'Base URL of the Cloud Billing Catalog API.', default: 'https://cloudbilling.googleapis.com', parse: parseUrl(['http', 'https']) }),
  gcpApiKey: setting('gcpApiKey', { description: 'API key for the Cloud Billing Catalog API.', default: '', defaultLabel: '(none)', parse: parseString }),
  priceBook: setting('priceBook', {
    description: 'Price book file (.yaml/.yml or .csv) with instance types, per-resource prices, storage classes, GPU models and discounts, for on-premises nodes and negotiated rates.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
};

export type PricesConfig = ConfigOf<typeof pricesSettings>;
