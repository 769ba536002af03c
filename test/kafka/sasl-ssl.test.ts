import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createProducer } from '../../services/kafka/kafka-client.js';
import { kafkaSecurityOf } from '../../services/kafka/kafka-security.js';
import { silentLogger } from '../../services/log/logger.js';
import { REPO } from '../deploy/repo.js';
import { freePort } from '../support/ports.js';
import { uniqueName, waitFor } from '../support/kafka.js';
import { createTestPki, type TestPki } from '../support/test-certificates.js';

// A broker of this test's own, started by scripts/kafka.sh with a client
// listener that accepts only SASL_SSL (SCRAM-SHA-512): kcost's clients get in
// with the CA and a SCRAM user's password from files; a client without
// credentials, with a wrong password or without TLS is refused.

const run = promisify(execFile);
const SINK_PASSWORD = 'sink-secret-2a6f';

describe('a broker that accepts only SASL_SSL', () => {
  let pki: TestPki;
  let state: string;
  let env: NodeJS.ProcessEnv;
  let broker: string;
  let passwordFile: string;

  beforeAll(async () => {
    pki = await createTestPki();
    const { certFile, keyFile } = await pki.issue('broker');
    state = mkdtempSync(join(tmpdir(), 'kcost-kafka-sasl-'));
    const port = await freePort();
    env = {
      ...process.env,
      KCOST_KAFKA_STATE: state,
      KCOST_KAFKA_PORT: String(port),
      KCOST_KAFKA_CONTROLLER_PORT: String(await freePort()),
      KCOST_KAFKA_HEAP: '384m',
      KCOST_KAFKA_SECURITY: 'sasl_ssl',
      KCOST_KAFKA_TLS_CERT: certFile,
      KCOST_KAFKA_TLS_KEY: keyFile,
      KCOST_KAFKA_TLS_CA: pki.caFile,
      KCOST_KAFKA_SCRAM_USERS: `kcost-broker=broker-secret-91c3,kcost-sink=${SINK_PASSWORD}`,
      KCOST_KAFKA_OAUTHBEARER: 'unsecured',
    };
    await run('bash', [join(REPO, 'scripts/kafka.sh'), 'start'], { env });
    broker = `127.0.0.1:${port}`;
    passwordFile = join(pki.dir, 'kafka-password');
    writeFileSync(passwordFile, `${SINK_PASSWORD}\n`);
  }, 180_000);
  afterAll(async () => {
    if (env) await run('bash', [join(REPO, 'scripts/kafka.sh'), 'stop'], { env });
    if (state) rmSync(state, { recursive: true, force: true });
    pki?.remove();
  });

  const settings = (overrides: Partial<Parameters<typeof kafkaSecurityOf>[0]> = {}) =>
    kafkaSecurityOf({ kafkaTls: false, kafkaCaFile: pki.caFile, kafkaSaslMechanism: 'scram-sha-512', kafkaUsername: 'kcost-sink', kafkaPasswordFile: passwordFile, kafkaOauthTokenFile: '', ...overrides });

  it('lets kcost produce and consume with TLS and a SCRAM-SHA-512 password from a file', async () => {
    const kafka = createKafka({ brokers: [broker], clientId: 'kcost-sasl-test', logger: silentLogger(), security: settings() });
    const topic = uniqueName('kcost-sasl');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'over SASL_SSL' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: uniqueName('kcost-sasl-group') });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    try {
      await waitFor(() => seen.length > 0, 60_000, 'the record back from the SASL_SSL broker');
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toEqual(['over SASL_SSL']);
  });

  it('lets kcost in with OAUTHBEARER and a token from a file (the broker\'s unsecured validator: the client side is what is tested)', async () => {
    const tokenFile = join(pki.dir, 'kafka-token');
    writeFileSync(tokenFile, unsignedToken({ sub: 'kcost-sink', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 }));
    const kafka = createKafka({ brokers: [broker], clientId: 'kcost-oauth-test', logger: silentLogger(), security: settings({ kafkaSaslMechanism: 'oauthbearer', kafkaUsername: '', kafkaPasswordFile: '', kafkaOauthTokenFile: tokenFile }) });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(Array.isArray(await admin.listTopics())).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });

  it.each([
    ['with an expired OAUTHBEARER token', (): Pick<KafkaConfig, 'ssl' | 'sasl'> => ({ ssl: { ca: [readCa(pki)] }, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: unsignedToken({ sub: 'kcost-sink', iat: 1_000_000, exp: 1_000_600 }) }) } }), /./],
    ['without credentials', (): Pick<KafkaConfig, 'ssl' | 'sasl'> => ({ ssl: { ca: [readCa(pki)] } }), /./],
    ['with a wrong password', (): Pick<KafkaConfig, 'ssl' | 'sasl'> => ({ ssl: { ca: [readCa(pki)] }, sasl: { mechanism: 'scram-sha-512', username: 'kcost-sink', password: 'guess' } }), /SASL|[Aa]uthentication/],
    ['without TLS', (): Pick<KafkaConfig, 'ssl' | 'sasl'> => ({ sasl: { mechanism: 'scram-sha-512', username: 'kcost-sink', password: SINK_PASSWORD } }), /./],
  ])('refuses a client %s', async (_case, security, message) => {
    const kafka = new Kafka({ brokers: [broker], clientId: 'kcost-sasl-intruder', logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000, authenticationTimeout: 3000, requestTimeout: 5000, ...security() });
    const admin = kafka.admin();
    const listed = (async () => {
      await admin.connect();
      return admin.listTopics();
    })();
    await expect(listed).rejects.toThrow(message);
    await admin.disconnect();
  });

  it('runs `kcost topics` against it with the flags and files of the documentation', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(REPO, 'bin/kcost.js'), 'topics', '--brokers', broker, '--kafka-ca-file', pki.caFile, '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', 'kcost-sink', '--kafka-password-file', passwordFile],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    const topics = stdout.trim().split('\n').map((line) => JSON.parse(line) as { topic: string });
    expect(topics.map((t) => t.topic)).toContain('kcost.costs.v1');
  });
});

/** An unsigned JWT, which the broker's unsecured OAUTHBEARER validator takes (it checks sub and the times). */
function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

function readCa(pki: TestPki): string {
  return readFileSync(pki.caFile, 'utf8');
}
