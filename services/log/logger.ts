import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/common-settings.js';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout, one line per event, with the role as `service` so a
 * log pipeline can split them. Tests pass a destination to read lines back.
 */
export function createLogger(options: { service: string; level: LogLevel }, destination?: DestinationStream): Logger {
  const settings = { level: options.level, base: { service: options.service }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(settings, destination) : pino(settings);
}

/** A logger that drops everything, for pure-code tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
