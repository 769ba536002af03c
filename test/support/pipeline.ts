import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import type { Codec } from '../../services/codec/codec.js';
import { BatchConsumer, type BatchHandler } from '../../services/kafka/batch-consumer.js';
import { BatchingProducer } from '../../services/kafka/batching-producer.js';
import { DeadLetterPublisher } from '../../services/kafka/dead-letter.js';
import { createConsumerMetrics, type ConsumerMetrics } from '../../services/kafka/kafka-metrics.js';
import type { TopicSpec } from '../../services/kafka/topics.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { silentLogger } from '../../services/log/logger.js';

/** A BatchingProducer on the test broker, connected; disconnect() when done. */
export async function testProducer(kafka: Kafka, codec: Codec): Promise<{ producer: BatchingProducer; disconnect: () => Promise<void> }> {
  const raw = createProducer(kafka);
  await raw.connect();
  return { producer: new BatchingProducer({ producer: raw, codec, logger: silentLogger() }), disconnect: () => raw.disconnect() };
}

/**
 * A BatchConsumer wired as a role wires it: dead letters go to `deadLetterTopic`
 * (a unique copy of kcost.deadletter.v1 per test) through a producer of its own.
 */
export async function testConsumer(options: {
  kafka: Kafka;
  codec: Codec;
  groupId: string;
  topics: readonly TopicSpec[];
  deadLetterTopic: string;
  handler: BatchHandler;
}): Promise<{ consumer: BatchConsumer; metrics: ConsumerMetrics; registry: Registry; stop(): Promise<void> }> {
  const registry = new Registry();
  const metrics = createConsumerMetrics(registry);
  const { producer, disconnect } = await testProducer(options.kafka, options.codec);
  const deadLetters = new DeadLetterPublisher({
    producer,
    service: 'test',
    counter: metrics.deadLetters,
    logger: silentLogger(),
    topic: options.deadLetterTopic,
  });
  const consumer = new BatchConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    service: 'test',
    topics: options.topics.map((t) => ({ topic: t.name, schema: t.schema })),
    codec: options.codec,
    deadLetters,
    metrics,
    logger: silentLogger(),
    handler: options.handler,
  });
  await consumer.start();
  return {
    consumer,
    metrics,
    registry,
    async stop() {
      await consumer.stop();
      await disconnect();
    },
  };
}
