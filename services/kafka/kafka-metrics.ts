import { Counter, type Registry } from 'prom-client';

/** Counters every Kafka-consuming role exposes on /metrics. */
export interface ConsumerMetrics {
  readonly recordsConsumed: Counter<'service' | 'topic'>;
  readonly deadLetters: Counter<'service' | 'topic' | 'reason'>;
  readonly batchFailures: Counter<'service' | 'topic'>;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    recordsConsumed: new Counter({
      name: 'kcost_records_consumed_total',
      help: 'Records read from Kafka and handed to the service, by source topic.',
      labelNames: ['service', 'topic'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'kcost_dead_letters_total',
      help: 'Records sent to kcost.deadletter.v1 instead of being processed, by source topic and reason code.',
      labelNames: ['service', 'topic', 'reason'],
      registers: [registry],
    }),
    batchFailures: new Counter({
      name: 'kcost_batch_failures_total',
      help: 'Batches whose handler failed; they are redelivered from the last committed offset.',
      labelNames: ['service', 'topic'],
      registers: [registry],
    }),
  };
}
