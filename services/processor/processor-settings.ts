import { hostname } from 'node:os';
import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseDurationMillis, parseEnum, parseInteger, parseNonEmpty, parseNumber, parseString } from '../config/parsers.js';
import { setting, type ConfigOf } from '../config/settings.js';
import { TOPICS, type TopicKey } from '../kafka/topics.js';
import { ALLOCATION_BASES, type AllocationBasis } from './allocation.js';
import { DEFAULT_ANOMALY_OPTIONS, type AnomalyOptions } from './anomaly-options.js';
import type { ProcessorConfig } from './processor.js';
import { DEFAULT_FUTURE_SKEW_MILLIS, DEFAULT_IDLE_SOURCE_AFTER_MILLIS } from './processor-defaults.js';

const topic = (key: TopicKey, what: string) =>
  setting(`${key}Topic`, { description: `Topic ${what} (override for tests or a second pipeline).`, default: TOPICS[key].name, parse: parseNonEmpty });

const basis = (resource: string) =>
  setting<AllocationBasis>(`${resource}Basis`, {
    description: `What a container's ${resource} is charged on: request, usage, or max (the larger of the two).`,
    default: 'max',
    parse: parseEnum(ALLOCATION_BASES),
  });

const A = DEFAULT_ANOMALY_OPTIONS;

/** Settings of `kcost process`: flags, KCOST_* variables and defaults. */
export const processorSettings = {
  ...kafkaSettings,
  ...processSettings,
  groupId: setting('groupId', {
    description: 'Consumer group of the usage router; the pricing and scoring stages use <group-id>.price and <group-id>.score, and the internal topics are named after it. Instances in one group share the work.',
    default: 'kcost-process',
    parse: parseNonEmpty,
  }),
  transactionalId: setting('transactionalId', {
    description: 'Kafka transactional id of this instance (its stages add .price and .score): outputs and input offsets commit atomically under it. Must be stable per instance and unique across instances.',
    default: `kcost-process-${hostname()}`,
    defaultLabel: 'kcost-process-<hostname>',
    parse: parseNonEmpty,
  }),
  allowedLateness: setting('allowedLateness', {
    description: 'How long after a window ends (in event time) its samples are still taken; later ones go to the dead-letter topic as LATE_SAMPLE. Samples for unknown pods or nodes wait this long for their state.',
    default: 120_000,
    defaultLabel: '2m',
    parse: parseDurationMillis,
  }),
  idleSourceAfter: setting('idleSourceAfter', {
    description:
      'How long a usage partition read to its end must stay quiet before windows stop waiting for it. Once every partition has been quiet this long plus the allowed lateness, the last open windows are priced: a feed that stops is priced through its last sample within 2 × idle-source-after + allowed-lateness + 1 s.',
    default: DEFAULT_IDLE_SOURCE_AFTER_MILLIS,
    defaultLabel: '10s',
    parse: parseDurationMillis,
  }),
  futureSkew: setting('futureSkew', {
    description: "How far past this instance's clock an input record's times may be (a usage window's start, a price's or object's observation time); later ones are dead-lettered as TIME_OUT_OF_RANGE.",
    default: DEFAULT_FUTURE_SKEW_MILLIS,
    defaultLabel: '1h',
    parse: parseDurationMillis,
  }),
  cpuBasis: basis('cpu'),
  memoryBasis: basis('memory'),
  stateRetention: setting('stateRetention', {
    description: 'How long deleted pods, nodes and volumes are kept (in event time) for late windows before they are forgotten.',
    default: 86_400_000,
    defaultLabel: '24h',
    parse: parseDurationMillis,
  }),
  anomalyBaselineDays: setting('anomalyBaselineDays', { description: 'Days of same-hour history in the anomaly baseline.', default: A.baselineDays, parse: parseInteger(1, 60) }),
  anomalyScoreInfo: setting('anomalyScoreInfo', { description: 'Robust z-score from which a cost rate is reported as an anomaly (INFO).', default: A.scoreInfo, parse: parseNumber(0) }),
  anomalyScoreWarning: setting('anomalyScoreWarning', { description: 'Robust z-score from which an anomaly is a WARNING.', default: A.scoreWarning, parse: parseNumber(0) }),
  anomalyScoreCritical: setting('anomalyScoreCritical', { description: 'Robust z-score from which an anomaly is CRITICAL.', default: A.scoreCritical, parse: parseNumber(0) }),
  anomalyMinRelativeChange: setting('anomalyMinRelativeChange', {
    description: 'Smallest change from the expected hourly rate worth reporting, as a fraction (0.2 = 20 %).',
    default: A.minRelativeChange,
    parse: parseNumber(0),
  }),
  anomalyMinRelativeDrop: setting('anomalyMinRelativeDrop', {
    description: 'Smallest fall from the expected hourly rate worth reporting, as a fraction (0.6 = a 60 % drop); a neighbour over-allocating a node scales the others down.',
    default: A.minRelativeDrop,
    parse: parseNumber(0, 1),
  }),
  anomalyRateBasis: setting<AnomalyOptions['rateBasis']>('anomalyRateBasis', {
    description: 'Which hourly rate is scored: on-demand (the on-demand-equivalent cost, blind to spot price moves and spot/on-demand rescheduling) or actual.',
    default: A.rateBasis,
    parse: parseEnum(['on-demand', 'actual'] as const),
  }),
  anomalyMinAbsoluteChange: setting('anomalyMinAbsoluteChange', {
    description: 'Smallest change from the expected hourly rate worth reporting, in USD per hour.',
    default: A.minAbsoluteChangeHourlyUsd,
    parse: parseNumber(0),
  }),
  kubeTopic: topic('kube', 'of Kubernetes state (read in full by every instance)'),
  pricesTopic: topic('prices', 'of price updates (read in full by every instance)'),
  usageTopic: topic('usage', 'of usage samples (shared by the consumer group)'),
  usageByNodeTopic: setting('usageByNodeTopic', {
    description: `Topic of usage samples keyed by node (cluster/node), priced without the by-node copy, beside --usage-topic; it must have as many partitions as <group-id>.usage-by-node (kcost topics makes it so). Off by default for now (docs/processor.md, "Found and fixed"). Empty (the default), or a topic missing at start: not read.`,
    default: '',
    parse: parseString,
  }),
  usageNodeWindowTopic: setting('usageNodeWindowTopic', {
    description: `Topic of NodeUsage records (one per node and window, holding its containers' samples), keyed by node (cluster/node), priced without the by-node copy and with a fraction of the per-record work, beside --usage-topic and --usage-by-node-topic (${TOPICS.usageNodeWindow.name}); it must have as many partitions as <group-id>.usage-by-node (kcost topics makes it so). Off by default, as --usage-by-node-topic is, whose lane rules it shares. Empty (the default), or a topic missing at start: not read.`,
    default: '',
    parse: parseString,
  }),
  costsTopic: topic('costs', 'the PodCost records are published to'),
  nodeCostsTopic: topic('nodeCosts', 'the NodeCost records are published to'),
  anomaliesTopic: topic('anomalies', 'the CostAnomaly records are published to'),
  deadLetterTopic: topic('deadLetter', 'late and undecodable usage samples are sent to'),
};

