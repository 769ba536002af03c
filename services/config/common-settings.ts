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
  tlsCertFile: setting('tlsCertFile', {
    description: 'PEM certificate (with its chain) to serve HTTPS with instead of HTTP, e.g. tls.crt of a kubernetes.io/tls secret; read again when it changes, so a renewed certificate needs no restart. With --tls-key-file.',
    default: '',
    defaultLabel: '(none: plain HTTP)',
    parse: parseString,
  }),
  tlsKeyFile: setting('tlsKeyFile', {
    description: 'PEM private key of --tls-cert-file (tls.key); read again when it changes.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  metricsTokenFile: setting('metricsTokenFile', {
    description: "File holding a bearer token /metrics requires (Prometheus's scrape `authorization` sends it); the probes need none.",
    default: '',
    defaultLabel: '(none: /metrics open)',
    parse: parseString,
  }),
  metricsBasicAuthFile: setting('metricsBasicAuthFile', {
    description: "File holding username:password (first line) that /metrics accepts as basic auth (Prometheus's scrape `basic_auth`); with --metrics-token-file too, either is accepted.",
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
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
