import type { Counter } from 'prom-client';
import type { DeadLetter } from '../codec/records.generated.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';
import type { BatchingProducer } from './batching-producer.js';
import { TOPICS } from './topics.js';

/** Where a rejected record was read from, and its raw bytes. */
export interface RejectedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** Most bytes of a rejected key or value a dead letter keeps: it must fit on the topic (1 MB by default) whatever it carries. */
export const DEAD_LETTER_MAX_BYTES = 64 * 1024;

/** Builds the DeadLetter record for a rejected input; the reason code comes from a KcostError. */
export function toDeadLetter(rejected: RejectedRecord, error: unknown, service: string, nowMillis: number): DeadLetter {
  const truncated = [rejected.key, rejected.value].some((b) => b !== null && b.length > DEAD_LETTER_MAX_BYTES);
  const keep = (bytes: Buffer | null) => (bytes === null || bytes.length <= DEAD_LETTER_MAX_BYTES ? bytes : bytes.subarray(0, DEAD_LETTER_MAX_BYTES));
  return {
    sourceTopic: rejected.topic,
    sourcePartition: rejected.partition,
    sourceOffset: Number(rejected.offset),
    key: keep(rejected.key),
    value: keep(rejected.value),
    reasonCode: error instanceof KcostError ? error.code : 'INVALID_RECORD',
    reason: truncated ? `${messageOf(error)} (key and value kept to their first ${DEAD_LETTER_MAX_BYTES} bytes)` : messageOf(error),
    service,
    failedAt: nowMillis,
  };
}

/** Key of a dead letter: where the rejected record was read from. */
export function deadLetterKey(rejected: Pick<RejectedRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${rejected.topic}/${rejected.partition}/${rejected.offset}`;
}

/**
 * Sends rejected records to kcost.deadletter.v1, counts them by source topic
 * and reason, and logs them. The stream carries on past them.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly options: {
      producer: BatchingProducer;
      service: string;
      counter: Counter<'service' | 'topic' | 'reason'>;
      logger: Logger;
      /** Dead-letter topic; kcost.deadletter.v1 unless a test or deployment renames it. */
      topic?: string;
      now?: () => number;
    },
  ) {}

  async publish(rejected: RejectedRecord, error: unknown): Promise<void> {
    const letter = toDeadLetter(rejected, error, this.options.service, (this.options.now ?? Date.now)());
    this.options.logger.warn(
      { topic: letter.sourceTopic, partition: letter.sourcePartition, offset: rejected.offset, reasonCode: letter.reasonCode },
      `dead-lettered a record: ${letter.reason}`,
    );
    await this.options.producer.publish([
      {
        topic: this.options.topic ?? TOPICS.deadLetter.name,
        key: deadLetterKey(rejected),
        schema: 'DeadLetter',
        value: letter,
      },
    ]);
    this.options.counter.inc({ service: this.options.service, topic: letter.sourceTopic, reason: letter.reasonCode });
  }
}
