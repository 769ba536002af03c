import type { ConfigOf } from '../config/settings.js';
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
  let port = config.firstHealthPort;
  const health = () => ['--health-port', String(port++)];
  const services = [
    ['process', ...kafka, ...health()],
    ['sink', ...kafka, ...database, ...health()],
    ['export', ...kafka, '--health-port', String(config.exporterPort)],
    ['api', ...database, '--log-level', config.logLevel, '--port', String(config.apiPort)],
  ];
  if (!config.simulate) {
    services.push(['collect', 'kube', ...kafka, ...health()], ['collect', 'usage', ...kafka, ...health()], ['collect', 'prices', ...kafka, ...health()]);
  }
  const simulation = ['--cluster', config.cluster, '--nodes', String(config.nodes), '--pods', String(config.pods)];
  const simHealth = health();
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
  };
}
