import { kafkaSettings, processSettings } from '../../config/common-settings.js';
import { parseDurationMillis, parseInteger, parseNonEmpty, parseString, parseUrl } from '../../config/parsers.js';
import { setting, type ConfigOf } from '../../config/settings.js';
import { TOPICS } from '../../kafka/topics.js';

/** Settings of `kcost collect bill`. */
export const billSettings = {
  ...kafkaSettings,
  ...processSettings,
  source: setting('source', {
    description: 'Where the billing exports are delivered: a local directory, or s3://bucket/prefix. Every .csv and .parquet file under it (optionally .gz) is read, recursively.',
    default: '',
    defaultLabel: '(required)',
    parse: parseNonEmpty,
  }),
  every: setting('every', {
    description: 'How often the source is scanned for new and re-delivered files (e.g. 15m, 1h); 0 scans once, publishes and exits (exit 1 if the scan failed).',
    default: 3_600_000,
    defaultLabel: '1h',
    parse: parseDurationMillis,
  }),
  stateFile: setting('stateFile', {
    description: 'JSON file that remembers which file versions were read and which line keys each billing period has on the topic, so a restart neither republishes everything nor misses a line a re-delivery retired; empty keeps it in memory only (a restart reads every file again).',
    default: '',
    defaultLabel: '(memory only)',
    parse: parseString,
  }),
  billingTopic: setting('billingTopic', { description: 'Topic the BillingLine records (and tombstones) go to.', default: TOPICS.billing.name, parse: parseNonEmpty }),
  deadLetterTopic: setting('deadLetterTopic', { description: 'Topic that receives the billing rows that cannot be read (DeadLetter records: sourceTopic is the file, sourceOffset the row).', default: TOPICS.deadLetter.name, parse: parseNonEmpty }),
  replicationFactor: setting('replicationFactor', { description: 'Replicas of the billing and dead-letter topics when they have to be created.', default: 1, parse: parseInteger(1, 16) }),
  s3Region: setting('s3Region', { description: 'AWS region of the S3 bucket.', default: 'us-east-1', parse: parseNonEmpty }),
  s3EndpointUrl: setting('s3EndpointUrl', {
    description: 'Endpoint of an S3-compatible store (a VPC endpoint, MinIO, a test server), addressed path-style; empty uses AWS. Credentials come from the AWS SDK default chain (AWS_* variables, profile, IRSA, instance role).',
    default: '',
    defaultLabel: '(AWS)',
    parse: parseUrl(['http', 'https']),
  }),
  awsMaxAttempts: setting('awsMaxAttempts', { description: 'Attempts per S3 call, including the first.', default: 3, parse: parseInteger(1, 10) }),
};

export type BillConfig = ConfigOf<typeof billSettings>;
