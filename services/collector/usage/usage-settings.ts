import { kafkaSettings, processSettings } from '../../config/common-settings.js';
import { parseDurationMillis, parseEnum, parseInteger, parseNonEmpty, parseString } from '../../config/parsers.js';
import { setting } from '../../config/settings.js';
import { TOPICS } from '../../kafka/topics.js';
import { kubeConnectionSettings } from '../kube-connection-settings.js';
import type { UsageSourceName } from './usage-observation.js';

/** Settings of `kcost collect usage`. */
export const usageSettings = {
  ...kafkaSettings,
  ...processSettings,
  ...kubeConnectionSettings,
  usageTopic: setting('usageTopic', {
    description: 'Topic the UsageSample records are published to.',
    default: TOPICS.usage.name,
    parse: parseNonEmpty,
  }),
  usageByNodeTopic: setting('usageByNodeTopic', {
    description: `Topic the UsageSample records that name their node go to, keyed by it (cluster/node), which kcost process prices without copying them by node first (${TOPICS.usageByNode.name}, with the processor's --usage-by-node-topic naming it); empty (the default): all to --usage-topic, keyed by pod.`,
    default: '',
    parse: parseString,
  }),
  usageNodeWindowTopic: setting('usageNodeWindowTopic', {
    description: `Topic the samples that name their node go to as NodeUsage records, one per node and window holding its containers' samples, keyed by node (cluster/node), which kcost process prices with a fraction of the per-record work (${TOPICS.usageNodeWindow.name}, with the processor's --usage-node-window-topic naming it); instead of --usage-by-node-topic, not with it. Empty (the default): not used.`,
    default: '',
    parse: parseString,
  }),
  usageSource: setting<UsageSourceName>('usageSource', {
    description: 'Where usage is read: metrics-api (PodMetrics from metrics.k8s.io, i.e. metrics-server) or kubelet-summary (each node\'s /stats/summary through the API server proxy; adds exact CPU time and network bytes).',
    default: 'metrics-api',
    parse: parseEnum<UsageSourceName>(['metrics-api', 'kubelet-summary']),
  }),
  windowSeconds: setting('windowSeconds', {
    description: 'Length of a usage window in seconds; windows are aligned to multiples of it and each yields one sample per container.',
    default: 60,
    parse: parseInteger(1, 3600),
  }),
  scrapeInterval: setting('scrapeInterval', {
    description: 'How often the source is read within a window (metrics are point samples; several per window are averaged). At most the window length.',
    default: 15_000,
    defaultLabel: '15s',
    parse: parseDurationMillis,
  }),
  maxGapWindows: setting('maxGapWindows', {
    description: 'Gap records for a container stop after this many unobserved windows in a row.',
    default: 15,
    parse: parseInteger(0, 10_000),
  }),
  summaryConcurrency: setting('summaryConcurrency', {
    description: 'Kubelet summaries read at the same time (kubelet-summary source).',
    default: 8,
    parse: parseInteger(1, 256),
  }),
  listPageSize: setting('listPageSize', {
    description: 'Pods per page when listing the pods that key usage by uid.',
    default: 500,
    parse: parseInteger(1, 10_000),
  }),
};