/** The processor's options from its resolved settings. */
export function processorConfigOf(config: ConfigOf<typeof processorSettings>): ProcessorConfig {
  const anomaly: AnomalyOptions = {
    ...DEFAULT_ANOMALY_OPTIONS,
    baselineDays: config.anomalyBaselineDays,
    scoreInfo: config.anomalyScoreInfo,
    scoreWarning: Math.max(config.anomalyScoreInfo, config.anomalyScoreWarning),
    scoreCritical: Math.max(config.anomalyScoreInfo, config.anomalyScoreWarning, config.anomalyScoreCritical),
    minRelativeChange: config.anomalyMinRelativeChange,
    minAbsoluteChangeHourlyUsd: config.anomalyMinAbsoluteChange,
    minRelativeDrop: config.anomalyMinRelativeDrop,
    rateBasis: config.anomalyRateBasis,
  };
  return {
    groupId: config.groupId,
    transactionalId: config.transactionalId,
    allowedLatenessMillis: config.allowedLateness,
    idleSourceAfterMillis: config.idleSourceAfter,
    futureSkewMillis: config.futureSkew,
    stateRetentionMillis: config.stateRetention,
    bases: { cpu: config.cpuBasis, memory: config.memoryBasis },
    anomaly,
    topics: {
      kube: config.kubeTopic,
      prices: config.pricesTopic,
      usage: config.usageTopic,
      usageByNode: config.usageByNodeTopic,
      usageNodeWindow: config.usageNodeWindowTopic,
      costs: config.costsTopic,
      nodeCosts: config.nodeCostsTopic,
      anomalies: config.anomaliesTopic,
      deadLetter: config.deadLetterTopic,
    },
  };
}
