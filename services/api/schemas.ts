// JSON schemas of the routes: Fastify validates query strings and serializes
// responses with them, and @fastify/swagger turns them into /openapi.json.
// Query parameters are strings checked loosely here; the compile* functions
// do the real parsing and name the parameter in any error.

import { AGGREGATES, ALLOCATION_DEFAULTS, FORMATS, IDLE_MODES, STEPS } from './allocation-params.js';
import { SCOPES, SEVERITIES } from './anomalies-query.js';
import { avroToJsonSchema } from './avro-json-schema.js';
import { currentSchemas } from '../codec/records.generated.js';
import { RECOMMENDATION_KINDS, RECOMMENDATION_SORTS, RISKS } from './recommendations-query.js';
import { FILTER_GRAMMAR } from './filter.js';
import { CAPACITY_TYPES, PRICE_KINDS } from './prices-query.js';
import { WINDOW_FORMS } from './time-window.js';

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
const num = (description: string) => ({ type: 'number', description });
const nullableNum = (description: string) => ({ type: ['number', 'null'], description });
const strings = (description: string) => ({ type: 'array', items: { type: 'string' }, description });

const windowParam = (fallback: string) => str(`Time range: ${WINDOW_FORMS}. Default ${fallback}.`, { maxLength: 120 });
const formatParam = str('json (default) or csv (text/csv, one line per row).', { enum: [...FORMATS] });
const stepParam = str('none (one row per group over the window, default), 1h or 1d (one row per group per UTC hour or day).', { enum: [...STEPS] });

export const ERROR_SCHEMA = {
  type: 'object',
  description: 'What was wrong. For a bad parameter, `parameter` names it.',
  properties: {
    error: str('Stable error code: BAD_PARAMETER, UNAUTHORIZED, FORBIDDEN (403: the caller\'s role or scope does not allow it), NOT_FOUND, CONFLICT (409: an approval of a recommendation version that is no longer current), URL_TOO_LONG, INSUFFICIENT_HISTORY (422: too little history to forecast; the message says how much is needed), RATE_LIMITED, TOO_BUSY (429 with Retry-After: too many queries at once from this client, or the queue for the database is full), DATABASE_UNAVAILABLE (503: unreachable, or a statement past its timeout), INTERNAL.'),
    message: str('What was wrong, with the offending value.'),
    parameter: str('The query parameter at fault, for BAD_PARAMETER.'),
  },
  required: ['error', 'message'],
} as const;

const errors = { 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 414: ERROR_SCHEMA, 429: ERROR_SCHEMA, 503: ERROR_SCHEMA } as const;

const windowObject = {
  type: 'object',
  properties: { start: str('Start (inclusive), RFC 3339.', { format: 'date-time' }), end: str('End (exclusive), RFC 3339.', { format: 'date-time' }) },
  required: ['start', 'end'],
};

