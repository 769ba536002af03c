import type { ConfigOf } from '../config/settings.js';
import { TOPICS } from '../kafka/topics.js';
import type { upSettings } from './up-settings.js';

export type UpConfig = ConfigOf<typeof upSettings>;

/** The role invocations `kcost up` makes, as `kcost` argv, in the order they start. */
export interface UpPlan {
  /** One-shot roles run first, one after the other. */
  readonly setup: ReadonlyArray<readonly string[]>;
  /** Long-running roles started together once setup succeeded. */
  readonly services: ReadonlyArray<readonly string[]>;
  /** Feeders run one after the other once the services run (the simulator's backfill, then real time). */
  readonly feeders: ReadonlyArray<readonly string[]>;
  /** Every port the roles listen on, with what listens there and the flag that moves it. */
  readonly ports: ReadonlyArray<PlannedPort>;
}

export interface PlannedPort {
  readonly port: number;
  readonly what: string;
  readonly flag: string;
}

const MONTH = '30d';

/**
 * Plans the roles of a single-machine pipeline; pure, so the plan is tested
 * without starting anything. `freshTopics` says whether the usage topic is new:
 * a backfill into topics that already hold later usage would only be dead-lettered
 * as late by the processor, so on a second run the simulator goes straight to real time.
 */
export function planUp(config: UpConfig, nowMillis: number, freshTopics = true): UpPlan {
  const kafka = ['--brokers', config.brokers.join(','), '--log-level', config.logLevel];
  const database = ['--database-url', config.databaseUrl];
  const ports: PlannedPort[] = [
    { port: config.apiPort, what: 'query API', flag: '--api-port' },
    { port: config.exporterPort, what: 'exporter', flag: '--exporter-port' },
  ];
  let port = config.firstHealthPort;
  const health = (what: string) => {
    ports.push({ port, what: `${what} health`, flag: '--first-health-port' });
    return ['--health-port', String(port++)];
  };
  const services = [
    ['process', ...kafka, ...health('processor')],
    // The sink loads prices into price_history only when given their topic; estimates and /v1/prices read them there.
    ['sink', ...kafka, ...database, '--prices-topic', TOPICS.prices.name, ...health('sink')],
    // Its internal topics are made by `kcost topics` above (its --recommender-group-id is recommend's default --group-id).
    ['recommend', ...kafka, ...health('recommender')],
    // Node-pool, spot, commitment and ARM advice, worked out again every minute here so it follows the backfill soon.
    ['savings', ...kafka, ...database, '--interval', '1m', ...health('savings')],
    // Stored forecasts and namespace budget labels for /v1/forecast, /v1/budgets and Grafana (a series needs 21 days of history).
    ['forecast', ...kafka, ...database, '--every', '15m', ...health('forecast')],
    ['export', ...kafka, '--health-port', String(config.exporterPort)],
    ['api', ...database, '--log-level', config.logLevel, '--port', String(config.apiPort)],
  ];
  if (!config.simulate) {
    services.push(['collect', 'kube', ...kafka, ...health('kube collector')], ['collect', 'usage', ...kafka, ...health('usage collector')], ['collect', 'prices', ...kafka, ...health('price collector')]);
  }
  const simulation = ['--cluster', config.cluster, '--nodes', String(config.nodes), '--pods', String(config.pods)];
  const simHealth = config.simulate ? health('simulator') : [];
  // The backfill ends at the start of the current window; the real-time run carries on from there.
  const windowStart = Math.floor(nowMillis / 60_000) * 60_000;
  const backfill = ['simulate', ...kafka, ...simulation, ...simHealth, '--speed', 'max', '--start', new Date(windowStart - config.backfill).toISOString(), '--duration', `${Math.round(config.backfill / 1000)}s`];
  const realtime = ['simulate', ...kafka, ...simulation, ...simHealth, '--speed', 'realtime', '--start', new Date(windowStart).toISOString(), '--duration', MONTH];
  const feeders = !config.simulate ? [] : freshTopics && config.backfill > 0 ? [backfill, realtime] : [realtime];
  return {
    setup: [
      ['topics', ...kafka],
      ['migrate', ...database, '--log-level', config.logLevel],
    ],
    services,
    feeders,
    ports,
  };
}
