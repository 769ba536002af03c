import { parseBrokers, parseEnum, parseInteger, parseString, parseUrl } from './parsers.js';
import { setting } from './settings.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every long-running role shares: logging and its health/metrics port. */
export const processSettings = {
  logLevel: setting<LogLevel>('logLevel', {
    description: 'Minimum level of the JSON log lines written to stdout.',
    default: 'info',
    parse: parseEnum(LOG_LEVELS),
  }),
  healthPort: setting('healthPort', {
    description: 'Port of the HTTP server with /healthz, /readyz and /metrics (0 picks a free port).',
    default: 9464,
    parse: parseInteger(0, 65535),
  }),
};

/** Settings of every role that talks to Kafka. */
export const kafkaSettings = {
  brokers: setting('brokers', {
    description: 'Kafka bootstrap brokers, comma-separated host:port pairs.',
    default: ['127.0.0.1:9092'],
    parse: parseBrokers,
    envAliases: ['KAFKA_BROKERS'],
  }),
  clientId: setting('clientId', {
    description: 'Kafka client id, shown in broker logs and quotas.',
    default: 'kcost',
    parse: parseString,
  }),
  schemaRegistryUrl: setting('schemaRegistryUrl', {
    description: 'Confluent-compatible schema registry. When set, records use Confluent framing (0x00 + schema id); otherwise Avro single-object encoding.',
    default: '',
    defaultLabel: '(none: single-object encoding)',
    parse: parseUrl(['http', 'https']),
  }),
};