const ALLOCATION_ROW = {
  type: 'object',
  properties: {
    name: str('The group: each aggregate value joined by "/" (workload as namespace/kind/name); __idle__ for idle rows, __unallocated__ for an empty value.'),
    properties: {
      type: 'object',
      description: 'The values the row is grouped by.',
      properties: {
        cluster: str('Cluster.'),
        node: str('Node.'),
        namespace: str('Namespace.'),
        controllerKind: str('Kind of the top controller (Deployment, StatefulSet, ...); empty for bare pods.'),
        controller: str('Name of the top controller; empty for bare pods.'),
        pod: str('Pod name.'),
        container: str('Container name.'),
        labels: { type: 'object', description: 'Label values by key (null: the pod has no such label).', additionalProperties: { type: ['string', 'null'] } },
      },
    },
    start: str('Start of the row (the bucket, clipped to the window).', { format: 'date-time' }),
    end: str('End of the row.', { format: 'date-time' }),
    cpuCostUsd: num('CPU cost, USD.'),
    memoryCostUsd: num('Memory cost, USD.'),
    gpuCostUsd: num('GPU cost, USD.'),
    storageCostUsd: num('Persistent volume cost, USD.'),
    networkCostUsd: num('Network cost, USD.'),
    idleCostUsd: num('Idle cost, USD: shared into the row (idle=share) or the idle itself on __idle__ rows.'),
    totalCostUsd: num('Sum of the resource costs and idleCostUsd, USD.'),
    onDemandCostUsd: num('What the same allocation would have cost on demand, USD.'),
    spotSavingsUsd: num('onDemandCostUsd minus the cost: saved by spot and reserved capacity, USD.'),
    cpuCoresRequestedAvg: num('CPU cores requested, averaged over the row span.'),
    cpuCoresUsedAvg: num('CPU cores used, averaged over the row span.'),
    memoryBytesRequestedAvg: num('Memory bytes requested, averaged over the row span.'),
    memoryBytesUsedAvg: num('Memory bytes used (working set), averaged over the row span.'),
    gpuRequestedAvg: num('GPUs requested, averaged over the row span.'),
    cpuEfficiency: nullableNum('CPU used / requested; null when nothing was requested.'),
    memoryEfficiency: nullableNum('Memory used / requested; null when nothing was requested.'),
    totalEfficiency: nullableNum('CPU and memory efficiency weighted by their costs.'),
    priceSources: strings('Price sources that priced the row (aws-pricing, aws-spot, azure-retail, gcp-catalog, pricebook, default).'),
    records: num('Container windows (pod_cost rows) summed; node windows on __idle__ rows is 0.'),
    listCostUsd: num('costBasis=reconciled: the pods\' cost at list prices, USD.'),
    reconciledCostUsd: num('costBasis=reconciled: the pods\' cost reconciled with the bill, USD.'),
    externalCostUsd: num('costBasis=reconciled: out-of-cluster billing lines allocated to the row, USD.'),
  },
  required: ['name', 'properties', 'start', 'end', 'totalCostUsd'],
};

const costTotals = {
  type: 'object',
  description: 'Sums of the cost fields over all rows.',
  properties: Object.fromEntries(
    ['cpuCostUsd', 'memoryCostUsd', 'gpuCostUsd', 'storageCostUsd', 'networkCostUsd', 'idleCostUsd', 'totalCostUsd', 'onDemandCostUsd', 'spotSavingsUsd'].map((f) => [f, num(f)]),
  ),
};

export const ALLOCATION_SCHEMA = {
  summary: 'Cost allocation by any grouping, over a window, per step.',
  description: [
    'Rows of cost per resource, idle, spot savings, usage and request averages, efficiency and price sources.',
    'Served from the daily rollups when the window is whole UTC days, from the hourly rollups when it is whole hours, and from raw rows otherwise; node, pod, container and label aggregates or filters always read raw rows. `source` says which.',
    `Filter grammar: ${FILTER_GRAMMAR}`,
  ].join(' '),
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      window: windowParam(ALLOCATION_DEFAULTS.window),
      aggregate: str(`Comma-separated dimensions to group by: ${AGGREGATES.join(', ')} or label:<key>. Default ${ALLOCATION_DEFAULTS.aggregate}.`, { maxLength: 500 }),
      step: stepParam,
      filter: str(`Rows to keep. ${FILTER_GRAMMAR}`, { maxLength: 4000 }),
      idle: str(
        'hide (default): no idle; include: one __idle__ row per bucket (per cluster and node when grouped by them); share: each resource\'s idle spread over the rows in proportion to their cost of it.',
        { enum: [...IDLE_MODES] },
      ),
      format: formatParam,
      costBasis: str(
        'list (default): costs at the prices kcost joins, as above. reconciled: grouped by cluster, namespace, workload and/or node, filtered on cluster and namespace, for whole UTC days (step none or 1d), the cost reconciled with the cloud bill by kcost reconcile: rows carry listCostUsd, reconciledCostUsd (compute scaled to the billed effective cost of its nodes), externalCostUsd (out-of-cluster billing lines allocated to the namespace; grouped by workload or node it lies on __external__ rows per namespace; __unallocated__ rows hold what no rule attributed, shown only with node costs) and totalCostUsd = reconciled + external + idle; idle=include adds the reconciled idle as __idle__ rows (per cluster and node when grouped by them); idle=share gives each pod row the reconciled idle of its node-day in proportion to its reconciled cost (a node-day whose pods cost nothing keeps an __idle__ row), with the same total as include. docs/billing.md.',
        { enum: ['list', 'reconciled'] },
      ),
    },
  },
  response: {
    200: {
      description: 'The rows (JSON); with format=csv the same rows as text/csv.',
      type: 'object',
      properties: {
        window: windowObject,
        aggregate: strings('The dimensions the rows are grouped by.'),
        step: str('The step.'),
        idle: str('The idle mode.'),
        source: str('Relation the rows came from: pod_cost, pod_cost_hourly or pod_cost_daily.'),
        idleSource: str('Relation idle came from (node_cost, node_cost_hourly, node_cost_daily); absent with idle=hide.'),
        rows: { type: 'array', items: ALLOCATION_ROW },
        totals: costTotals,
      },
      required: ['window', 'rows', 'totals', 'source'],
    },
    ...errors,
  },
} as const;

