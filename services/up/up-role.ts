import { defineRole } from '../cli/role.js';
import { createKafka } from '../kafka/kafka-client.js';
import { TOPICS } from '../kafka/topics.js';
import type { Logger } from '../log/logger.js';
import { createLogger } from '../log/logger.js';
import { ensureDatabase } from './ensure-database.js';
import { planUp } from './up-plan.js';
import { upSettings } from './up-settings.js';

/** `kcost up`: the whole pipeline in one process, for one machine. */
export const upRole = defineRole({
  name: 'up',
  usage: 'up [--simulate] [flags]',
  summary: 'Run the whole pipeline in one process (with --simulate, fed by the simulator).',
  description: [
    'Creates the topics and the database schema, then runs the processor, the sink, the exporter and the query API in this process, fed by the collectors or, with --simulate, by the simulator: first a backfill of --backfill at full speed, then real time.',
    'Needs a Kafka broker (--brokers; npm start starts a local one with scripts/kafka.sh) and PostgreSQL or TimescaleDB (--database-url; the database is created when missing). Every other setting of a role comes from its KCOST_* variable. Ctrl-C stops every role cleanly.',
  ].join('\n\n'),
  settings: upSettings,
  async run(config, { stdout, runRole }) {
    const logger = createLogger({ service: 'up', level: config.logLevel });
    if (await ensureDatabase(config.databaseUrl)) logger.info({ databaseUrl: config.databaseUrl }, 'created the database');
    const plan = planUp(config, Date.now(), !(await topicExists(config.brokers, TOPICS.usage.name, logger)));
    for (const argv of plan.setup) {
      const code = await runRole(argv);
      if (code !== 0) return code;
    }
    let failed = 0;
    const services = plan.services.map((argv) =>
      runRole(argv).then((code) => {
        if (code !== 0 && failed === 0) {
          failed = code;
          logger.error({ role: argv.slice(0, 2).join(' '), code }, 'a role stopped with an error; stopping the others');
          process.kill(process.pid, 'SIGTERM');
        }
        return code;
      }),
    );
    stdout(
      [
        '',
        'kcost is up:',
        `  query API     http://127.0.0.1:${config.apiPort}/v1/allocation?window=24h&aggregate=namespace  (OpenAPI: /openapi.json)`,
        `  exporter      http://127.0.0.1:${config.exporterPort}/metrics`,
        `  database      ${config.databaseUrl}  (Grafana: add it as a PostgreSQL datasource; dashboards in deploy/grafana)`,
        `  kafka         ${config.brokers.join(',')}`,
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    for (const argv of plan.feeders) {
      if (failed !== 0) break;
      const code = await runRole(argv);
      if (code !== 0) {
        failed = code;
        process.kill(process.pid, 'SIGTERM');
      }
    }
    const codes = await Promise.all(services);
    return failed || Math.max(0, ...codes);
  },
});

async function topicExists(brokers: readonly string[], topic: string, logger: Logger): Promise<boolean> {
  const admin = createKafka({ brokers, clientId: 'kcost-up', logger }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}
