import { kafkaSettings, processSettings } from '../../config/common-settings.js';
import { parseDurationMillis, parseInteger, parseNonEmpty } from '../../config/parsers.js';
import { setting } from '../../config/settings.js';
import { TOPICS } from '../../kafka/topics.js';
import { kubeConnectionSettings } from '../kube-connection-settings.js';

/** Settings of `kcost collect kube`. */
export const kubeSettings = {
  ...kafkaSettings,
  ...processSettings,
  ...kubeConnectionSettings,
  kubeTopic: setting('kubeTopic', {
    description: 'Topic the KubeObject records are published to.',
    default: TOPICS.kube.name,
    parse: parseNonEmpty,
  }),
  resyncInterval: setting('resyncInterval', {
    description: 'Republish every cached object this often, so a record Kafka lost heals (0 turns it off).',
    default: 30 * 60_000,
    defaultLabel: '30m',
    parse: parseDurationMillis,
  }),
  reconnectInitialDelay: setting('reconnectInitialDelay', {
    description: 'First wait before reconnecting a failed list or watch; doubles on each failure in a row.',
    default: 1000,
    defaultLabel: '1s',
    parse: parseDurationMillis,
  }),
  reconnectMaxDelay: setting('reconnectMaxDelay', {
    description: 'Longest wait between reconnects.',
    default: 30_000,
    defaultLabel: '30s',
    parse: parseDurationMillis,
  }),
  listPageSize: setting('listPageSize', {
    description: 'Objects per page when listing (the API server pages large lists with continue tokens).',
    default: 500,
    parse: parseInteger(1, 10_000),
  }),
};
