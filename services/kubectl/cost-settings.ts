import { parseEnum, parseInteger, parseNumber, parseString, parseUrl } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { RECOMMENDATION_TYPES, type RecommendationType } from './recommendation-types.js';

/** An optional non-negative number: empty means "not given". */
function parseOptionalUsd(raw: string): number | null {
  return raw.trim() === '' ? null : parseNumber(0)(raw);
}

/** Every setting of `kubectl cost` / `kcost cost`. */
export const costSettings = {
  apiUrl: setting('apiUrl', {
    description: 'Base URL of the kcost query API (kcost api), e.g. http://kcost-api.kcost:8080.',
    default: 'http://127.0.0.1:8080',
    parse: parseUrl(['http', 'https']),
  }),
  token: setting('token', {
    description: 'Bearer token for the API, when it requires one.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
    envAliases: ['KCOST_API_TOKEN'],
  }),
  window: setting('window', {
    description: 'Time range: today, yesterday, week, month, <n>h, <n>d or "start,end" in RFC 3339.',
    default: '24h',
    parse: parseString,
  }),
  history: setting('history', {
    description: 'forecast, budgets: history the forecast is fitted on (whole UTC days before today; at least 21 of them with cost), e.g. 90d.',
    default: '90d',
    parse: parseString,
  }),
  horizon: setting('horizon', {
    description: 'forecast: days to forecast, 1d to 92d.',
    default: '30d',
    parse: parseString,
  }),
  cluster: setting('cluster', {
    description: 'Only this cluster.',
    default: '',
    defaultLabel: '(all)',
    parse: parseString,
  }),
  namespace: setting('namespace', {
    description: 'Only this namespace (-n).',
    default: '',
    defaultLabel: '(all)',
    parse: parseString,
  }),
  comment: setting('comment', {
    description: 'approve: a note for the audit, kept with the approval.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  generatedAt: setting('generatedAt', {
    description: 'approve: the version of the recommendation to approve, its generatedAt (RFC 3339 or epoch milliseconds, as kubectl cost recommendations -o json shows it); the API refuses it if the advice has changed since. Empty: the current version.',
    default: '',
    defaultLabel: '(the current one)',
    parse: parseString,
  }),
  idle: setting<'hide' | 'include' | 'share'>('idle', {
    description: 'Idle cost: hide, include (as __idle__ rows) or share (spread over the rows).',
    default: 'hide',
    parse: parseEnum(['hide', 'include', 'share'] as const),
  }),
  costBasis: setting<'list' | 'reconciled'>('costBasis', {
    description: 'focus: list (kcost\'s prices) or reconciled (the cost reconciled with the cloud bill by kcost reconcile, with external rows; whole UTC days: a window such as month or 7d).',
    default: 'list',
    parse: parseEnum(['list', 'reconciled'] as const),
  }),
  output: setting<'table' | 'json' | 'csv' | 'yaml'>('output', {
    description: 'table (aligned columns), json (the API answer) or csv (-o); recommendations also yaml: one strategic merge patch per workload (and its HPA) for kubectl patch --patch-file.',
    default: 'table',
    parse: parseEnum(['table', 'json', 'csv', 'yaml'] as const),
  }),
  kind: setting('kind', {
    description: 'recommendations: only workloads of this kind (Deployment, StatefulSet, DaemonSet, CronJob, ...).',
    default: '',
    defaultLabel: '(all)',
    parse: parseString,
  }),
  type: setting<RecommendationType>('type', {
    description:
      'recommendations: which advice, resources (right-sizing of workload containers), idle-workloads (every container near zero for the window; --kind applies), orphaned-volumes (claims no running pod mounted for the recommender\'s --orphaned-volume-after), daemonset-only-nodes (nodes that ran only DaemonSet and static pods for its --daemonset-only-node-after), and from kcost savings node-pools, spot, commitments or arm. -o yaml is for resources only, --kind for resources, idle-workloads, spot and arm.',
    default: 'resources',
    parse: parseEnum(Object.keys(RECOMMENDATION_TYPES) as RecommendationType[]),
  }),
  minSavingUsd: setting<number | null>('minSavingUsd', {
    description: 'recommendations: only those saving at least this many USD a month.',
    default: null,
    defaultLabel: '(any)',
    parse: (raw) => (raw.trim() === '' ? null : parseNumber(-1e9, 1e9)(raw)),
  }),
  risk: setting('risk', {
    description: 'recommendations: only these risks, comma-separated (LOW, MEDIUM, HIGH).',
    default: '',
    defaultLabel: '(any)',
    parse: parseString,
  }),
  filename: setting('filename', {
    description: 'estimate: manifest file (YAML, several documents allowed) with Deployments, StatefulSets and DaemonSets (-f).',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  maxMonthlyUsd: setting<number | null>('maxMonthlyUsd', {
    description: 'estimate: exit with status 3 when the estimated monthly cost exceeds this many USD (for CI checks).',
    default: null,
    defaultLabel: '(no limit)',
    parse: parseOptionalUsd,
  }),
  nodeCount: setting('nodeCount', {
    description: 'estimate: nodes a DaemonSet runs on.',
    default: 1,
    parse: parseInteger(0, 100_000),
  }),
  provider: setting('provider', {
    description: 'estimate: provider of the price to use (aws, gcp, azure, custom).',
    default: '',
    defaultLabel: '(any)',
    parse: parseString,
  }),
  region: setting('region', {
    description: 'estimate: region of the price to use.',
    default: '',
    defaultLabel: '(any)',
    parse: parseString,
  }),
  instanceType: setting('instanceType', {
    description: 'estimate: price the requests at the current price of this instance type (from GET /v1/prices); without it, at the built-in default prices.',
    default: '',
    defaultLabel: '(default prices)',
    parse: parseString,
  }),
  capacityType: setting<'ON_DEMAND' | 'SPOT' | 'RESERVED'>('capacityType', {
    description: 'estimate: ON_DEMAND, SPOT or RESERVED price.',
    default: 'ON_DEMAND',
    parse: parseEnum(['ON_DEMAND', 'SPOT', 'RESERVED'] as const),
  }),
  nodeCpu: setting('nodeCpu', {
    description: 'estimate: vCPUs of --instance-type, to split a whole-node price into CPU and memory.',
    default: 0,
    parse: parseNumber(0),
  }),
  nodeMemoryGib: setting('nodeMemoryGib', {
    description: 'estimate: memory GiB of --instance-type, to split a whole-node price into CPU and memory.',
    default: 0,
    parse: parseNumber(0),
  }),
};
