import type { NodeUsage, UsageSample } from '../codec/records.generated.js';
import type { OutgoingRecord } from './batching-producer.js';
import { nodeKey, usageDestination } from './topics.js';

// The two shapes of the same usage: one UsageSample per container and window
// (kcost.usage.v1, kcost.usage.bynode.v1), or one NodeUsage per node and
// window holding its containers' samples (kcost.usage.nodewindow.v1). The
// producers group samples into NodeUsage records and the processor expands
// them back, so both shapes price the same.

/**
 * Most containers one NodeUsage record holds: a node with more has its
 * window split into several records. At about 150 bytes a container, that
 * keeps a record far below the 1 MiB a broker takes by default.
 */
export const MAX_CONTAINERS_PER_NODE_USAGE = 1000;

/** Where a producer publishes usage; an empty topic is not used. */
export interface UsageTopics {
  /** kcost.usage.v1: samples keyed by pod. */
  readonly usage: string;
  /** kcost.usage.bynode.v1: samples that name their node, keyed by it. */
  readonly usageByNode: string;
  /** kcost.usage.nodewindow.v1: samples that name their node, as one NodeUsage per node and window, keyed by node. */
  readonly usageNodeWindow: string;
}

/**
 * The records a producer publishes for samples it has at once (a window's):
 * with a node-window topic, the samples that name their node as NodeUsage
 * records there, the others keyed by pod on the usage topic; otherwise one
 * record per sample (usageDestination).
 */
export function usageRecordsOf(samples: readonly UsageSample[], topics: UsageTopics): OutgoingRecord[] {
  if (topics.usageNodeWindow === '') return samples.map((value) => ({ ...usageDestination(value, topics), schema: 'UsageSample' as const, value }));
  const { records, nodeless } = nodeUsageOf(samples);
  const out: OutgoingRecord[] = records.map((value) => ({ topic: topics.usageNodeWindow, key: nodeKey(value), schema: 'NodeUsage' as const, value }));
  for (const value of nodeless) out.push({ ...usageDestination(value, { usage: topics.usage, usageByNode: '' }), schema: 'UsageSample', value });
  return out;
}

/**
 * Groups samples into one NodeUsage per node, window and source, in the
 * order of each group's first sample (a node of more than `maxContainers`
 * containers gets several); samples that name no node are returned apart.
 */
export function nodeUsageOf(samples: readonly UsageSample[], maxContainers = MAX_CONTAINERS_PER_NODE_USAGE): { records: NodeUsage[]; nodeless: UsageSample[] } {
  const open = new Map<string, NodeUsage>();
  const records: NodeUsage[] = [];
  const nodeless: UsageSample[] = [];
  for (const sample of samples) {
    if (!sample.nodeName) {
      nodeless.push(sample);
      continue;
    }
    const group = `${sample.cluster}/${sample.nodeName}/${sample.windowStart}/${sample.windowSeconds}/${sample.source}`;
    let record = open.get(group);
    if (!record || record.containers.length >= maxContainers) {
      record = { cluster: sample.cluster, nodeName: sample.nodeName, windowStart: sample.windowStart, windowSeconds: sample.windowSeconds, source: sample.source, containers: [] };
      open.set(group, record);
      records.push(record);
    }
    record.containers.push({
      namespace: sample.namespace,
      podUid: sample.podUid,
      podName: sample.podName,
      container: sample.container,
      cpuCoreSeconds: sample.cpuCoreSeconds,
      memoryWorkingSetAvgBytes: sample.memoryWorkingSetAvgBytes,
      memoryWorkingSetMaxBytes: sample.memoryWorkingSetMaxBytes,
      networkRxBytes: sample.networkRxBytes,
      networkTxBytes: sample.networkTxBytes,
      gap: sample.gap,
    });
  }
  return { records, nodeless };
}

/** The UsageSample of each container of a NodeUsage record, as a producer of per-container records would have written it. */
export function samplesOfNodeUsage(record: NodeUsage): UsageSample[] {
  const { cluster, nodeName, windowStart, windowSeconds, source } = record;
  return record.containers.map((c) => ({
    cluster,
    namespace: c.namespace,
    podUid: c.podUid,
    podName: c.podName,
    container: c.container,
    nodeName,
    windowStart,
    windowSeconds,
    cpuCoreSeconds: c.cpuCoreSeconds,
    memoryWorkingSetAvgBytes: c.memoryWorkingSetAvgBytes,
    memoryWorkingSetMaxBytes: c.memoryWorkingSetMaxBytes,
    networkRxBytes: c.networkRxBytes,
    networkTxBytes: c.networkTxBytes,
    gap: c.gap,
    source,
  }));
}
