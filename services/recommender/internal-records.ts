import type { IHeaders } from 'kafkajs';
import { KcostError } from '../errors/kcost-error.js';
import { RECORD_KIND_HEADER } from '../processor/internal-records.js';
import type { LaneState } from './lanes.js';
import type { KeySnapshot } from './partition-model.js';
import type { WorkloadContainerRef } from './recommendation.js';
import type { Termination } from './recommender.js';

// Records of the recommender's internal topics (internal-topics.ts). Only
// `kcost recommend` writes and reads them, so they are small JSON documents;
// routed priced windows keep their PodCost bytes, and the lanes' ticks and
// idle marks are the processor's (processor/internal-records.ts).

/** Key of the lanes' record in a history partition: a container key always has four slashes, this none. */
export const LANES_KEY = 'lanes';

/** "Container `target` of pod `podUid` was last terminated so": from the pod's KubeObject. */
export interface TerminationRecord {
  readonly target: WorkloadContainerRef;
  readonly termination: Termination;
}

export function terminationHeaders(): IHeaders {
  return { [RECORD_KIND_HEADER]: 'termination' };
}

export function isTermination(headers: IHeaders | undefined): boolean {
  const value = headers?.[RECORD_KIND_HEADER];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.toString() === 'termination';
}

export function encodeTermination(record: TerminationRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

export function decodeTermination(bytes: Buffer): TerminationRecord {
  const p = parseObject(bytes, 'termination');
  const t = p.termination as Record<string, unknown> | undefined;
  const nullableNumber = (v: unknown) => v === null || typeof v === 'number';
  if (isTarget(p.target) && t && typeof t.podUid === 'string' && typeof t.reason === 'string' && typeof t.finishedAt === 'number' && nullableNumber(t.memoryRequestBytes) && nullableNumber(t.memoryLimitBytes)) {
    return p as unknown as TerminationRecord;
  }
  throw malformed('termination', bytes);
}

export function encodeKeySnapshot(snapshot: KeySnapshot): Buffer {
  return Buffer.from(JSON.stringify(snapshot));
}

export function decodeKeySnapshot(bytes: Buffer): KeySnapshot {
  const p = parseObject(bytes, 'container model');
  if (p.version === 1 && isTarget(p.target) && Array.isArray(p.pending) && Array.isArray(p.rates) && (p.history === null || typeof p.history === 'object')) return p as unknown as KeySnapshot;
  throw malformed('container model', bytes);
}

export function encodeLanes(lanes: readonly LaneState[]): Buffer {
  return Buffer.from(JSON.stringify({ lanes }));
}

export function decodeLanes(bytes: Buffer): LaneState[] {
  const p = parseObject(bytes, 'lanes');
  const lanes = p.lanes;
  if (Array.isArray(lanes) && lanes.every((l: Record<string, unknown>) => Number.isInteger(l.source) && (l.newestWindowStart === null || typeof l.newestWindowStart === 'number') && typeof l.idle === 'boolean')) return lanes as LaneState[];
  throw malformed('lanes', bytes);
}

function isTarget(value: unknown): value is WorkloadContainerRef {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return ['cluster', 'namespace', 'workloadKind', 'workloadName', 'container'].every((k) => typeof t[k] === 'string');
}

function parseObject(bytes: Buffer, what: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // reported below with the bytes
  }
  throw malformed(what, bytes);
}

function malformed(what: string, bytes: Buffer): KcostError {
  return new KcostError('MALFORMED_INTERNAL_RECORD', `not a valid ${what} record: ${bytes.subarray(0, 120).toString('utf8')}`);
}
