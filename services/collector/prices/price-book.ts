import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { CapacityType, PriceKind, PriceUpdate } from '../../codec/records.generated.js';
import { KcostError } from '../../errors/kcost-error.js';
import { asText, emptyPriceFields, parsePrice, parseTimeMillis, type MalformedDocument, type PriceFetchResult, type PriceSource } from './price-source.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const CAPACITY_TYPES: readonly CapacityType[] = ['ON_DEMAND', 'SPOT', 'RESERVED', 'UNKNOWN'];

/** A price book entry before defaults: one row of the CSV or one list item of the YAML. */
interface BookEntry {
  readonly kind: PriceKind;
  readonly fields: Json;
  readonly ref: string;
}

/** File-wide defaults of a price book. */
interface BookDefaults {
  readonly provider: string;
  readonly region: string;
  readonly effectiveFrom: number;
  readonly discount: number;
}

const ARCHITECTURES = ['amd64', 'arm64'];
const GIB = 1024 ** 3;

/** A non-negative count from the book ("4", 4); null when the column or key is absent or empty. */
function optionalCount(value: unknown, field: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || number < 0) throw new Error(`${field} is not a non-negative number: ${JSON.stringify(value)}`);
  return number;
}

/** The optional instance shape of a NODE entry: vcpus, memoryGib, gpus, architecture (amd64 or arm64). */
function shapeOf(f: Json, kind: PriceKind): Pick<PriceUpdate, 'vcpus' | 'memoryBytes' | 'gpus' | 'architecture'> {
  const memoryGib = optionalCount(f.memoryGib, 'memoryGib');
  const architecture = f.architecture === undefined || f.architecture === '' ? null : asText(f.architecture);
  if (architecture !== null && !ARCHITECTURES.includes(architecture)) throw new Error(`architecture ${architecture} is not one of ${ARCHITECTURES.join(', ')}`);
  const shape = { vcpus: optionalCount(f.vcpus, 'vcpus'), memoryBytes: memoryGib === null ? null : Math.round(memoryGib * GIB), gpus: optionalCount(f.gpus, 'gpus'), architecture };
  if (kind !== 'NODE' && Object.values(shape).some((v) => v !== null)) throw new Error(`vcpus, memoryGib, gpus and architecture describe an instance type: not for a ${kind} entry`);
  return shape;
}

const optionalPrice = (value: unknown, field: string): number | null => (value === undefined || value === null || value === '' ? null : parsePrice(value, field));

/**
 * Turns one entry into a PriceUpdate. Prices in the book are list prices; a
 * discount (the entry's, else the file's) is taken off and recorded in
 * `discount`, so reports can show both.
 */
function entryToPrice(entry: BookEntry, defaults: BookDefaults, file: string, observedAt: number): PriceUpdate {
  const f = entry.fields;
  const sku = f.name ?? f.sku;
  if (typeof sku !== 'string' || sku === '') throw new Error('no name');
  const discount = f.discount === undefined || f.discount === '' ? defaults.discount : parsePrice(f.discount, 'discount');
  if (discount >= 1) throw new Error(`discount ${discount} is not a fraction below 1`);
  const keep = 1 - discount;
  const scaled = (field: string): number | null => {
    const value = optionalPrice(f[field], field);
    return value === null ? null : value * keep;
  };
  const capacityRaw = f.capacityType === undefined || f.capacityType === '' ? (entry.kind === 'STORAGE' || entry.kind === 'NETWORK' ? 'UNKNOWN' : 'ON_DEMAND') : asText(f.capacityType).toUpperCase();
  const capacityType = CAPACITY_TYPES.find((c) => c === capacityRaw);
  if (!capacityType) throw new Error(`capacityType ${capacityRaw} is not one of ${CAPACITY_TYPES.join(', ')}`);
  const price: PriceUpdate = {
    ...emptyPriceFields(),
    provider: typeof f.provider === 'string' && f.provider !== '' ? f.provider : defaults.provider,
    region: typeof f.region === 'string' ? f.region : defaults.region,
    kind: entry.kind,
    sku,
    capacityType,
    effectiveFrom: f.effectiveFrom === undefined || f.effectiveFrom === '' ? defaults.effectiveFrom : parseTimeMillis(toIso(f.effectiveFrom), 'effectiveFrom'),
    hourlyUsd: scaled('hourlyUsd'),
    cpuCoreHourUsd: scaled('cpuCoreHourUsd'),
    memoryGibHourUsd: scaled('memoryGibHourUsd'),
    gpuHourUsd: scaled('gpuHourUsd'),
    storageGibMonthUsd: scaled('gibMonthUsd') ?? scaled('storageGibMonthUsd'),
    networkGibUsd: scaled('networkGibUsd'),
    discount,
    source: 'pricebook',
    sourceRef: `${file}#${entry.ref}`,
    observedAt,
    ...shapeOf(f, entry.kind),
  };
  const has = (...values: Array<number | null>): boolean => values.some((v) => v !== null);
  const complete =
    entry.kind === 'NODE' ? has(price.hourlyUsd) || (price.cpuCoreHourUsd !== null && price.memoryGibHourUsd !== null)
    : entry.kind === 'GPU' ? has(price.hourlyUsd, price.gpuHourUsd)
    : entry.kind === 'STORAGE' ? has(price.storageGibMonthUsd)
    : has(price.networkGibUsd);
  if (!complete) throw new Error(`no price for a ${entry.kind} entry`);
  if (entry.kind === 'GPU' && price.gpuHourUsd === null) price.gpuHourUsd = price.hourlyUsd;
  return price;
}

