import { createRequire } from 'node:module';
import { logLevel as KafkaLogLevel } from 'kafkajs';

export type ServiceLogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Record<number, ServiceLogLevel> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * Broker answers that kafkajs (or our transactional stage) retries as a
 * matter of course: the coordinator still finishing the previous transaction,
 * a coordinator loading or moving after a broker start, a leader election, a
 * rebalance. kafkajs logs each at ERROR before retrying, which would put an
 * "error" in the service log after nearly every transaction. The Java client
 * logs them at DEBUG, and so do we; a retry that finally fails still surfaces
 * as an error from the operation itself.
 */
export const ROUTINE_ERRORS: ReadonlySet<string> = new Set([
  'CONCURRENT_TRANSACTIONS',
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'REBALANCE_IN_PROGRESS',
]);

// kafkajs's log entries carry the broker error's message, not its type: map the messages back through kafkajs's own table.
const require = createRequire(import.meta.url);
const { errorCodes } = require('kafkajs/src/protocol/error.js') as { errorCodes: Array<{ type: string; message: string }> };
const ROUTINE_MESSAGES = new Set(errorCodes.filter((e) => ROUTINE_ERRORS.has(e.type)).map((e) => e.message));

/**
 * The service log level for a kafkajs log entry. The broker's message comes
 * either as the entry's `error` or at the end of its text ("Failed to send
 * messages: <message>", logged by the producer before each retry).
 */
export function serviceLevelOf(level: number, entry: object): ServiceLogLevel {
  const { error, message } = entry as { error?: unknown; message?: unknown };
  if (typeof error === 'string' && ROUTINE_MESSAGES.has(error)) return 'debug';
  if (typeof message === 'string' && ROUTINE_MESSAGES.has(message.includes(': ') ? message.slice(message.indexOf(': ') + 2) : message)) return 'debug';
  return LEVELS[level] ?? 'info';
}
