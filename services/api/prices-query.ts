import { oneOf, FORMATS, type Format } from './allocation-params.js';
import { SqlParams, textOf, whereClause, type SqlQuery } from './sql-params.js';
import { checkTextParams } from './text-param.js';
import { resolveWindow, type TimeWindow } from './time-window.js';

export const PRICE_KINDS = ['NODE', 'STORAGE', 'GPU', 'NETWORK'] as const;
export const CAPACITY_TYPES = ['ON_DEMAND', 'SPOT', 'RESERVED', 'UNKNOWN'] as const;

export interface PricesQuery {
  readonly window: TimeWindow;
  readonly nowMillis: number;
  readonly provider?: string;
  readonly region?: string;
  readonly kind?: (typeof PRICE_KINDS)[number];
  readonly sku?: string;
  readonly capacityType?: (typeof CAPACITY_TYPES)[number];
  readonly format: Format;
}

/** One price of one SKU, in effect from effectiveFrom until the SKU's next entry. */
export interface PriceEntry {
  effectiveFrom: string;
  hourlyUsd: number | null;
  cpuCoreHourUsd: number | null;
  memoryGibHourUsd: number | null;
  gpuHourUsd: number | null;
  storageGibMonthUsd: number | null;
  networkGibUsd: number | null;
  discount: number;
  source: string;
  sourceRef: string | null;
  observedAt: string;
  /** NODE: the instance type's shape where the source gave it (PriceUpdate v2); null otherwise. */
  vcpus: number | null;
  memoryBytes: number | null;
  gpus: number | null;
  architecture: string | null;
}

/** The price history of one SKU: the price in effect now and every price in effect during the window. */
export interface SkuPrices {
  provider: string;
  region: string;
  zone: string | null;
  kind: string;
  sku: string;
  capacityType: string;
  current: PriceEntry | null;
  history: PriceEntry[];
}

type Params = { window?: string; provider?: string; region?: string; kind?: string; sku?: string; capacityType?: string; format?: string };

export function compilePricesQuery(params: Params, nowMillis: number): PricesQuery {
  checkTextParams(params);
  return {
    window: resolveWindow(params.window ?? '30d', nowMillis),
    nowMillis,
    ...(params.provider === undefined ? {} : { provider: params.provider }),
    ...(params.region === undefined ? {} : { region: params.region }),
    ...(params.kind === undefined ? {} : { kind: oneOf('kind', params.kind.toUpperCase(), PRICE_KINDS) }),
    ...(params.sku === undefined ? {} : { sku: params.sku }),
    ...(params.capacityType === undefined ? {} : { capacityType: oneOf('capacityType', params.capacityType.toUpperCase(), CAPACITY_TYPES) }),
    format: oneOf('format', params.format ?? 'json', FORMATS),
  };
}

/**
 * Every distinct price (per SKU and effective time, the latest observation
 * of it) that took effect before the later of the window's end and now;
 * grouping keeps what the window and `current` need.
 */
export function planPrices(query: PricesQuery, maxRows: number): SqlQuery {
  const params = new SqlParams();
  const until = Math.max(query.window.endMillis, query.nowMillis + 1);
  const conditions = [`effective_from < ${params.add(new Date(until).toISOString(), '::timestamptz')}`];
  for (const [column, value] of [
    ['provider', query.provider],
    ['region', query.region],
    ['kind', query.kind],
    ['sku', query.sku],
    ['capacity_type', query.capacityType],
  ] as const) {
    if (value !== undefined) conditions.push(`${column} = ${params.add(value, '::text')}`);
  }
  const key = 'provider, region, zone, kind, sku, capacity_type';
  const text = [
    `SELECT DISTINCT ON (${key}, effective_from) ${key}, effective_from, hourly_usd, cpu_core_hour_usd, memory_gib_hour_usd, gpu_hour_usd,`,
    '  storage_gib_month_usd, network_gib_usd, discount, source, source_ref, observed_at, vcpus, memory_bytes, gpus, architecture',
    'FROM price_history',
    whereClause(conditions),
    `ORDER BY ${key}, effective_from, observed_at DESC`,
    `LIMIT ${params.add(maxRows + 1, '::int')}`,
  ].join('\n');
  return { text, values: params.values };
}

/**
 * Groups price rows (ordered by SKU, then effective time) into per-SKU
 * histories, yielding each SKU once its rows have passed, so only one SKU's
 * history is held at a time.
 */
export async function* groupPrices(query: PricesQuery, rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>): AsyncGenerator<SkuPrices> {
  let entries: Array<{ millis: number; entry: PriceEntry }> = [];
  let head: Omit<SkuPrices, 'current' | 'history'> | undefined;
  const close = (): SkuPrices | undefined => {
    if (!head) return undefined;
    const inEffectAt = (t: number) => entries.filter((e) => e.millis <= t).at(-1);
    const atStart = inEffectAt(query.window.startMillis);
    const history = entries.filter((e) => e === atStart || (e.millis > query.window.startMillis && e.millis < query.window.endMillis));
    const sku = { ...head, current: inEffectAt(query.nowMillis)?.entry ?? null, history: history.map((e) => e.entry) };
    return sku.current !== null || sku.history.length > 0 ? sku : undefined;
  };
  for await (const row of rows) {
    const next = {
      provider: String(row.provider),
      region: String(row.region),
      zone: row.zone === null ? null : textOf(row.zone),
      kind: String(row.kind),
      sku: String(row.sku),
      capacityType: String(row.capacity_type),
    };
    if (!head || JSON.stringify(head) !== JSON.stringify(next)) {
      const done = close();
      if (done) yield done;
      head = next;
      entries = [];
    }
    const effective = new Date(row.effective_from as Date);
    entries.push({
      millis: effective.getTime(),
      entry: {
        effectiveFrom: effective.toISOString(),
        hourlyUsd: nullableNumber(row.hourly_usd),
        cpuCoreHourUsd: nullableNumber(row.cpu_core_hour_usd),
        memoryGibHourUsd: nullableNumber(row.memory_gib_hour_usd),
        gpuHourUsd: nullableNumber(row.gpu_hour_usd),
        storageGibMonthUsd: nullableNumber(row.storage_gib_month_usd),
        networkGibUsd: nullableNumber(row.network_gib_usd),
        discount: Number(row.discount),
        source: String(row.source),
        sourceRef: row.source_ref === null ? null : textOf(row.source_ref),
        observedAt: new Date(row.observed_at as Date).toISOString(),
        vcpus: nullableNumber(row.vcpus),
        memoryBytes: nullableNumber(row.memory_bytes),
        gpus: nullableNumber(row.gpus),
        architecture: row.architecture === null || row.architecture === undefined ? null : textOf(row.architecture),
      },
    });
  }
  const last = close();
  if (last) yield last;
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
