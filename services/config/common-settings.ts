import { parseBoolean, parseBrokers, parseEnum, parseInteger, parseString, parseUrl } from './parsers.js';
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

export const KAFKA_SASL_MECHANISMS = ['none', 'scram-sha-512', 'scram-sha-256', 'plain', 'oauthbearer'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How a role authenticates to the brokers and encrypts its connections (kafka-security.ts turns these into kafkajs options). */
const kafkaSecuritySettings = {
  kafkaTls: setting('kafkaTls', {
    description: "Connect to the brokers over TLS (a listener of protocol SSL or SASL_SSL), verifying them against the system's CAs or --kafka-ca-file.",
    default: false,
    parse: parseBoolean,
    isSwitch: true,
  }),
  kafkaCaFile: setting('kafkaCaFile', {
    description: 'PEM file of the CA(s) that signed the brokers\' certificates; implies --kafka-tls.',
    default: '',
    defaultLabel: "(none: the system's CAs)",
    parse: parseString,
  }),
  kafkaSaslMechanism: setting<KafkaSaslMechanism>('kafkaSaslMechanism', {
    description: 'SASL mechanism to authenticate with: scram-sha-512 (recommended), scram-sha-256, plain (only over TLS), oauthbearer (a token from --kafka-oauth-token-file), or none.',
    default: 'none',
    parse: parseEnum(KAFKA_SASL_MECHANISMS),
  }),
  kafkaUsername: setting('kafkaUsername', {
    description: 'SASL user name of this role (see docs/access.md for the ACLs each role needs).',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  kafkaPasswordFile: setting('kafkaPasswordFile', {
    description: 'File holding the SASL password (surrounding whitespace ignored), e.g. a mounted Kubernetes secret.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  kafkaOauthTokenFile: setting('kafkaOauthTokenFile', {
    description:
      'With --kafka-sasl-mechanism oauthbearer: file holding the bearer token (a JWT) to log in with, read again at every (re)authentication, so a token that something else renews (a projected ServiceAccount token, a sidecar) is picked up.',
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
  ...kafkaSecuritySettings,
};
