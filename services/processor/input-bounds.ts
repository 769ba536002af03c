import type { KubeObject, PriceUpdate, UsageSample } from '../codec/records.generated.js';
import { KcostError } from '../errors/kcost-error.js';
import type { NodeObject } from './cluster-state.js';

// The bounds every input record must meet before its figures can become money.
// A record that decodes but fails one is dead-lettered with a reason code:
//   RECORD_TOO_LARGE   bytes over MAX_INPUT_RECORD_BYTES
//   OUT_OF_BOUNDS      a figure that is negative, not finite, or beyond what any
//                      real node, price or window can have
//   TIME_OUT_OF_RANGE  a time after the processor's clock plus the allowed skew
// They are documented with the schemas (README, "Bad input") and generous on
// purpose: they stop absurd values, not unusual clusters.

/** Largest input record taken, in bytes (a usage sample is about 200). */
export const MAX_INPUT_RECORD_BYTES = 64 * 1024;
/**
 * Largest NodeUsage record taken, in bytes: a node's window of up to
 * MAX_CONTAINERS_PER_NODE_USAGE containers (about 150 bytes each) as its
 * producers split it, within the 1 MiB a broker takes by default.
 */
export const MAX_NODE_USAGE_RECORD_BYTES = 1024 * 1024;
/** Longest text field taken (names, SKUs, labels), in characters. */
export const MAX_TEXT_LENGTH = 1024;

const GIB = 1024 ** 3;
const TIB = 1024 * GIB;

export const USAGE_BOUNDS = {
  maxWindowSeconds: 86_400,
  /** Without a known node: more cores and memory than any machine sold has. */
  maxNodeCores: 4096,
  maxNodeMemoryBytes: 64 * TIB,
  maxNodeGpus: 64,
  /**
   * Usage may exceed the node's capacity by this fraction, never more: rates
   * from cumulative counters read at misaligned times can overshoot, and the
   * pricing core scales allocations over capacity down anyway. Beyond twice
   * the node, a figure is not a measurement.
   */
  capacitySlack: 1,
  /** 400 Gbit/s, in bytes per second. */
  maxNetworkBytesPerSecond: 50e9,
} as const;

export const PRICE_BOUNDS = {
  hourlyUsd: 1000,
  cpuCoreHourUsd: 10,
  memoryGibHourUsd: 1,
  gpuHourUsd: 200,
  storageGibMonthUsd: 10,
  networkGibUsd: 10,
  /** Price books may announce a change ahead; not centuries ahead. */
  maxEffectiveAheadMillis: 400 * 86_400_000,
} as const;

/** Why an input record is refused, or null when it is within bounds. */
export type BoundsProblem = KcostError | null;

/** A usage sample's problem; `node` is the sample's node when the state knows it. */
export function usageSampleProblem(sample: UsageSample, node: NodeObject | undefined, nowMillis: number, futureSkewMillis: number): BoundsProblem {
  const text = textProblem({ cluster: sample.cluster, namespace: sample.namespace, podUid: sample.podUid, podName: sample.podName, container: sample.container, nodeName: sample.nodeName });
  if (text) return text;
  const b = USAGE_BOUNDS;
  const window = windowProblem(sample, nowMillis + futureSkewMillis);
  if (window) return window;
  const cores = node ? node.node.cpuCapacityCores * (1 + b.capacitySlack) : b.maxNodeCores;
  const memory = node ? node.node.memoryCapacityBytes * (1 + b.capacitySlack) : b.maxNodeMemoryBytes;
  const where = node ? `node ${node.name}'s capacity plus ${b.capacitySlack * 100} %` : 'the largest node kcost accepts';
  const maxCoreSeconds = cores * sample.windowSeconds;
  if (!within(sample.cpuCoreSeconds, maxCoreSeconds)) return outOfBounds('cpuCoreSeconds', sample.cpuCoreSeconds, `0 to ${maxCoreSeconds} (${where})`);
  if (!within(sample.memoryWorkingSetAvgBytes, memory)) return outOfBounds('memoryWorkingSetAvgBytes', sample.memoryWorkingSetAvgBytes, `0 to ${memory} (${where})`);
  if (!within(sample.memoryWorkingSetMaxBytes, memory)) return outOfBounds('memoryWorkingSetMaxBytes', sample.memoryWorkingSetMaxBytes, `0 to ${memory} (${where})`);
  const maxNetwork = b.maxNetworkBytesPerSecond * sample.windowSeconds;
  for (const [field, value] of [['networkRxBytes', sample.networkRxBytes], ['networkTxBytes', sample.networkTxBytes]] as const) {
    if (value !== null && !within(value, maxNetwork)) return outOfBounds(field, value, `0 to ${maxNetwork}`);
  }
  return null;
}

/**
 * The problem of a NodeUsage record's node and window; each of its
 * containers is then checked as the UsageSample it stands for.
 */
export function nodeWindowProblem(record: { cluster: string; nodeName: string; windowStart: number; windowSeconds: number }, nowMillis: number, futureSkewMillis: number): BoundsProblem {
  return textProblem({ cluster: record.cluster, nodeName: record.nodeName }) ?? windowProblem(record, nowMillis + futureSkewMillis);
}

