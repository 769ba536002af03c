import type { Codec } from '../codec/codec.js';
import { deadLetterKey, toDeadLetter, type RejectedRecord } from '../kafka/dead-letter.js';
import type { StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import type { ProcessorMetrics } from './processor-metrics.js';

export interface StageDeadLetterOptions {
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: Pick<ProcessorMetrics, 'deadLetters'>;
  readonly deadLetterTopic: string;
  readonly now?: () => number;
  /** The role named in the dead letter (default process). */
  readonly service?: string;
}

/**
 * The dead letter of a record a processor stage refused (a usage sample, or
 * an internal record it cannot read), logged and counted, as a record the
 * stage publishes in the same transaction as its input offsets, so it is
 * written exactly once (unlike DeadLetterPublisher's).
 */
export async function stageDeadLetter(options: StageDeadLetterOptions, rejected: RejectedRecord, error: unknown): Promise<StageRecord> {
  const letter = toDeadLetter(rejected, error, options.service ?? 'process', (options.now ?? Date.now)());
  options.logger.warn({ topic: rejected.topic, partition: rejected.partition, offset: rejected.offset, reasonCode: letter.reasonCode }, `dead-lettered a record: ${letter.reason}`);
  options.metrics.deadLetters.inc({ reason: letter.reasonCode });
  return { topic: options.deadLetterTopic, key: deadLetterKey(rejected), value: await options.codec.encode('DeadLetter', letter) };
}
