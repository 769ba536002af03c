import type { Logger } from '../log/logger.js';

/** How long a clean shutdown may take before the process exits anyway. */
export const SHUTDOWN_TIMEOUT_MILLIS = 20_000;

/**
 * Runs `stop` once on the first SIGTERM or SIGINT (stop consuming, flush,
 * commit, close) and resolves when it finished. A shutdown that has not
 * finished after `timeoutMillis` (a client stuck on a broker that went away)
 * exits the process with status 1 rather than ignore the signal, and so does
 * a second signal, for an operator who does not want to wait.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'], timeoutMillis = SHUTDOWN_TIMEOUT_MILLIS): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without a clean shutdown');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      stopWithin(stop, timeoutMillis, logger).then(() => {
        for (const s of signals) process.off(s, onSignal);
        logger.info('stopped cleanly');
        resolve();
      }, reject);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}

/** Runs `stop`; one that has not finished after `timeoutMillis` exits the process with status 1. */
export async function stopWithin(stop: () => Promise<void>, timeoutMillis: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>(() => {
    timer = setTimeout(() => {
      logger.error({ timeoutMillis }, `shutdown did not finish within ${timeoutMillis} ms; exiting without it`);
      process.exit(1);
    }, timeoutMillis);
  });
  try {
    await Promise.race([stop(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