const NODE_ROW = {
  type: 'object',
  properties: {
    cluster: str('Cluster.'),
    node: str('Node name.'),
    instanceType: str('Instance type.'),
    capacityType: str('ON_DEMAND, SPOT, RESERVED or UNKNOWN.'),
    start: str('Start of the row.', { format: 'date-time' }),
    end: str('End of the row.', { format: 'date-time' }),
    costUsd: num('Node cost, USD.'),
    cpuCostUsd: num('CPU cost, USD.'),
    memoryCostUsd: num('Memory cost, USD.'),
    gpuCostUsd: num('GPU cost, USD.'),
    allocatedCostUsd: num('Cost charged to containers, USD.'),
    cpuIdleCostUsd: num('CPU idle cost, USD.'),
    memoryIdleCostUsd: num('Memory idle cost, USD.'),
    gpuIdleCostUsd: num('GPU idle cost, USD.'),
    idleCostUsd: num('Idle cost, USD.'),
    onDemandCostUsd: num('Cost at the on-demand price, USD.'),
    spotSavingsUsd: num('onDemandCostUsd - costUsd, USD.'),
    cpuCoresAvg: num('Allocatable cores averaged over the row span.'),
    memoryBytesAvg: num('Allocatable memory bytes averaged over the row span.'),
    gpuCountAvg: num('Allocatable GPUs averaged over the row span.'),
    priceSources: strings('Price sources used.'),
    records: num('Node windows summed.'),
  },
  required: ['cluster', 'node', 'costUsd', 'idleCostUsd'],
};

export const NODES_SCHEMA = {
  summary: 'Node cost, idle cost and capacity type.',
  description: `One row per node (and instance and capacity type) per step. filter takes cluster and node clauses: ${FILTER_GRAMMAR}`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { window: windowParam('24h'), step: stepParam, filter: str('cluster and node clauses of the filter grammar.', { maxLength: 4000 }), format: formatParam },
  },
  response: {
    200: {
      type: 'object',
      description: 'The nodes.',
      properties: { window: windowObject, step: str('The step.'), source: str('Relation read.'), rows: { type: 'array', items: NODE_ROW } },
      required: ['window', 'rows', 'source'],
    },
    ...errors,
  },
} as const;

const ANOMALY_ROW = {
  type: 'object',
  properties: {
    cluster: str('Cluster.'),
    scope: str('WORKLOAD, NAMESPACE or CLUSTER.'),
    key: str('namespace/kind/name, the namespace, or the cluster.'),
    namespace: str('Namespace; empty for a cluster.'),
    start: str('Start of the scored interval.', { format: 'date-time' }),
    windowSeconds: num('Length of the scored interval, seconds.'),
    observedHourlyUsd: num('Observed cost rate, USD/h.'),
    expectedHourlyUsd: num('Baseline cost rate, USD/h.'),
    score: num('Robust z-score.'),
    direction: str('UP or DOWN.'),
    severity: str('INFO, WARNING or CRITICAL.'),
    baselineHours: num('Hours of history in the baseline.'),
    detectedAt: str('When it was scored.', { format: 'date-time' }),
  },
  required: ['cluster', 'scope', 'key', 'score', 'severity'],
};

