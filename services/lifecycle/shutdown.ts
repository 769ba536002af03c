import type { Logger } from '../log/logger.js';

/**
 * Runs `stop` once on the first SIGTERM or SIGINT (stop consuming, flush,
 * commit, close) and resolves when it finished. A second signal exits at once,
 * for an operator who does not want to wait.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without a clean shutdown');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      stop().then(() => {
        for (const s of signals) process.off(s, onSignal);
        logger.info('stopped cleanly');
        resolve();
      }, reject);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
