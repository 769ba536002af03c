import type { RoleRun } from '../cli/role.js';
import { createKafka } from '../kafka/kafka-client.js';
import { TOPICS } from '../kafka/topics.js';
import type { Logger } from '../log/logger.js';
import { createLogger } from '../log/logger.js';
import { ensureDatabase } from './ensure-database.js';
import { assertPortsFree } from './free-ports.js';
import { resolveUpDatabase, type UpDatabase } from './local-database.js';
import { figuresOf, renderSummary } from './pipeline-summary.js';
import { planUp, type UpConfig, type UpPlan } from './up-plan.js';
import type { upSettings } from './up-settings.js';

const SUMMARY_INTERVAL_MILLIS = 15_000;

/** Runs `kcost up`; its help and settings are in up-role.ts. */
export const run: RoleRun<typeof upSettings> = async (config, { stdout, runRole }) => {
  const logger = createLogger({ service: 'up', level: config.logLevel });
  // Every port first: a second `kcost up` must not get as far as saying it is up.
  await assertPortsFree(planUp(config, Date.now()).ports);
  // The broker next, before a database is started for nothing.
  const freshTopics = !(await topicExists(config.brokers, TOPICS.usage.name, logger));
  const database = await resolveUpDatabase({ databaseUrl: config.databaseUrl, local: config.localPostgres, logger });
  try {
    if (database.embedded) stdout(`kcost up: no DATABASE_URL and no PostgreSQL on ${config.localPostgres.host}:${config.localPostgres.port}; started an embedded PostgreSQL there (data in ${database.embedded.dataDir}); it stops with kcost.\n`);
    return await runPipeline({ ...config, databaseUrl: database.url }, database, freshTopics, { stdout, runRole, logger });
  } finally {
    await database.embedded?.stop();
  }
};

async function runPipeline(
  config: UpConfig,
  database: UpDatabase,
  freshTopics: boolean,
  { stdout, runRole, logger }: { stdout: (text: string) => void; runRole: (argv: readonly string[]) => Promise<number>; logger: Logger },
): Promise<number> {
  if (await ensureDatabase(config.databaseUrl)) logger.info({ databaseUrl: config.databaseUrl }, 'created the database');
  const plan = planUp(config, Date.now(), freshTopics);
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
  const allocationUrl = `http://127.0.0.1:${config.apiPort}/v1/allocation?window=24h&aggregate=namespace`;
  stdout(
    [
      '',
      'kcost is up:',
      `  query API     ${allocationUrl}  (OpenAPI: /openapi.json)`,
      `  advice        http://127.0.0.1:${config.apiPort}/v1/recommendations  (right-sizing; INSUFFICIENT_HISTORY until a workload has the strategy's history, 24 h for kcost)`,
      `  exporter      http://127.0.0.1:${config.exporterPort}/metrics`,
      `  database      ${config.databaseUrl}${database.origin === 'embedded' ? ' (embedded)' : ''}  (Grafana: add it as a PostgreSQL datasource; dashboards in deploy/grafana)`,
      `  kafka         ${config.brokers.join(',')}`,
      '  kubectl cost  kcost install-plugin, then: kubectl cost namespace',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  const summary = process.stdout.isTTY ? startSummary(plan, config.brokers, allocationUrl, stdout, logger) : undefined;
  try {
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
  } finally {
    summary?.stop();
  }
}

/**
 * Every SUMMARY_INTERVAL_MILLIS, one line: the usage topics' end offsets (records
 * in) and the processor's and the sink's /metrics (costs out, rows loaded,
 * watermark). Stops at the first signal.
 */
function startSummary(plan: UpPlan, brokers: readonly string[], apiUrl: string, stdout: (text: string) => void, logger: Logger): { stop(): void } {
  const portOf = (role: string) => {
    const argv = plan.services.find((a) => a[0] === role) ?? [];
    return argv[argv.indexOf('--health-port') + 1];
  };
  const scrape = async (port: string | undefined) => (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
  const admin = createKafka({ brokers, clientId: 'kcost-up-summary', logger }).admin();
  const connected = admin.connect();
  // Handled here so a broker gone at start is no unhandled rejection; each line then skips.
  connected.catch(() => undefined);
  const samplesIn = async () => {
    await connected;
    // Samples that name their node come by the by-node usage topic, the others by the usage topic.
    const offsets = await Promise.all([TOPICS.usage.name, TOPICS.usageByNode.name].map((topic) => admin.fetchTopicOffsets(topic)));
    return offsets.flat().reduce((sum, p) => sum + Number(p.high), 0);
  };
  const timer = setInterval(() => {
    Promise.all([scrape(portOf('process')), scrape(portOf('sink')), samplesIn()]).then(
      ([processor, sink, samples]) => stdout(`${renderSummary(figuresOf(processor, sink, samples), Date.now(), apiUrl)}\n`),
      // A role still starting (or stopping) has no /metrics yet: skip this line.
      () => undefined,
    );
  }, SUMMARY_INTERVAL_MILLIS);
  const stop = () => {
    clearInterval(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    connected.then(() => admin.disconnect(), () => undefined).catch(() => undefined);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { stop };
}

async function topicExists(brokers: readonly string[], topic: string, logger: Logger): Promise<boolean> {
  const admin = createKafka({ brokers, clientId: 'kcost-up', logger }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}
