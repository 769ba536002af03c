import type pg from 'pg';
import type { Logger } from '../log/logger.js';

const PROBE_INTERVAL_MILLIS = 5_000;

/**
 * Whether the database answers, from a `SELECT 1` every 5 s: the sink is not
 * ready while it cannot write, even when no batch is in hand to find out.
 * Each change is logged once.
 */
export function databaseHealth(pool: pg.Pool, logger: Logger): { readonly reachable: boolean; start(): void; stop(): void } {
  let reachable = true;
  let timer: NodeJS.Timeout | undefined;
  const probe = async () => {
    const ok = await pool.query('SELECT 1').then(
      () => true,
      (error: unknown) => {
        if (reachable) logger.warn({ err: error }, 'the database does not answer; not ready until it does');
        return false;
      },
    );
    if (ok && !reachable) logger.info('the database answers again; ready');
    reachable = ok;
  };
  return {
    get reachable() {
      return reachable;
    },
    start() {
      timer = setInterval(() => void probe(), PROBE_INTERVAL_MILLIS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
