import { Kafka, logLevel as KafkaLogLevel, Partitioners, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from '../log/logger.js';
import { serviceLevelOf } from './kafkajs-log-level.js';


/** A kafkajs client whose own logs go through the service's JSON logger. */
export function createKafka(options: { brokers: readonly string[]; clientId: string; logger: Logger }): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    // kafkajs logs at INFO for every group join; WARN keeps the service log readable.
    logLevel: KafkaLogLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[serviceLevelOf(level, entry)](rest, message);
      },
  });
}

/**
 * A producer with kcost's delivery settings: idempotent (a retried send is not
 * written twice) and the Java client's murmur2 partitioner, so a key lands on
 * the same partition whichever language produced it (co-partitioning of pods
 * and their usage depends on it).
 */
export function createProducer(kafka: Kafka, options: { transactionalId?: string } = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // Like the Java client: keep retrying (with backoff) rather than drop a record;
    // kafkajs warns that fewer retries void the idempotence guarantee.
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 },
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(options.transactionalId === undefined ? {} : { transactionalId: options.transactionalId }),
  });
}
