import type { Codec } from '../codec/codec.js';
import type { UsageSample } from '../codec/records.generated.js';
import { KcostError } from '../errors/kcost-error.js';
import { partitionOfKey } from '../kafka/key-partition.js';
import { samplesOfNodeUsage } from '../kafka/node-usage.js';
import { nodeKey } from '../kafka/topics.js';
import type { ClusterState } from './cluster-state.js';
import { MAX_INPUT_RECORD_BYTES, MAX_NODE_USAGE_RECORD_BYTES, nodeWindowProblem, usageSampleProblem } from './input-bounds.js';
import { DIRECT_SOURCE, NODE_WINDOW_SOURCE } from './internal-records.js';

/** What one record of a node-keyed usage topic holds: samples of one node, all of one window of one cluster. */
export interface NodeWindowRead {
  readonly cluster: string;
  readonly windowStart: number;
  readonly windowSeconds: number;
  readonly samples: readonly UsageSample[];
}

/** What a record is read and checked against. */
export interface ReadContext {
  readonly codec: Codec;
  readonly state: ClusterState;
  /** The partition it was read from, of `partitions`. */
  readonly partition: number;
  readonly partitions: number;
  readonly nowMillis: number;
  readonly futureSkewMillis: number;
}

/**
 * How the pricing stage reads the records of a public usage topic keyed by
 * node (services/processor/direct-usage.ts does the rest, the same for all).
 */
export interface DirectRecordFormat {
  /** What the records are, for logs. */
  readonly name: string;
  /**
   * The lane of the topic's partition p in by-node partition p (the source of
   * its ticks and idle marks), and the stream its offsets are read as there:
   * negative, since internal partitions and usage partitions count from 0.
   */
  readonly source: number;
  /** Larger records are dead-lettered RECORD_TOO_LARGE unread. */
  readonly maxRecordBytes: number;
  /**
   * The record's samples, checked as the router checks kcost.usage.v1's
   * (bounds, times) and to be on their node's partition; throws the reason
   * (a KcostError, or the codec's error) when any of it cannot be priced here:
   * the record is then dead-lettered whole.
   */
  read(bytes: Buffer, context: ReadContext): Promise<NodeWindowRead>;
}

/** kcost.usage.bynode.v1: one UsageSample per record. */
export const SAMPLE_RECORDS: DirectRecordFormat = {
  name: 'UsageSample',
  source: DIRECT_SOURCE,
  maxRecordBytes: MAX_INPUT_RECORD_BYTES,
  async read(bytes, context) {
    const sample = await context.codec.decodeAs('UsageSample', bytes);
    const problem = partitionProblem(sample, context.partition, context.partitions) ?? usageSampleProblem(sample, context.state.node(sample.cluster, sample.nodeName as string), context.nowMillis, context.futureSkewMillis);
    if (problem) throw problem;
    return { cluster: sample.cluster, windowStart: sample.windowStart, windowSeconds: sample.windowSeconds, samples: [sample] };
  },
};

/** kcost.usage.nodewindow.v1: one NodeUsage per record, a node's window of containers. */
export const NODE_WINDOW_RECORDS: DirectRecordFormat = {
  name: 'NodeUsage',
  source: NODE_WINDOW_SOURCE,
  maxRecordBytes: MAX_NODE_USAGE_RECORD_BYTES,
  async read(bytes, context) {
    const record = await context.codec.decodeAs('NodeUsage', bytes);
    const problem = nodeWindowProblem(record, context.nowMillis, context.futureSkewMillis) ?? homeProblem(record.cluster, record.nodeName, 'node usage record', context.partition, context.partitions);
    if (problem) throw problem;
    const node = context.state.node(record.cluster, record.nodeName);
    const samples = samplesOfNodeUsage(record);
    for (const sample of samples) {
      const bad = usageSampleProblem(sample, node, context.nowMillis, context.futureSkewMillis);
      // The record is what a dead letter keeps and a producer publishes again: one bad container refuses it whole.
      if (bad) throw new KcostError(bad.code, `container ${sample.namespace}/${sample.podName}/${sample.container} of node ${nodeKey(record)}: ${bad.message}`);
    }
    return { cluster: record.cluster, windowStart: record.windowStart, windowSeconds: record.windowSeconds, samples };
  },
};

/** Why a sample of the by-node usage topic cannot be priced on `partition`, or null when it belongs there. */
export function partitionProblem(sample: UsageSample, partition: number, partitions: number): KcostError | null {
  if (!sample.nodeName) return new KcostError('MISPARTITIONED_SAMPLE', `usage sample of pod ${sample.cluster}/${sample.podUid} names no node; publish it to the usage topic keyed by pod`);
  return homeProblem(sample.cluster, sample.nodeName, 'usage sample', partition, partitions);
}

/** MISPARTITIONED_SAMPLE when node `nodeName`'s key is not on `partition`: priced there, it would break that node's conservation. */
function homeProblem(cluster: string, nodeName: string, what: string, partition: number, partitions: number): KcostError | null {
  if (!nodeName) return new KcostError('MISPARTITIONED_SAMPLE', `${what} of cluster ${cluster} names no node; publish its samples to the usage topic keyed by pod`);
  const key = nodeKey({ cluster, nodeName });
  const home = partitionOfKey(key, partitions);
  return home === partition ? null : new KcostError('MISPARTITIONED_SAMPLE', `${what} of node ${key} is on partition ${partition} of ${partitions}, but its key's partition is ${home}; key it by cluster/node`);
}
