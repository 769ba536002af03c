import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Codec } from '../../services/codec/codec.js';
import type { RecordTypes, SchemaName } from '../../services/codec/records.generated.js';

/** Collects every committed record of a topic, decoded with the public schemas, as it arrives. */
export class TopicReader<N extends SchemaName> {
  readonly records: Array<RecordTypes[N] & { offset: string }> = [];
  private readonly consumer: Consumer;

  private constructor(kafka: Kafka, private readonly codec: Codec, private readonly topic: string, private readonly schema: N) {
    // read_committed (readUncommitted false) is how downstream consumers must read the processor's transactional output.
    this.consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}`, readUncommitted: false });
  }

  static async open<N extends SchemaName>(kafka: Kafka, codec: Codec, topic: string, schema: N): Promise<TopicReader<N>> {
    const reader = new TopicReader(kafka, codec, topic, schema);
    await reader.consumer.connect();
    await reader.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await reader.consumer.run({
      eachMessage: async ({ message }) => {
        const value = await reader.codec.decodeAs(reader.schema, message.value as Buffer);
        reader.records.push({ ...value, offset: message.offset });
      },
    });
    return reader;
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
