import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandMacros, interpolateVariables, type TimeRange, type VariableValue } from './grafana-sql.js';
import { REPO } from './repo.js';
import { asOf, type SimulatedCosts } from './simulated-costs.js';

export interface Target {
  refId: string;
  format: string;
  rawSql: string;
}
interface Panel {
  title: string;
  type: string;
  datasource: { uid: string };
  targets: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string;
  multi?: boolean;
  includeAll?: boolean;
  current: { value?: string | string[] };
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const DIR = join(REPO, 'deploy/grafana/dashboards');

/** The dashboards of deploy/grafana, in file order. */
export const dashboards = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Dashboard }));

/** Every query of every panel. */
export const targets = dashboards.flatMap(({ dashboard }) =>
  dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ name: `${dashboard.title} / ${panel.title} (${target.refId})`, uid: dashboard.uid, panel: panel.title, target }))),
);

/** The SQL of one panel's query. */
export const sqlOf = (uid: string, title: string, refId = 'A') => {
  const found = targets.find((t) => t.uid === uid && t.panel === title && t.target.refId === refId);
  if (!found) throw new Error(`no panel ${title} (${refId}) in ${uid}`);
  return found.target.rawSql;
};

/** A panel's SQL as Grafana's PostgreSQL datasource would send it for `range`. */
export function panelSql(sql: string, variables: Readonly<Record<string, VariableValue>>, range: TimeRange): string {
  const expanded = expandMacros(interpolateVariables(sql, variables), range);
  if (/\$\w|\[\[/.test(expanded)) throw new Error(`unexpanded variable or macro left in ${expanded}`);
  return expanded;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

/** A small cluster of `kcost simulate` priced by the processor's core: 8 days of 5-minute windows, anomalies in the second half. */
export const SIMULATION = { cluster: 'sim-eu', seed: 3, nodes: 5, pods: 40, startMillis: Date.UTC(2026, 0, 5), durationMillis: 8 * DAY, windowSeconds: 300 };

export const LIVE_EDGE_MINUTES_PAST_HOUR = 10;

/**
 * The run as seen at its live edge: ten minutes past the hour in which the processor raised its
 * latest anomaly, so a range ending now ends in a part-hour that only the raw windows hold.
 */
export function liveEdge(run: SimulatedCosts): { now: number; costs: SimulatedCosts } {
  const raised = Math.max(...run.anomalies.map((a) => a.detectedAt));
  const now = Math.floor(raised / (60 * MINUTE)) * 60 * MINUTE + LIVE_EDGE_MINUTES_PAST_HOUR * MINUTE;
  if (now < raised) throw new Error('the latest anomaly was raised after its hour plus ten minutes');
  return { now, costs: asOf(run, now) };
}
