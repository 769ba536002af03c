import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config/common-settings.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';

export type { Logger } from 'pino';

/** JSON for log pipelines; pretty for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * Logs on stdout, one event per line, with the role as `service` so a log
 * pipeline can split them: JSON, unless stdout is a terminal, where the same
 * events are rendered for reading (pino-pretty: time, level, role, message,
 * then the fields). Tests pass a destination to read lines back.
 */
export function createLogger(options: { service: string; level: LogLevel; format?: LogFormat }, destination?: DestinationStream): Logger {
  const settings = { level: options.level, base: { service: options.service }, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: serializeError } };
  const format = options.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'pretty') return pino(settings, prettyStream(destination));
  return destination ? pino(settings, destination) : pino(settings);
}

/**
 * In-process and synchronous rather than pino's worker-thread transport:
 * `kcost up` runs every role in one process, and a worker per role's logger
 * would be a dozen threads for one terminal.
 */
function prettyStream(destination?: DestinationStream): DestinationStream {
  return pretty({
    colorize: destination === undefined,
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service',
    messageFormat: '{service}: {msg}',
    singleLine: true,
    // An error on one line under its event: the code and message of an expected one, else pino's stack.
    customPrettifiers: { err: prettyError },
    ...(destination === undefined ? {} : { destination }),
  });
}

function prettyError(value: unknown): string {
  const error = value as { code?: unknown; message?: unknown; stack?: unknown; cause?: unknown };
  if (typeof error.stack === 'string') return error.stack;
  const cause = typeof error.cause === 'string' ? ` (cause: ${error.cause})` : '';
  return `${typeof error.code === 'string' ? `${error.code}: ` : ''}${String(error.message)}${cause}`;
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
