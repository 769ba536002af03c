import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { upSettings } from './up-settings.js';

/** `kcost up`: the whole pipeline in one process, for one machine. */
export const upRole = defineRole({
  name: 'up',
  usage: 'up [--simulate] [flags]',
  summary: 'Run the whole pipeline in one process (with --simulate, fed by the simulator).',
  description: [
    'Creates the topics and the database schema, then runs the processor, the recommender, cluster savings, the sink (prices and recommendations included), the forecaster (stored forecasts and namespace budget labels), the exporter and the query API in this process, fed by the collectors or, with --simulate, by the simulator: first a backfill of --backfill at full speed, then real time.',
    'Needs a Kafka broker (--brokers; npm start starts a local one with scripts/kafka.sh). The database is --database-url (or DATABASE_URL), else the local PostgreSQL at --local-postgres, else an embedded PostgreSQL that kcost up starts there and stops on exit; the kcost database is created when missing. Every other setting of a role comes from its KCOST_* variable. On a terminal, a summary line every 15 s says what flows. Ctrl-C stops every role cleanly.',
  ].join('\n\n'),
  settings: upSettings,
  run: lazyRun(() => import('./up-run.js')),
});
