import { readFileSync } from 'node:fs';
import type { KafkaConfig } from 'kafkajs';
import type { KafkaSaslMechanism } from '../config/common-settings.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';

/** The security settings of a Kafka role, as resolved from its flags and KCOST_* variables. */
export interface KafkaSecurityConfig {
  readonly kafkaTls: boolean;
  readonly kafkaCaFile: string;
  readonly kafkaSaslMechanism: KafkaSaslMechanism;
  readonly kafkaUsername: string;
  readonly kafkaPasswordFile: string;
  readonly kafkaOauthTokenFile: string;
}

/** What createKafka passes to kafkajs: TLS options and SASL credentials, each absent when not configured. */
export type KafkaSecurity = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/**
 * The kafkajs ssl and sasl options of the settings, with the CA and the
 * password read from their files now, so a missing file stops the role at
 * start with a message naming it. PLAIN without TLS is refused: it would send
 * the password in clear.
 */
export function kafkaSecurityOf(config: KafkaSecurityConfig): KafkaSecurity {
  const tls = config.kafkaTls || config.kafkaCaFile !== '';
  const security: { ssl?: KafkaConfig['ssl']; sasl?: KafkaConfig['sasl'] } = {};
  if (tls) security.ssl = config.kafkaCaFile === '' ? true : { ca: [readSecretFile(config.kafkaCaFile, '--kafka-ca-file')] };
  if (config.kafkaSaslMechanism === 'none') {
    if (config.kafkaUsername !== '' || config.kafkaPasswordFile !== '') throw new KcostError('INVALID_CONFIG', '--kafka-username and --kafka-password-file need --kafka-sasl-mechanism (e.g. scram-sha-512)');
    if (config.kafkaOauthTokenFile !== '') throw new KcostError('INVALID_CONFIG', '--kafka-oauth-token-file needs --kafka-sasl-mechanism oauthbearer');
    return security;
  }
  if (config.kafkaSaslMechanism === 'oauthbearer') {
    if (config.kafkaOauthTokenFile === '') throw new KcostError('INVALID_CONFIG', '--kafka-sasl-mechanism oauthbearer needs --kafka-oauth-token-file');
    if (config.kafkaUsername !== '' || config.kafkaPasswordFile !== '') throw new KcostError('INVALID_CONFIG', '--kafka-sasl-mechanism oauthbearer takes --kafka-oauth-token-file, not --kafka-username or --kafka-password-file');
    const tokenFile = config.kafkaOauthTokenFile;
    const readToken = () => {
      const token = readSecretFile(tokenFile, '--kafka-oauth-token-file').trim();
      if (token === '') throw new KcostError('INVALID_CONFIG', `--kafka-oauth-token-file ${tokenFile} is empty`);
      return token;
    };
    // Read now so a missing or empty file stops the role at start; read again at every
    // authentication, because whatever renews the token rewrites the file.
    readToken();
    security.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: readToken() }) };
    return security;
  }
  if (config.kafkaOauthTokenFile !== '') throw new KcostError('INVALID_CONFIG', `--kafka-oauth-token-file needs --kafka-sasl-mechanism oauthbearer, not ${config.kafkaSaslMechanism}`);
  if (config.kafkaUsername === '' || config.kafkaPasswordFile === '') {
    throw new KcostError('INVALID_CONFIG', `--kafka-sasl-mechanism ${config.kafkaSaslMechanism} needs --kafka-username and --kafka-password-file`);
  }
  if (config.kafkaSaslMechanism === 'plain' && !tls) throw new KcostError('INVALID_CONFIG', '--kafka-sasl-mechanism plain sends the password in clear: add --kafka-tls');
  const password = readSecretFile(config.kafkaPasswordFile, '--kafka-password-file').trim();
  if (password === '') throw new KcostError('INVALID_CONFIG', `--kafka-password-file ${config.kafkaPasswordFile} is empty`);
  const username = config.kafkaUsername;
  // One object per mechanism: kafkajs types each as its own member of a union.
  security.sasl =
    config.kafkaSaslMechanism === 'plain'
      ? { mechanism: 'plain', username, password }
      : config.kafkaSaslMechanism === 'scram-sha-256'
        ? { mechanism: 'scram-sha-256', username, password }
        : { mechanism: 'scram-sha-512', username, password };
  return security;
}

function readSecretFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new KcostError('INVALID_CONFIG', `cannot read ${flag} ${path}: ${messageOf(error)}`);
  }
}
