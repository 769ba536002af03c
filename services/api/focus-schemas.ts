// The OpenAPI description of GET /v1/focus, built from the export's column
// table so the document lists exactly the columns the answer holds.

import { FOCUS_COLUMNS } from './focus-columns.js';
import { FOCUS_AGGREGATES, FOCUS_DEFAULTS, FOCUS_FORMATS, FOCUS_IDLE_MODES, FOCUS_STEPS } from './focus-query.js';
import { COST_BASES } from './reconciled-allocation.js';
import { FILTER_GRAMMAR } from './filter.js';
import { ERROR_SCHEMA } from './schemas.js';
import { WINDOW_FORMS } from './time-window.js';

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });

const columnList = FOCUS_COLUMNS.map((c) => `${c.name} (${c.type}${c.nullable ? ', nullable' : ''}): ${c.description}`).join(' | ');

export const FOCUS_SCHEMA = {
  summary: 'kcost\'s allocations as FOCUS 1.2 cost and usage rows (CSV or Parquet).',
  description: [
    'One row per cluster and namespace (aggregate=namespace) or workload (aggregate=workload, default) per UTC day (step=1d, default) or hour, with x_KcostCostKind=allocation: exactly the rows of /v1/allocation?aggregate=cluster,<aggregate>&step=<step> with the same filter.',
    'Plus, for callers given node costs, one idle row per node and step (x_KcostCostKind=idle): node cost no container was charged. Σ EffectiveCost equals /v1/allocation\'s totals.totalCostUsd with idle=include over the same window: a node\'s cost is its allocation plus its idle, so no node-cost row is added and no dollar counts twice.',
    'costBasis=reconciled (whole UTC days, step 1d, filter on cluster and namespace) writes the tables of kcost reconcile instead: allocation rows with EffectiveCost = the reconciled cost and ListCost = the list-price cost, idle rows with the reconciled idle per node, and external rows (x_KcostCostKind=external, ChargeCategory Adjustment) with each namespace\'s share of out-of-cluster billing lines per service (ServiceName, x_KcostAttribution; __unallocated__ rows only for callers given node costs). Σ EffectiveCost equals /v1/allocation?costBasis=reconciled&idle=include.',
    'ProviderName, PublisherName and InvoiceIssuerName are kcost: these rows allocate the provider\'s compute charges, they are not further charges; never add them to the provider\'s own FOCUS export in one sum (docs/focus.md).',
    `Columns, in order: ${columnList}`,
  ].join(' '),
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      window: str(`Time range: ${WINDOW_FORMS}. Default ${FOCUS_DEFAULTS.window}.`, { maxLength: 120 }),
      aggregate: str(`What one allocation row covers besides its cluster: ${FOCUS_AGGREGATES.join(' or ')}. Default ${FOCUS_DEFAULTS.aggregate}.`, { enum: [...FOCUS_AGGREGATES] }),
      step: str('Charge period of a row: 1d (UTC day, default) or 1h (list basis only).', { enum: [...FOCUS_STEPS] }),
      filter: str(`Rows to keep, as in /v1/allocation; idle rows are narrowed by cluster and node clauses only. ${FILTER_GRAMMAR}`, { maxLength: 4000 }),
      idle: str('include: idle rows per node (403 without node costs); hide: none. Default: include when the caller is given node costs, hide otherwise.', { enum: [...FOCUS_IDLE_MODES] }),
      format: str('csv (default; text/csv, streamed) or parquet (application/vnd.apache.parquet, one file).', { enum: [...FOCUS_FORMATS] }),
      costBasis: str(`list (default): kcost's prices; reconciled: the cost reconciled with the cloud bill by kcost reconcile, plus external rows (docs/focus.md). Default ${FOCUS_DEFAULTS.costBasis}.`, { enum: [...COST_BASES] }),
    },
  },
  response: {
    200: {
      description: 'The FOCUS rows.',
      content: {
        'text/csv': { schema: { type: 'string', description: 'RFC 4180 CSV with a header line of the column names; null is an empty field; decimals are plain; date-times are YYYY-MM-DDTHH:mm:ssZ.' } },
        'application/vnd.apache.parquet': { schema: { type: 'string', format: 'binary', description: 'One Parquet file: Decimal as DOUBLE, Date/Time as UTC millisecond timestamps, Tags as JSON text.' } },
      },
    },
    400: ERROR_SCHEMA,
    401: ERROR_SCHEMA,
    403: ERROR_SCHEMA,
    414: ERROR_SCHEMA,
    429: ERROR_SCHEMA,
    503: ERROR_SCHEMA,
  },
} as const;
