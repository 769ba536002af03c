import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Codec } from '../../services/codec/codec.js';
import { createCodec } from '../../services/codec/create-codec.js';
import { currentSchemas, type SchemaName } from '../../services/codec/records.generated.js';
import { parseSchema } from '../../services/codec/schema-catalog.js';
import type { ConsumedRecord } from '../../services/kafka/batch-consumer.js';
import { TOPICS, type TopicSpec } from '../../services/kafka/topics.js';
import { startFakeSchemaRegistry } from '../support/fake-schema-registry.js';
import { createTestTopics, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { testConsumer, testProducer } from '../support/pipeline.js';

const RECORDS_PER_SCHEMA = 25;
const kafka = testKafka();
let registry: Awaited<ReturnType<typeof startFakeSchemaRegistry>>;

beforeAll(async () => {
  registry = await startFakeSchemaRegistry();
});
afterAll(async () => {
  await registry.close();
});

/** Publishes random records of every schema, each on its topic, and reads them back through a consumer group. */
async function roundTrip(codec: Codec): Promise<void> {
  const specs = await createTestTopics(kafka, Object.values(TOPICS));
  const [deadLetterTopic] = await createTestTopics(kafka, [TOPICS.deadLetter]);
  const sent = new Map<string, unknown[]>();
  const received = new Map<string, ConsumedRecord[]>();
  for (const spec of specs) {
    const type = parseSchema(currentSchemas[spec.schema]);
    sent.set(spec.name, Array.from({ length: RECORDS_PER_SCHEMA }, () => type.random()));
  }
  const { producer, disconnect } = await testProducer(kafka, codec);
  await Promise.all(
    specs.map((spec: TopicSpec) =>
      producer.publish((sent.get(spec.name) ?? []).map((value) => ({ topic: spec.name, key: 'same-partition', schema: spec.schema, value: value as never }))),
    ),
  );
  await disconnect();

  const consumer = await testConsumer({
    kafka,
    codec,
    groupId: uniqueName('roundtrip'),
    topics: specs,
    deadLetterTopic: deadLetterTopic?.name ?? '',
    handler: async (batch) => {
      received.set(batch.topic, [...(received.get(batch.topic) ?? []), ...batch.records]);
      return Promise.resolve();
    },
  });
  try {
    await waitFor(() => specs.every((s) => (received.get(s.name)?.length ?? 0) >= RECORDS_PER_SCHEMA), 60_000, 'every record back');
  } finally {
    await consumer.stop();
  }
  for (const spec of specs) {
    const records = received.get(spec.name) ?? [];
    expect(records.map((r) => r.record.schema)).toEqual(Array<SchemaName>(RECORDS_PER_SCHEMA).fill(spec.schema));
    expect(records.map((r) => r.record.value)).toEqual(sent.get(spec.name));
  }
}

describe('every schema round-trips through a real Kafka topic', () => {
  it('with Avro single-object encoding', async () => {
    await roundTrip(createCodec({ schemaRegistryUrl: '' }));
  });

  it('with Confluent framing and a schema registry', async () => {
    await roundTrip(createCodec({ schemaRegistryUrl: registry.url }));
    expect(registry.schemaCount()).toBe(Object.keys(currentSchemas).length);
  });
});
