// A consumer process for the redelivery test: it consumes TOPIC in GROUP with
// the built BatchConsumer and appends `<offset> <batchFirstOffset>` per record
// it handles to OUT. With HANG_IN_BATCH=N it handles N whole batches, then
// handles half of the next one, writes "HANGING" and waits to be killed.
import { appendFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { createCodec } from '../../dist/services/codec/create-codec.js';
import { BatchConsumer } from '../../dist/services/kafka/batch-consumer.js';
import { BatchingProducer } from '../../dist/services/kafka/batching-producer.js';
import { DeadLetterPublisher } from '../../dist/services/kafka/dead-letter.js';
import { createKafka, createProducer } from '../../dist/services/kafka/kafka-client.js';
import { createConsumerMetrics } from '../../dist/services/kafka/kafka-metrics.js';
import { createLogger } from '../../dist/services/log/logger.js';

const { BROKERS, TOPIC, DLQ, GROUP, OUT, HANG_IN_BATCH } = process.env;
const hangAfter = HANG_IN_BATCH === undefined ? Infinity : Number(HANG_IN_BATCH);
const logger = createLogger({ service: 'consumer-child', level: 'warn' });
const kafka = createKafka({ brokers: BROKERS.split(','), clientId: 'consumer-child', logger });
const codec = createCodec({ schemaRegistryUrl: '' });
const metrics = createConsumerMetrics(new Registry());
const raw = createProducer(kafka);
await raw.connect();
const producer = new BatchingProducer({ producer: raw, codec, logger });
let batches = 0;
const consumer = new BatchConsumer({
  kafka,
  groupId: GROUP,
  service: 'consumer-child',
  topics: [{ topic: TOPIC, schema: 'UsageSample' }],
  codec,
  deadLetters: new DeadLetterPublisher({ producer, service: 'consumer-child', counter: metrics.deadLetters, logger, topic: DLQ }),
  metrics,
  logger,
  maxBytesPerPartition: 4096,
  sessionTimeoutMillis: 6000,
  handler: async (batch) => {
    const first = batch.records[0]?.offset;
    const half = batches === hangAfter ? Math.ceil(batch.records.length / 2) : batch.records.length;
    for (const record of batch.records.slice(0, half)) appendFileSync(OUT, `${record.offset} ${first}\n`);
    if (batches === hangAfter) {
      appendFileSync(OUT, 'HANGING\n');
      await new Promise(() => {}); // killed here, mid-batch, before the commit
    }
    batches++;
  },
});
await consumer.start();
process.on('SIGTERM', () => void consumer.stop().then(() => raw.disconnect()).then(() => process.exit(0)));