/** A price update's problem: every price it gives finite, at least 0 and at most its bound. */
export function priceUpdateProblem(update: PriceUpdate, nowMillis: number, futureSkewMillis: number): BoundsProblem {
  const text = textProblem({ provider: update.provider, region: update.region, zone: update.zone, sku: update.sku, source: update.source, sourceRef: update.sourceRef, architecture: update.architecture });
  if (text) return text;
  // The instance shape (PriceUpdate v2) is held to the bounds of the largest node kcost accepts.
  const shape = { vcpus: [update.vcpus, USAGE_BOUNDS.maxNodeCores], memoryBytes: [update.memoryBytes, USAGE_BOUNDS.maxNodeMemoryBytes], gpus: [update.gpus, USAGE_BOUNDS.maxNodeGpus] } as const;
  for (const [field, [value, max]] of Object.entries(shape)) {
    if (value !== null && !within(value, max)) return outOfBounds(field, value, `0 to ${max}`);
  }
  const prices = {
    hourlyUsd: update.hourlyUsd,
    cpuCoreHourUsd: update.cpuCoreHourUsd,
    memoryGibHourUsd: update.memoryGibHourUsd,
    gpuHourUsd: update.gpuHourUsd,
    storageGibMonthUsd: update.storageGibMonthUsd,
    networkGibUsd: update.networkGibUsd,
  };
  for (const [field, value] of Object.entries(prices) as Array<[keyof typeof prices, number | null]>) {
    if (value !== null && !within(value, PRICE_BOUNDS[field])) return outOfBounds(field, value, `0 to ${PRICE_BOUNDS[field]} USD`);
  }
  if (!within(update.discount, 1)) return outOfBounds('discount', update.discount, '0 to 1');
  return timeProblem('effectiveFrom', update.effectiveFrom, nowMillis + PRICE_BOUNDS.maxEffectiveAheadMillis) ?? timeProblem('observedAt', update.observedAt, nowMillis + futureSkewMillis);
}

/** A Kubernetes object's problem: its times, and a node's capacity. */
export function kubeObjectProblem(object: KubeObject, nowMillis: number, futureSkewMillis: number): BoundsProblem {
  const text = textProblem({ cluster: object.cluster, uid: object.uid, name: object.name, namespace: object.namespace });
  if (text) return text;
  const latest = nowMillis + futureSkewMillis;
  const time = timeProblem('observedAt', object.observedAt, latest) ?? timeProblem('createdAt', object.createdAt, latest) ?? (object.deletedAt === null ? null : timeProblem('deletedAt', object.deletedAt, latest));
  if (time) return time;
  const node = object.node;
  if (node) {
    if (!within(node.cpuCapacityCores, USAGE_BOUNDS.maxNodeCores)) return outOfBounds('node.cpuCapacityCores', node.cpuCapacityCores, `0 to ${USAGE_BOUNDS.maxNodeCores}`);
    if (!within(node.gpuCapacity, USAGE_BOUNDS.maxNodeGpus)) return outOfBounds('node.gpuCapacity', node.gpuCapacity, `0 to ${USAGE_BOUNDS.maxNodeGpus}`);
    if (!within(node.memoryCapacityBytes, USAGE_BOUNDS.maxNodeMemoryBytes)) return outOfBounds('node.memoryCapacityBytes', node.memoryCapacityBytes, `0 to ${USAGE_BOUNDS.maxNodeMemoryBytes}`);
  }
  for (const c of object.pod?.containers ?? []) {
    if (!within(c.gpuRequest, USAGE_BOUNDS.maxNodeGpus)) return outOfBounds(`container ${c.name} gpuRequest`, c.gpuRequest, `0 to ${USAGE_BOUNDS.maxNodeGpus}`);
    if (!within(c.cpuRequestCores, USAGE_BOUNDS.maxNodeCores)) return outOfBounds(`container ${c.name} cpuRequestCores`, c.cpuRequestCores, `0 to ${USAGE_BOUNDS.maxNodeCores}`);
    if (!within(c.memoryRequestBytes, USAGE_BOUNDS.maxNodeMemoryBytes)) return outOfBounds(`container ${c.name} memoryRequestBytes`, c.memoryRequestBytes, `0 to ${USAGE_BOUNDS.maxNodeMemoryBytes}`);
  }
  return null;
}

/** A record's size problem, before it is decoded; `maxBytes` is larger for records that hold a whole node's window. */
export function sizeProblem(bytes: Buffer, maxBytes = MAX_INPUT_RECORD_BYTES): BoundsProblem {
  return bytes.length > maxBytes ? new KcostError('RECORD_TOO_LARGE', `record of ${bytes.length} bytes; at most ${maxBytes} are taken`) : null;
}

function windowProblem(window: { windowStart: number; windowSeconds: number }, latest: number): BoundsProblem {
  const max = USAGE_BOUNDS.maxWindowSeconds;
  if (!Number.isInteger(window.windowSeconds) || window.windowSeconds < 1 || window.windowSeconds > max) return outOfBounds('windowSeconds', window.windowSeconds, `1 to ${max}`);
  return timeProblem('windowStart', window.windowStart, latest);
}

function within(value: number, max: number): boolean {
  return Number.isFinite(value) && value >= 0 && value <= max;
}

function outOfBounds(field: string, value: number, range: string): KcostError {
  return new KcostError('OUT_OF_BOUNDS', `${field} is ${value}; it must be ${range}`);
}

function timeProblem(field: string, millis: number, latest: number): BoundsProblem {
  if (Number.isFinite(millis) && millis >= 0 && millis <= latest) return null;
  const shown = Number.isFinite(millis) && Math.abs(millis) <= 8.64e15 ? new Date(millis).toISOString() : String(millis);
  return new KcostError('TIME_OUT_OF_RANGE', `${field} is ${shown}; it must be after 1970 and at most ${new Date(latest).toISOString()} (this processor's clock plus the allowed skew)`);
}

function textProblem(fields: Record<string, string | null>): BoundsProblem {
  for (const [field, value] of Object.entries(fields)) {
    if (value !== null && value.length > MAX_TEXT_LENGTH) return new KcostError('OUT_OF_BOUNDS', `${field} is ${value.length} characters long; at most ${MAX_TEXT_LENGTH} are taken`);
  }
  return null;
}
