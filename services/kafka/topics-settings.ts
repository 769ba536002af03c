import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseInteger } from '../config/parsers.js';
import { setting } from '../config/settings.js';

/** Settings of `kcost topics`. */
export const topicsSettings = {
  brokers: kafkaSettings.brokers,
  clientId: kafkaSettings.clientId,
  kafkaTls: kafkaSettings.kafkaTls,
  kafkaCaFile: kafkaSettings.kafkaCaFile,
  kafkaSaslMechanism: kafkaSettings.kafkaSaslMechanism,
  kafkaUsername: kafkaSettings.kafkaUsername,
  kafkaPasswordFile: kafkaSettings.kafkaPasswordFile,
  kafkaOauthTokenFile: kafkaSettings.kafkaOauthTokenFile,
  logLevel: processSettings.logLevel,
  replicationFactor: setting('replicationFactor', {
    description: 'Replicas of each topic it creates (1 for a single local broker, 3 in production).',
    default: 1,
    parse: parseInteger(1, 16),
  }),
  processorGroupId: setting('processorGroupId', {
    description:
      "Also creates the internal topics of the kcost process group with this --group-id (<id>.usage-by-node, <id>.cost-rates, <id>.anomaly-history), partitioned and replicated like kcost.usage.v1, so the processor needs no right to create topics. Empty: none.",
    default: 'kcost-process',
    parse: (raw) => raw.trim(),
  }),
  recommenderGroupId: setting('recommenderGroupId', {
    description:
      'Also creates the internal topics of the kcost recommend group with this --group-id (<id>.by-container, <id>.history), partitioned and replicated like kcost.costs.v1, so the recommender needs no right to create topics. Empty: none.',
    default: 'kcost-recommend',
    parse: (raw) => raw.trim(),
  }),
};
