import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from '../log/logger.js';
import { awaitBroker } from './broker-reachable.js';
import type { KafkaSecurity } from './kafka-security.js';
import { KeyPartitioner } from './key-partition.js';
import { serviceLevelOf } from './kafkajs-log-level.js';

/** How long a role waits at start for a seed broker to answer before it gives up with one clear error. */
export const BROKER_STARTUP_TIMEOUT_MILLIS = 10_000;

/**
 * A kafkajs client whose own logs go through the service's JSON logger. The
 * first connect of any of its producers, consumers and admins waits (up to
 * `startupTimeoutMillis`) for a seed broker to answer and otherwise fails
 * with one KAFKA_UNREACHABLE error; once one did, kafkajs's own retries
 * handle brokers that come and go.
 */
export function createKafka(options: { brokers: readonly string[]; clientId: string; logger: Logger; startupTimeoutMillis?: number; security?: KafkaSecurity }): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  let reached: Promise<void> | undefined;
  const reachable = () =>
    (reached ??= awaitBroker(options.brokers, options.startupTimeoutMillis ?? BROKER_STARTUP_TIMEOUT_MILLIS).catch((error: unknown) => {
      reached = undefined;
      throw error;
    }));
  return new CheckedKafka(reachable, {
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...options.security,
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

/** Runs `reachable` before the first connect of every client it makes. */
class CheckedKafka extends Kafka {
  constructor(
    private readonly reachable: () => Promise<void>,
    config: KafkaConfig,
  ) {
    super(config);
  }

  override producer(...args: Parameters<Kafka['producer']>): ReturnType<Kafka['producer']> {
    return this.checked(super.producer(...args));
  }

  override consumer(...args: Parameters<Kafka['consumer']>): ReturnType<Kafka['consumer']> {
    return this.checked(super.consumer(...args));
  }

  override admin(...args: Parameters<Kafka['admin']>): ReturnType<Kafka['admin']> {
    return this.checked(super.admin(...args));
  }

  private checked<T extends { connect(): Promise<void> }>(client: T): T {
    const connect = client.connect.bind(client);
    client.connect = async () => {
      await this.reachable();
      await connect();
    };
    return client;
  }
}

/**
 * A producer with kcost's delivery settings: idempotent (a retried send is not
 * written twice) and the Java client's murmur2 partitioning (KeyPartitioner,
 * the same partitions as kafkajs's DefaultPartitioner, cheaper per record), so
 * a key lands on the same partition whichever language produced it
 * (co-partitioning of pods and their usage depends on it).
 */
export function createProducer(kafka: Kafka, options: { transactionalId?: string } = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // Like the Java client: keep retrying (with backoff) rather than drop a record;
    // kafkajs warns that fewer retries void the idempotence guarantee.
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 },
    createPartitioner: KeyPartitioner,
    ...(options.transactionalId === undefined ? {} : { transactionalId: options.transactionalId }),
  });
}
