import type { PriceUpdate } from '../../codec/records.generated.js';

/** What to price: the regions and instance types a collector was told to (or saw it should) cover. */
export interface PriceScope {
  readonly regions: readonly string[];
  readonly instanceTypes: readonly string[];
  /** The fetch time, stamped on every price as observedAt. */
  readonly nowMillis: number;
}

/** One price document a source could not read: skipped, logged and counted, never fatal. */
export interface MalformedDocument {
  /** The source's identifier for the document (SKU, meterId, file line) or its position in the page. */
  readonly ref: string;
  readonly reason: string;
}

/** What one fetch produced: the prices it read and the documents it skipped. */
export interface PriceFetchResult {
  readonly prices: PriceUpdate[];
  readonly malformed: MalformedDocument[];
}

/**
 * A pluggable price source (AWS, Azure, GCP, a price book). fetch() rejects
 * when the source as a whole failed (network, auth, HTTP error), so the
 * runner keeps the last good prices; a bad single document is reported in
 * `malformed` instead and the rest of the page is used.
 */
export interface PriceSource {
  readonly name: string;
  fetch(scope: PriceScope): Promise<PriceFetchResult>;
}

/** The price fields of a PriceUpdate that are null unless a source sets them. */
export function emptyPriceFields(): Pick<
  PriceUpdate,
  | 'zone' | 'hourlyUsd' | 'cpuCoreHourUsd' | 'memoryGibHourUsd' | 'gpuHourUsd' | 'storageGibMonthUsd' | 'networkGibUsd' | 'discount' | 'sourceRef'
  | 'vcpus' | 'memoryBytes' | 'gpus' | 'architecture'
> {
  return {
    zone: null,
    hourlyUsd: null,
    cpuCoreHourUsd: null,
    memoryGibHourUsd: null,
    gpuHourUsd: null,
    storageGibMonthUsd: null,
    networkGibUsd: null,
    discount: 0,
    sourceRef: null,
    ...unknownShape(),
  };
}

/** The instance-shape fields of a PriceUpdate, for a source that does not know the shape (or a price that is not a node's). */
function unknownShape(): Pick<PriceUpdate, 'vcpus' | 'memoryBytes' | 'gpus' | 'architecture'> {
  return { vcpus: null, memoryBytes: null, gpus: null, architecture: null };
}

/** Parses an RFC 3339 time into epoch millis; throws a message naming the value when it is not one. */
export function parseTimeMillis(raw: unknown, field: string): number {
  const millis = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(millis)) throw new Error(`${field} is not a time: ${JSON.stringify(raw)}`);
  return millis;
}

/** Parses a decimal price string ("0.0960000000") or number; throws when it is not a finite, non-negative number. */
export function parsePrice(raw: unknown, field: string): number {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${field} is not a price: ${JSON.stringify(raw)}`);
  return value;
}

/** A document field as text: strings and numbers as written, anything else as empty. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}
