import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { inject } from 'vitest';
import { Registry } from 'prom-client';
import { createCodec } from '../../services/codec/create-codec.js';
import type { Codec } from '../../services/codec/codec.js';
import { createKafka } from '../../services/kafka/kafka-client.js';
import { silentLogger } from '../../services/log/logger.js';
import type { TopicSpec } from '../../services/kafka/topics.js';
import { provisionTopics } from '../../services/kafka/provision-topics.js';

/** Brokers of the real Kafka the global setup found or started. */
export function testBrokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

export function testKafka(clientId = 'kcost-test'): Kafka {
  return createKafka({ brokers: testBrokers(), clientId, logger: silentLogger() });
}

export function testCodec(): Codec {
  return createCodec({ schemaRegistryUrl: '' });
}

export function freshRegistry(): Registry {
  return new Registry();
}

/** A topic name no other test uses, so tests never see each other's records. */
export function uniqueName(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

/** Creates uniquely named copies of the given topic specs on the test broker. */
export async function createTestTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<TopicSpec[]> {
  const unique = specs.map((spec) => ({ ...spec, name: uniqueName(spec.name) }));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, unique);
  } finally {
    await admin.disconnect();
  }
  return unique;
}

/** Polls `check` until it returns true or the time runs out. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMillis = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
}

/** How many records a topic holds: the sum of its partitions' high watermarks. */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}
