import type { IHeaders } from 'kafkajs';
import { KcostError } from '../errors/kcost-error.js';
import type { CostPoint, SeriesSnapshot } from './anomaly-detector.js';

// Records of the processor's own internal topics (internal-topics.ts). They
// are not a public interface: only `kcost process` writes and reads them, so
// they are small JSON documents rather than registered Avro schemas. Routed
// usage samples keep their original Avro bytes.

/** Header naming the kind of a control record; routed samples carry none. */
export const RECORD_KIND_HEADER = 'kcost-record';
/** Header of a routed sample: `partition/offset` of the kcost.usage.v1 record it was copied from. */
export const SOURCE_HEADER = 'kcost-source';

/**
 * "Usage partition `source` has reached window `windowStart` of `cluster`":
 * the router sends one to every by-node partition for each window it sees on
 * each usage partition, so every pricing instance knows every cluster's
 * windows (and prices the idle nodes it owns) and how far each usage
 * partition has got, even when none of that partition's samples are its own.
 */
export interface WindowTick {
  readonly cluster: string;
  readonly windowStart: number;
  readonly windowSeconds: number;
  readonly source: number;
}

/**
 * "Window `windowStart` of `cluster` exists": what a pricing instance sends
 * every other by-node partition when it first reads a window of a cluster
 * on its partition of the by-node usage topic, so that those partitions
 * price the idle nodes they own in that window too. Unlike a tick it is no
 * lane's progress: each by-node usage partition is a lane of its own
 * partition only (DIRECT_SOURCE).
 */
export interface WindowAnnouncement {
  readonly cluster: string;
  readonly windowStart: number;
  readonly windowSeconds: number;
}

/**
 * The lane of a pricing stage's own partition of the by-node usage topic
 * (kcost.usage.bynode.v1), which it reads directly: usage partitions are
 * numbered from 0, so it is the one negative source. Its idle marks carry it.
 */
export const DIRECT_SOURCE = -1;

/**
 * The lane of a pricing stage's own partition of the node-window usage topic
 * (kcost.usage.nodewindow.v1), which it reads directly as it reads the
 * by-node usage topic (DIRECT_SOURCE), with ticks and idle marks of its own.
 */
export const NODE_WINDOW_SOURCE = -2;

/**
 * "Usage partition `source` has been read to its end and has had nothing
 * new for a while": the router sends one to every by-node partition when a
 * usage partition it owns goes quiet, and again every so often while it
 * stays quiet (so a pricing instance that restarts learns it too). The
 * pricing stage then stops waiting for that partition's lanes.
 */
export interface IdleMark {
  readonly source: number;
}

/**
 * "Every window ending (plus lateness) at or before `closedThrough` has been
 * priced for the by-node partitions `sources`": the pricing stage sends one to
 * every cost-rate partition after the cost shares of those windows, so the
 * scoring stage knows when an hour's cost is complete.
 */
export interface ClosedMark {
  readonly sources: readonly number[];
  readonly closedThrough: number;
}

export type CostRateRecord = { readonly kind: 'cost'; readonly point: CostPoint } | { readonly kind: 'mark'; readonly mark: ClosedMark };

export interface SourcePosition {
  readonly partition: number;
  readonly offset: string;
}

export function tickHeaders(): IHeaders {
  return { [RECORD_KIND_HEADER]: 'tick' };
}

export function isTick(headers: IHeaders | undefined): boolean {
  return headerText(headers, RECORD_KIND_HEADER) === 'tick';
}

export function encodeTick(tick: WindowTick): Buffer {
  return Buffer.from(JSON.stringify(tick));
}

export function decodeTick(bytes: Buffer): WindowTick {
  const parsed = parseObject(bytes);
  if (typeof parsed.cluster === 'string' && isFiniteNumber(parsed.windowStart) && isFiniteNumber(parsed.windowSeconds) && Number.isInteger(parsed.source)) {
    return { cluster: parsed.cluster, windowStart: parsed.windowStart, windowSeconds: parsed.windowSeconds, source: parsed.source as number };
  }
  throw malformed('window tick', bytes);
}

export function announcementHeaders(): IHeaders {
  return { [RECORD_KIND_HEADER]: 'window' };
}