// YAML turns unquoted timestamps into Dates; CSV gives strings.
function toIso(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

const SECTIONS: Record<string, PriceKind> = { instanceTypes: 'NODE', storageClasses: 'STORAGE', gpuModels: 'GPU', network: 'NETWORK' };

function yamlEntries(text: string): { defaults: Json; entries: BookEntry[] } {
  const doc: unknown = parseYaml(text);
  if (!isObject(doc)) throw new KcostError('PRICE_DOCUMENT_INVALID', 'price book YAML is not a mapping');
  const entries: BookEntry[] = [];
  for (const [section, kind] of Object.entries(SECTIONS)) {
    const list = doc[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new KcostError('PRICE_DOCUMENT_INVALID', `price book section ${section} is not a list`);
    list.forEach((item: unknown, i) => entries.push({ kind, fields: isObject(item) ? item : {}, ref: `${section}[${i}]` }));
  }
  return { defaults: doc, entries };
}

const KINDS: readonly PriceKind[] = ['NODE', 'STORAGE', 'GPU', 'NETWORK'];

/** CSV with a header row; `kind` (NODE, STORAGE, GPU, NETWORK) and `sku` (or `name`) per row; no quoted commas. */
function csvEntries(text: string): { defaults: Json; entries: BookEntry[] } {
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: l.trim(), number: i + 1 })).filter((l) => l.line !== '' && !l.line.startsWith('#'));
  const [header, ...rows] = lines;
  if (!header) throw new KcostError('PRICE_DOCUMENT_INVALID', 'price book CSV has no header row');
  const names = header.line.split(',').map((s) => s.trim());
  const entries = rows.map(({ line, number }) => {
    const cells = line.split(',').map((s) => s.trim());
    const fields: Json = {};
    names.forEach((name, i) => (fields[name] = cells[i] ?? ''));
    const kind = KINDS.find((k) => k === (asText(fields.kind) || 'NODE').toUpperCase()) ?? (`invalid:${asText(fields.kind)}` as PriceKind);
    return { kind, fields, ref: `line ${number}` };
  });
  return { defaults: {}, entries };
}

/**
 * Parses a price book (YAML or CSV by extension) for on-premises nodes and
 * negotiated rates. A bad entry is reported and skipped; the rest apply.
 */
export function parsePriceBook(text: string, file: string, observedAt: number): PriceFetchResult {
  const { defaults: raw, entries } = /\.csv$/i.test(file) ? csvEntries(text) : yamlEntries(text);
  const defaults: BookDefaults = {
    provider: typeof raw.provider === 'string' ? raw.provider : 'custom',
    region: typeof raw.region === 'string' ? raw.region : '',
    // A book without a date has always applied: windows before it was loaded are priced with it too.
    effectiveFrom: raw.effectiveFrom === undefined ? 0 : parseTimeMillis(toIso(raw.effectiveFrom), 'effectiveFrom'),
    discount: raw.discount === undefined ? 0 : parsePrice(raw.discount, 'discount'),
  };
  const prices: PriceUpdate[] = [];
  const malformed: MalformedDocument[] = [];
  for (const entry of entries) {
    try {
      if (!KINDS.includes(entry.kind)) throw new Error(`kind ${entry.kind.replace('invalid:', '')} is not one of ${KINDS.join(', ')}`);
      prices.push(entryToPrice(entry, defaults, file, observedAt));
    } catch (error) {
      malformed.push({ ref: `${file}#${entry.ref}`, reason: (error as Error).message });
    }
  }
  return { prices, malformed };
}

/** A price book file, re-read on every refresh so edits apply without a restart. */
export function priceBookSource(path: string, read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8')): PriceSource {
  return {
    name: 'pricebook',
    async fetch(scope) {
      let text: string;
      try {
        text = await read(path);
      } catch (error) {
        throw new KcostError('PRICE_SOURCE_FAILED', `cannot read price book ${path}: ${(error as Error).message}`, { retriable: true, cause: error });
      }
      return parsePriceBook(text, path, scope.nowMillis);
    },
  };
}
