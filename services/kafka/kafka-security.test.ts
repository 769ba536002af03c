import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaSecurityOf, type KafkaSecurityConfig } from './kafka-security.js';

const dir = mkdtempSync(join(tmpdir(), 'kcost-kafka-security-'));
const password = join(dir, 'password');
const ca = join(dir, 'ca.crt');
writeFileSync(password, '  s3cret\n');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const NONE: KafkaSecurityConfig = { kafkaTls: false, kafkaCaFile: '', kafkaSaslMechanism: 'none', kafkaUsername: '', kafkaPasswordFile: '', kafkaOauthTokenFile: '' };

describe('kafkaSecurityOf', () => {
  it('adds nothing by default, so a plaintext broker works as before', () => {
    expect(kafkaSecurityOf(NONE)).toEqual({});
  });

  it('turns a CA file into TLS verified by it, and SCRAM credentials with the password read from its file', () => {
    expect(kafkaSecurityOf({ ...NONE, kafkaCaFile: ca, kafkaSaslMechanism: 'scram-sha-512', kafkaUsername: 'kcost-sink', kafkaPasswordFile: password })).toEqual({
      ssl: { ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'] },
      sasl: { mechanism: 'scram-sha-512', username: 'kcost-sink', password: 's3cret' },
    });
    expect(kafkaSecurityOf({ ...NONE, kafkaTls: true })).toEqual({ ssl: true });
  });

  it('logs in with OAUTHBEARER from a token file, read again at every authentication so a renewed token is used', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'first.jwt.token\n');
    const { sasl } = kafkaSecurityOf({ ...NONE, kafkaTls: true, kafkaSaslMechanism: 'oauthbearer', kafkaOauthTokenFile: tokenFile });
    expect(sasl?.mechanism).toBe('oauthbearer');
    const provider = (sasl as { oauthBearerProvider: () => Promise<{ value: string }> }).oauthBearerProvider;
    expect(await provider()).toEqual({ value: 'first.jwt.token' });
    writeFileSync(tokenFile, 'renewed.jwt.token');
    expect(await provider()).toEqual({ value: 'renewed.jwt.token' });
  });

  it.each([
    [{ kafkaSaslMechanism: 'oauthbearer' as const }, 'needs --kafka-oauth-token-file'],
    [{ kafkaSaslMechanism: 'oauthbearer' as const, kafkaOauthTokenFile: join(dir, 'missing-token') }, 'cannot read --kafka-oauth-token-file'],
    [{ kafkaSaslMechanism: 'oauthbearer' as const, kafkaOauthTokenFile: password, kafkaUsername: 'u' }, 'not --kafka-username'],
    [{ kafkaOauthTokenFile: password }, 'needs --kafka-sasl-mechanism oauthbearer'],
    [{ kafkaSaslMechanism: 'scram-sha-512' as const, kafkaUsername: 'u', kafkaPasswordFile: password, kafkaOauthTokenFile: password }, 'needs --kafka-sasl-mechanism oauthbearer, not scram-sha-512'],
    [{ kafkaSaslMechanism: 'scram-sha-512' as const, kafkaUsername: 'u' }, 'needs --kafka-username and --kafka-password-file'],
    [{ kafkaUsername: 'u', kafkaPasswordFile: password }, 'need --kafka-sasl-mechanism'],
    [{ kafkaSaslMechanism: 'plain' as const, kafkaUsername: 'u', kafkaPasswordFile: password }, 'sends the password in clear'],
    [{ kafkaSaslMechanism: 'scram-sha-256' as const, kafkaUsername: 'u', kafkaPasswordFile: join(dir, 'missing') }, 'cannot read --kafka-password-file'],
    [{ kafkaCaFile: join(dir, 'missing.crt') }, 'cannot read --kafka-ca-file'],
  ])('refuses %j: %s', (overrides, message) => {
    expect(() => kafkaSecurityOf({ ...NONE, ...overrides })).toThrow(message);
  });
});
