import { describe, expect, it } from 'vitest';
import type { DeadLetter, PodCost, UsageSample } from '../../services/codec/records.generated.js';
import { parseSchema } from '../../services/codec/schema-catalog.js';
import { currentSchemas } from '../../services/codec/records.generated.js';
import type { ConsumedRecord } from '../../services/kafka/batch-consumer.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { TOPICS } from '../../services/kafka/topics.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { testConsumer } from '../support/pipeline.js';

function usage(podUid: string): UsageSample {
  return {
    cluster: 'c1', namespace: 'ns', podUid, podName: podUid, container: 'app', nodeName: null,
    windowStart: 1_700_000_000_000, windowSeconds: 60, cpuCoreSeconds: 1, memoryWorkingSetAvgBytes: 1,
    memoryWorkingSetMaxBytes: 1, networkRxBytes: null, networkTxBytes: null, gap: false, source: 'test',
  };
}

describe('bad input on a topic', () => {
  it('goes to the dead-letter topic with its offset and reason, while the good records around it are processed', async () => {
    const kafka = testKafka();
    const codec = testCodec();
    const [topic, dlq] = await createTestTopics(kafka, [{ ...TOPICS.usage, partitions: 1 }, TOPICS.deadLetter]);
    const wrongSchema = parseSchema(currentSchemas.PodCost).random() as unknown as PodCost;
    const values: Buffer[] = [
      await codec.encode('UsageSample', usage('good-0')),
      Buffer.from('garbage bytes, not Avro'),
      await codec.encode('UsageSample', usage('good-2')),
      await codec.encode('PodCost', wrongSchema),
      await codec.encode('UsageSample', usage('good-4')),
    ];
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic: topic!.name, messages: values.map((value) => ({ key: 'k', value })) });
    await producer.disconnect();

    const good: ConsumedRecord[] = [];
    const pipeline = await testConsumer({
      kafka, codec, groupId: uniqueName('dlq'), topics: [topic!], deadLetterTopic: dlq!.name,
      handler: (batch) => {
        good.push(...batch.records);
        return Promise.resolve();
      },
    });
    const letters: DeadLetter[] = [];
    const reader = await testConsumer({
      kafka, codec, groupId: uniqueName('dlq-reader'), topics: [dlq!], deadLetterTopic: dlq!.name,
      handler: (batch) => {
        letters.push(...batch.records.map((r) => r.record.value as DeadLetter));
        return Promise.resolve();
      },
    });
    try {
      await waitFor(() => good.length === 3 && letters.length === 2, 60_000, 'good records and dead letters');
      const metrics = await pipeline.registry.getSingleMetricAsString('kcost_dead_letters_total');
      expect(metrics).toContain(`kcost_dead_letters_total{service="test",topic="${topic!.name}",reason="UNDECODABLE"} 1`);
      expect(metrics).toContain(`kcost_dead_letters_total{service="test",topic="${topic!.name}",reason="UNEXPECTED_SCHEMA"} 1`);
    } finally {
      await pipeline.stop();
      await reader.stop();
    }

    expect(good.map((r) => [r.offset, (r.record.value as UsageSample).podUid])).toEqual([['0', 'good-0'], ['2', 'good-2'], ['4', 'good-4']]);
    expect(letters.map((l) => ({ ...l, failedAt: 0 }))).toEqual([
      {
        sourceTopic: topic!.name, sourcePartition: 0, sourceOffset: 1, key: Buffer.from('k'), value: values[1],
        reasonCode: 'UNDECODABLE', reason: expect.stringContaining('not Avro single-object encoded') as string, service: 'test', failedAt: 0,
      },
      {
        sourceTopic: topic!.name, sourcePartition: 0, sourceOffset: 3, key: Buffer.from('k'), value: values[3],
        reasonCode: 'UNEXPECTED_SCHEMA', reason: expect.stringContaining('got a PodCost record') as string, service: 'test', failedAt: 0,
      },
    ]);
  });
});
