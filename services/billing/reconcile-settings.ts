import { processSettings } from '../config/common-settings.js';
import { parseDurationMillis, parseEnum, parseInteger, parseNonEmpty, parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { databaseSettings } from '../db/db-settings.js';
import { UNATTRIBUTED_RULES, type UnattributedRule } from './external.js';

/** Settings of `kcost reconcile`. */
export const reconcileSettings = {
  ...databaseSettings,
  ...processSettings,
  every: setting('every', {
    description: 'How often to look for days whose billing lines or costs changed and reconcile them again (e.g. 15m); 0 reconciles once and exits (for a CronJob).',
    default: 900_000,
    defaultLabel: '15m',
    parse: parseDurationMillis,
  }),
  lookbackDays: setting('lookbackDays', {
    description: 'UTC days before today (and today) that are checked for changes: providers restate a month until its invoice closes, so at least 35.',
    default: 40,
    parse: parseInteger(1, 400),
  }),
  clusterTag: setting('clusterTag', {
    description: 'A billing tag whose value names the cluster of a line, besides kubernetes.io/cluster/<name> (e.g. eks:cluster-name); empty for none.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  namespaceTag: setting('namespaceTag', {
    description: 'The billing tag whose value names the namespace of a line (a load balancer is also charged to the namespace of its kubernetes.io/service-name tag).',
    default: 'kcost.io/namespace',
    parse: parseNonEmpty,
  }),
  unattributed: setting<UnattributedRule>('unattributed', {
    description: 'How an external line that names no namespace is shared among the namespaces of its cluster (of every cluster when it names none) that day: even (equal shares), proportional (to their reconciled cost) or unallocated (one __unallocated__ row).',
    default: 'proportional',
    parse: parseEnum(UNATTRIBUTED_RULES),
  }),
};