export const ANOMALIES_SCHEMA = {
  summary: 'Cost anomalies.',
  description: 'Anomalies whose interval starts in the window, at or above minSeverity, newest first.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      window: windowParam('7d'),
      scope: str(`${SCOPES.join(', ')} (any case); all when absent.`, { maxLength: 20 }),
      minSeverity: str(`${SEVERITIES.join(' < ')} (any case); default INFO.`, { maxLength: 20 }),
      cluster: str('Only this cluster.', { maxLength: 253 }),
      namespace: str('Only this namespace.', { maxLength: 253 }),
      limit: str('Most rows returned (default 1000).', { pattern: '^[0-9]{1,9}$' }),
      format: formatParam,
    },
  },
  response: {
    200: {
      type: 'object',
      description: 'The anomalies.',
      properties: { window: windowObject, rows: { type: 'array', items: ANOMALY_ROW } },
      required: ['window', 'rows'],
    },
    ...errors,
  },
} as const;

const PRICE_ENTRY = {
  type: 'object',
  properties: {
    effectiveFrom: str('From when the price applies.', { format: 'date-time' }),
    hourlyUsd: nullableNum('Price per hour of one node or GPU, USD.'),
    cpuCoreHourUsd: nullableNum('Price of a vCPU-hour, USD.'),
    memoryGibHourUsd: nullableNum('Price of a GiB-hour, USD.'),
    gpuHourUsd: nullableNum('Price of a GPU-hour, USD.'),
    storageGibMonthUsd: nullableNum('Price of a GiB-month of storage, USD.'),
    networkGibUsd: nullableNum('Price of a GiB transferred, USD.'),
    discount: num('Fraction already taken off the list price.'),
    source: str('Price source.'),
    sourceRef: { type: ['string', 'null'], description: "The source's own identifier of the price." },
    observedAt: str('When the collector last saw it.', { format: 'date-time' }),
    vcpus: nullableNum('NODE: vCPUs of the instance type, where the source says.'),
    memoryBytes: nullableNum('NODE: memory of the instance type in bytes, where the source says.'),
    gpus: nullableNum('NODE: GPUs of the instance type (0 for none), where the source says.'),
    architecture: { type: ['string', 'null'], description: 'NODE: CPU architecture as kubernetes.io/arch names it (amd64, arm64), where the source says.' },
  },
  required: ['effectiveFrom', 'source'],
};

export const PRICES_SCHEMA = {
  summary: 'Price history per SKU.',
  description: 'For each SKU (provider, region, zone, kind, sku, capacity type): the price in effect now and the prices in effect during the window.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      window: windowParam('30d'),
      provider: str('aws, gcp, azure or custom.', { maxLength: 64 }),
      region: str('Region.', { maxLength: 64 }),
      kind: str(`${PRICE_KINDS.join(', ')}.`, { maxLength: 16 }),
      sku: str('Instance type, storage class, GPU model or network class.', { maxLength: 128 }),
      capacityType: str(`${CAPACITY_TYPES.join(', ')}.`, { maxLength: 16 }),
      format: formatParam,
    },
  },
  response: {
    200: {
      type: 'object',
      description: 'The SKUs.',
      properties: {
        window: windowObject,
        skus: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              provider: str('Provider.'),
              region: str('Region.'),
              zone: { type: ['string', 'null'], description: 'Zone, for zonal prices.' },
              kind: str('Kind.'),
              sku: str('SKU.'),
              capacityType: str('Capacity type.'),
              current: { anyOf: [PRICE_ENTRY, { type: 'null' }], description: 'The price in effect now; null when the SKU has none yet.' },
              history: { type: 'array', items: PRICE_ENTRY, description: 'Prices in effect during the window, oldest first.' },
            },
            required: ['provider', 'region', 'kind', 'sku', 'capacityType', 'current', 'history'],
          },
        },
      },
      required: ['window', 'skus'],
    },
    ...errors,
  },
} as const;

const STATUS = {
  type: 'object',
  properties: { status: str('ok, ready, or unavailable.'), message: str('Why not ready.') },
  required: ['status'],
};

export const HEALTH_SCHEMA = { summary: 'Liveness: answers while the process runs.', response: { 200: STATUS } } as const;
export const READY_SCHEMA = { summary: 'Readiness: 200 when the database answers, 503 when not.', response: { 200: STATUS, 503: STATUS } } as const;

