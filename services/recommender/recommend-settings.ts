import { hostname } from 'node:os';
import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseDurationMillis, parseEnum, parseNonEmpty } from '../config/parsers.js';
import { setting, type ConfigOf } from '../config/settings.js';
import { TOPICS, type TopicKey } from '../kafka/topics.js';
import type { RecommenderConfig } from './recommender-service.js';
import { STRATEGIES, compileStrategy } from './strategy.js';

const HOUR = 3_600_000;

/** A duration longer than zero: an interval or window of 0 would publish on every window, or price with no costs at all. */
function parsePositiveDurationMillis(raw: string): number {
  const millis = parseDurationMillis(raw);
  if (millis <= 0) throw new Error('expected a duration longer than 0, such as 1h');
  return millis;
}

const topic = (key: TopicKey, what: string) =>
  setting(`${key}Topic`, { description: `Topic ${what} (override for tests or a second pipeline).`, default: TOPICS[key].name, parse: parseNonEmpty });

/** Settings of `kcost recommend`: flags, KCOST_* variables and defaults. */
export const recommendSettings = {
  ...kafkaSettings,
  ...processSettings,
  groupId: setting('groupId', {
    description:
      'Consumer group of the cost router; the OOM router and the recommend stage use <group-id>.kube and <group-id>.recommend, and the internal topics <group-id>.by-container and <group-id>.history are named after it. Instances in one group share the work.',
    default: 'kcost-recommend',
    parse: parseNonEmpty,
  }),
  transactionalId: setting('transactionalId', {
    description: 'Kafka transactional id of this instance (its stages add .kube and .recommend). Must be stable per instance and unique across instances.',
    default: `kcost-recommend-${hostname()}`,
    defaultLabel: 'kcost-recommend-<hostname>',
    parse: parseNonEmpty,
  }),
  strategy: setting('strategy', {
    description: 'Right-sizing strategy: kcost (p95 CPU + 10 %, HPA-aware), vpa (the VPA recommender\'s defaults) or krr-simple (Robusta KRR\'s simple strategy). See docs/rightsizing.md.',
    default: 'kcost',
    parse: parseEnum(Object.keys(STRATEGIES)),
  }),
  publishInterval: setting('publishInterval', {
    description: "A recommendation per workload container each time its history crosses a multiple of this in event time (the windows' time, never the wall clock), and at once after a new OOM kill.",
    default: HOUR,
    defaultLabel: '1h',
    parse: parsePositiveDurationMillis,
  }),
  publishGrace: setting('publishGrace', {
    description: 'How far past a boundary (in event time) every costs partition must have got before the boundary is published: priced windows arrive a little out of order. Windows later than that count from the next boundary.',
    default: 5 * 60_000,
    defaultLabel: '5m',
    parse: parseDurationMillis,
  }),
  rateWindow: setting('rateWindow', {
    description: 'Event time over which the USD per core-hour and per GiB-hour a recommendation is priced with are averaged, from the costs of the nodes the workload ran on.',
    default: 24 * HOUR,
    defaultLabel: '24h',
    parse: parsePositiveDurationMillis,
  }),
  idleSourceAfter: setting('idleSourceAfter', {
    description: 'How long a costs partition read to its end must stay quiet before publishing stops waiting for it.',
    default: 10_000,
    defaultLabel: '10s',
    parse: parsePositiveDurationMillis,
  }),
  podRetention: setting('podRetention', {
    description: 'How long deleted pods, workloads and autoscalers, and superseded autoscaler and workload states, are kept (in observation time) so that the hours they ran in still see them.',
    default: 24 * HOUR,
    defaultLabel: '24h',
    parse: parseDurationMillis,
  }),
  orphanedVolumeAfter: setting('orphanedVolumeAfter', {
    description:
      'A PersistentVolumeClaim that no running pod mounted for this long (in its cluster\'s event time: the newest kube observation) gets an ORPHANED_VOLUME recommendation saving its whole cost; a pod mounting it again retires it.',
    default: 7 * 24 * HOUR,
    defaultLabel: '7d',
    parse: parsePositiveDurationMillis,
  }),
  daemonsetOnlyNodeAfter: setting('daemonsetOnlyNodeAfter', {
    description:
      'A node that ran nothing but DaemonSet and static pods for this long (in its cluster\'s event time) gets a DAEMONSET_ONLY_NODE recommendation saving its whole cost; any other pod running on it retires it.',
    default: 24 * HOUR,
    defaultLabel: '24h',
    parse: parsePositiveDurationMillis,
  }),
  kubeTopic: topic('kube', 'of Kubernetes state (read in full by every instance; specs, OOM kills, replicas and autoscalers)'),
  pricesTopic: topic('prices', 'of prices (read in full by every instance; storage prices for orphaned volumes)'),
  costsTopic: topic('costs', 'of priced container windows (shared by the consumer group)'),
  recommendationsTopic: topic('recommendations', 'the Recommendation records (and their tombstones) are published to'),
  deadLetterTopic: topic('deadLetter', 'refused priced windows are sent to'),
};

/** The recommender's options from its resolved settings. */
export function recommenderConfigOf(config: ConfigOf<typeof recommendSettings>): RecommenderConfig {
  return {
    groupId: config.groupId,
    transactionalId: config.transactionalId,
    model: {
      strategy: compileStrategy(config.strategy),
      publishIntervalMillis: config.publishInterval,
      graceMillis: config.publishGrace,
      rateWindowMillis: config.rateWindow,
    },
    idleSourceAfterMillis: config.idleSourceAfter,
    podRetentionMillis: config.podRetention,
    orphanedVolumeAfterMillis: config.orphanedVolumeAfter,
    daemonSetOnlyNodeAfterMillis: config.daemonsetOnlyNodeAfter,
    topics: { kube: config.kubeTopic, prices: config.pricesTopic, costs: config.costsTopic, recommendations: config.recommendationsTopic, deadLetter: config.deadLetterTopic },
  };
}
