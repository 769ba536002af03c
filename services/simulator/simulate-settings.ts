import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseDurationMillis, parseInteger, parseNonEmpty, parseString } from '../config/parsers.js';
import { setting, type ConfigOf } from '../config/settings.js';
import { TOPICS } from '../kafka/topics.js';

/** `max` (as fast as the broker takes it), `realtime` (1×) or a speed-up factor such as 60. */
export function parseSpeed(raw: string): number {
  const value = raw.trim().toLowerCase();
  if (value === 'max') return Number.POSITIVE_INFINITY;
  if (value === 'realtime') return 1;
  const factor = Number(value);
  if (value === '' || !Number.isFinite(factor) || factor <= 0) throw new Error('expected max, realtime or a positive speed-up factor such as 60');
  return factor;
}

/** An RFC 3339 time, or empty for "work it out from --speed". */
export function parseStart(raw: string): number | null {
  if (raw.trim() === '') return null;
  const millis = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw.trim()) || !Number.isFinite(millis)) throw new Error('expected an RFC 3339 time such as 2026-01-05T00:00:00Z');
  return millis;
}

/** Settings of `kcost simulate`. */
export const simulateSettings = {
  ...kafkaSettings,
  ...processSettings,
  cluster: setting('cluster', { description: 'Cluster name on every record.', default: 'sim', parse: parseNonEmpty }),
  nodes: setting('nodes', { description: 'Nodes in the synthetic cluster (about 8 % of them GPU nodes from 5 nodes up, ~40 % of the rest spot).', default: 50, parse: parseInteger(1, 100_000) }),
  pods: setting('pods', { description: 'Pods running at any time, DaemonSet pods included.', default: 1000, parse: parseInteger(1, 10_000_000) }),
  duration: setting('duration', { description: 'Simulated time to publish (e.g. 2h, 24h, 7d); a whole number of windows.', default: 86_400_000, defaultLabel: '24h', parse: parseDurationMillis }),
  window: setting('window', { description: 'Usage window: one UsageSample per container per window.', default: 60_000, defaultLabel: '60s', parse: parseDurationMillis }),
  speed: setting('speed', {
    description: 'How fast simulated time passes: max (backfill as fast as the broker acknowledges), realtime, or a factor (60 = an hour per minute).',
    default: Number.POSITIVE_INFINITY,
    defaultLabel: 'max',
    parse: parseSpeed,
  }),
  seed: setting('seed', { description: 'Seed of the pseudo-random generator: the same seed and flags give the same records.', default: 1, parse: parseInteger(0, 4_294_967_295) }),
  start: setting('start', {
    description: 'Simulated start time (RFC 3339). Default: --duration ago for --speed max (a backfill that ends now), now otherwise.',
    default: null as number | null,
    defaultLabel: '(from --speed)',
    parse: parseStart,
  }),
  anomalies: setting('anomalies', { description: 'Cost anomalies to inject in the second half of the run; -1 means one per 8 simulated hours.', default: -1, parse: parseInteger(-1, 1000) }),
  groundTruth: setting('groundTruth', { description: 'File to write the injected anomalies to (JSON array of {cluster, scope, key, namespace, startMillis, endMillis, factor}).', default: '', defaultLabel: '(not written)', parse: parseString }),
  kubeTopic: setting('kubeTopic', { description: 'Topic of the KubeObject records.', default: TOPICS.kube.name, parse: parseNonEmpty }),
  usageTopic: setting('usageTopic', { description: 'Topic of the UsageSample records that name no node (of every one, with --usage-by-node-topic and --usage-node-window-topic empty).', default: TOPICS.usage.name, parse: parseNonEmpty }),
  usageByNodeTopic: setting('usageByNodeTopic', {
    description: `Topic the UsageSample records go to keyed by their node (cluster/node), which kcost process prices without copying them by node first (${TOPICS.usageByNode.name}, with the processor's --usage-by-node-topic naming it); empty (the default): all to --usage-topic, keyed by pod.`,
    default: '',
    parse: parseString,
  }),
  usageNodeWindowTopic: setting('usageNodeWindowTopic', {
    description: `Topic the samples that name their node go to as NodeUsage records, one per node and window holding its containers' samples, keyed by node (cluster/node), which kcost process prices with a fraction of the per-record work (${TOPICS.usageNodeWindow.name}, with the processor's --usage-node-window-topic naming it); instead of --usage-by-node-topic, not with it. Empty (the default): not used.`,
    default: '',
    parse: parseString,
  }),
  pricesTopic: setting('pricesTopic', { description: 'Topic of the PriceUpdate records.', default: TOPICS.prices.name, parse: parseNonEmpty }),
  replicationFactor: setting('replicationFactor', { description: 'Replicas of the topics it creates when they are missing.', default: 1, parse: parseInteger(1, 16) }),
};

export type SimulateConfig = ConfigOf<typeof simulateSettings>;