export function isAnnouncement(headers: IHeaders | undefined): boolean {
  return headerText(headers, RECORD_KIND_HEADER) === 'window';
}

export function encodeAnnouncement(announcement: WindowAnnouncement): Buffer {
  return Buffer.from(JSON.stringify(announcement));
}

export function decodeAnnouncement(bytes: Buffer): WindowAnnouncement {
  const parsed = parseObject(bytes);
  if (typeof parsed.cluster === 'string' && isFiniteNumber(parsed.windowStart) && isFiniteNumber(parsed.windowSeconds)) {
    return { cluster: parsed.cluster, windowStart: parsed.windowStart, windowSeconds: parsed.windowSeconds };
  }
  throw malformed('window announcement', bytes);
}

export function idleMarkHeaders(): IHeaders {
  return { [RECORD_KIND_HEADER]: 'idle' };
}

export function isIdleMark(headers: IHeaders | undefined): boolean {
  return headerText(headers, RECORD_KIND_HEADER) === 'idle';
}

export function encodeIdleMark(mark: IdleMark): Buffer {
  return Buffer.from(JSON.stringify(mark));
}

export function decodeIdleMark(bytes: Buffer): IdleMark {
  const parsed = parseObject(bytes);
  if (Number.isInteger(parsed.source)) return { source: parsed.source as number };
  throw malformed('idle mark', bytes);
}

export function sourceHeaders(position: SourcePosition): IHeaders {
  return { [SOURCE_HEADER]: `${position.partition}/${position.offset}` };
}

/** Where a routed sample came from in kcost.usage.v1, or null for a record without the header. */
export function sourceOf(headers: IHeaders | undefined): SourcePosition | null {
  const text = headerText(headers, SOURCE_HEADER);
  const match = text === null ? null : /^(\d+)\/(\d+)$/.exec(text);
  return match ? { partition: Number(match[1]), offset: match[2] as string } : null;
}

export function encodeCostRate(record: CostRateRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

export function decodeCostRate(bytes: Buffer): CostRateRecord {
  const parsed = parseObject(bytes);
  if (parsed.kind === 'cost' && isCostPoint(parsed.point)) return { kind: 'cost', point: parsed.point };
  if (parsed.kind === 'mark' && isMark(parsed.mark)) return { kind: 'mark', mark: parsed.mark };
  throw malformed('cost-rate record', bytes);
}

export function encodeSeriesSnapshot(snapshot: SeriesSnapshot): Buffer {
  return Buffer.from(JSON.stringify(snapshot));
}

export function decodeSeriesSnapshot(bytes: Buffer): SeriesSnapshot {
  const p = parseObject(bytes);
  const scopeOk = p.scope === 'WORKLOAD' || p.scope === 'NAMESPACE';
  const historyOk = Array.isArray(p.history) && p.history.every((e) => Array.isArray(e) && e.length === 2 && isFiniteNumber(e[0]) && isFiniteNumber(e[1]));
  if (typeof p.cluster === 'string' && scopeOk && typeof p.key === 'string' && typeof p.namespace === 'string' && historyOk) return p as unknown as SeriesSnapshot;
  throw malformed('anomaly history record', bytes);
}

function isCostPoint(value: unknown): value is CostPoint {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.cluster === 'string' &&
    typeof p.namespace === 'string' &&
    typeof p.workloadKind === 'string' &&
    typeof p.workloadName === 'string' &&
    isFiniteNumber(p.windowStart) &&
    isFiniteNumber(p.totalCostUsd) &&
    isFiniteNumber(p.onDemandCostUsd)
  );
}

function isMark(value: unknown): value is ClosedMark {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return Array.isArray(m.sources) && m.sources.every((s) => Number.isInteger(s)) && isFiniteNumber(m.closedThrough);
}

function headerText(headers: IHeaders | undefined, name: string): string | null {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? null : first.toString();
}

function parseObject(bytes: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // reported below with the bytes
  }
  throw malformed('internal record', bytes);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function malformed(what: string, bytes: Buffer): KcostError {
  return new KcostError('MALFORMED_INTERNAL_RECORD', `not a valid ${what}: ${bytes.subarray(0, 120).toString('utf8')}`);
}