export const RECOMMENDATIONS_SCHEMA = {
  summary: 'The latest recommendation per target.',
  description:
    'The latest recommendation per key (the recommendation table, loaded from kcost.recommendations.v1), filtered, largest monthly saving first by default. JSON lists the records exactly as the topic carries them (schemas/Recommendation.avsc: same fields and nesting, timestamps in epoch milliseconds); CSV has one flat line per recommendation.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cluster: str('Only this cluster.', { maxLength: 253 }),
      namespace: str('Only this namespace.', { maxLength: 253 }),
      kind: str(`Only this kind of advice: ${RECOMMENDATION_KINDS.join(', ')} (any case).`, { maxLength: 40 }),
      workloadKind: str('Only workloads of this kind (Deployment, StatefulSet, DaemonSet, CronJob, ...).', { maxLength: 253 }),
      workloadName: str('Only the workload of this name.', { maxLength: 253 }),
      container: str('Only this container.', { maxLength: 253 }),
      minSavingUsd: str('Only recommendations saving at least this many USD a month (a decimal number; negative values include advice that costs more).', { maxLength: 40 }),
      risk: str(`Only these risks, comma-separated: ${RISKS.join(', ')} (any case).`, { maxLength: 40 }),
      sort: str(
        'Order: saving (largest monthly saving first, the default), confidence (most confident first), generatedAt (newest first) or key (ascending); ties by key.',
        { enum: Object.keys(RECOMMENDATION_SORTS) },
      ),
      limit: str('Most recommendations returned (default 1000).', { pattern: '^[0-9]{1,9}$' }),
      format: formatParam,
    },
  },
  response: {
    200: {
      type: 'object',
      description: 'The recommendations.',
      properties: { recommendations: { type: 'array', items: avroToJsonSchema(currentSchemas.Recommendation as never) } },
      required: ['recommendations'],
    },
    ...errors,
  },
} as const;

const SAVINGS_LINE = {
  type: 'object',
  properties: {
    key: str('The recommendation key.'),
    kind: str('The kind of advice.'),
    cluster: str('Cluster.'),
    monthlySavingsUsd: { type: 'number', description: 'What applying this record alone saves a month (its saving.monthlySavingsUsd).' },
    countedMonthlySavingsUsd: { type: 'number', description: 'The part the total counts, once every overlap with other records is taken out.' },
    confidence: { type: 'number', description: 'The record\'s confidence, 0..1.' },
    risk: str('LOW, MEDIUM or HIGH.'),
    note: { type: ['string', 'null'], description: 'Why the counted part differs from the saving; null when it does not.' },
  },
  required: ['key', 'kind', 'cluster', 'monthlySavingsUsd', 'countedMonthlySavingsUsd', 'confidence', 'risk', 'note'],
} as const;

export const SAVINGS_SCHEMA = {
  summary: 'How much every open recommendation saves, each dollar counted once.',
  description:
    'Every open recommendation of every kind with its monthly saving, the part of it the total counts, and the total: what applying all the advice saves a month. Where records price the same money (an idle workload and its containers, a DaemonSet-only node and its DaemonSets, spot and ARM moves of one workload after its right-sizing, a node pool and the empty nodes it drops, the two terms of a commitment and the spend the other advice removes) the total counts it once, by the rules in the README ("Adding savings up").',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { cluster: str('Only this cluster.', { maxLength: 253 }), format: formatParam },
  },
  response: {
    200: {
      type: 'object',
      description: 'The summary.',
      properties: {
        totalMonthlySavingsUsd: { type: 'number', description: 'Sum of the counted savings, USD per 730-hour month.' },
        byKind: {
          type: 'array',
          items: {
            type: 'object',
            properties: { kind: str('Kind.'), records: { type: 'integer' }, monthlySavingsUsd: { type: 'number' }, countedMonthlySavingsUsd: { type: 'number' } },
            required: ['kind', 'records', 'monthlySavingsUsd', 'countedMonthlySavingsUsd'],
          },
          description: 'Per kind, largest counted saving first.',
        },
        recommendations: { type: 'array', items: SAVINGS_LINE, description: 'Every open recommendation, largest counted saving first.' },
      },
      required: ['totalMonthlySavingsUsd', 'byKind', 'recommendations'],
    },
    ...errors,
  },
} as const;
