import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/common-settings.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout, one line per event, with the role as `service` so a
 * log pipeline can split them. Tests pass a destination to read lines back.
 */
export function createLogger(options: { service: string; level: LogLevel }, destination?: DestinationStream): Logger {
  const settings = { level: options.level, base: { service: options.service }, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: serializeError } };
  return destination ? pino(settings, destination) : pino(settings);
}

/** A logger that drops everything, for pure-code tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * A KcostError is a failure kcost expected and described (a broker that does
 * not answer, a bad setting): its code and message say it all, so it is
 * logged without a stack trace. Anything else keeps pino's full form.
 */
function serializeError(error: unknown): unknown {
  if (!(error instanceof KcostError)) return pino.stdSerializers.err(error as Error);
  return { type: error.name, code: error.code, message: error.message, ...(error.cause === undefined ? {} : { cause: messageOf(error.cause) }) };
}
