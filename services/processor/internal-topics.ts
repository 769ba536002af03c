import type { Admin } from 'kafkajs';
import { KcostError } from '../errors/kcost-error.js';
import { provisionTopics } from '../kafka/provision-topics.js';
import type { TopicLayout } from '../kafka/topics.js';

const DAY = 86_400_000;

/**
 * The processor's two internal topics and their partition counts. Like Kafka
 * Streams' repartition topics they are named after the consumer group, so two
 * pipelines on one cluster never share them:
 *
 * - `<group>.usage-by-node`: usage samples re-keyed by `cluster/node`, so that
 *   one pricing instance owns every pod of a node and can conserve its cost;
 * - `<group>.cost-rates`: each priced window's cost per workload, keyed by
 *   `cluster/namespace`, so that one scoring instance sees a whole namespace
 *   and every workload in it, whichever instances priced their nodes;
 * - `<group>.anomaly-history`: compacted, the scored hourly rates of each
 *   series, in the partition of the cost-rates partition it is scored from,
 *   so that a restarted or new scoring instance starts with the baselines.
 */
export interface InternalTopics {
  readonly usageByNode: string;
  readonly costRates: string;
  readonly anomalyHistory: string;
  /** Partitions of kcost.usage.v1: the sources the pricing stage waits for. */
  readonly usagePartitions: number;
  readonly usageByNodePartitions: number;
  readonly costRatePartitions: number;
  /** The public usage topics keyed by node that the pricing stage reads too (of those named, the ones that exist), partitioned as usageByNode. */
  readonly nodeKeyedUsageTopics?: readonly string[];
}

export function internalTopicNames(groupId: string): { usageByNode: string; costRates: string; anomalyHistory: string } {
  return { usageByNode: `${groupId}.usage-by-node`, costRates: `${groupId}.cost-rates`, anomalyHistory: `${groupId}.anomaly-history` };
}

/**
 * Creates the internal topics if missing, with as many partitions as the
 * usage topic (the unit of scale-out stays the same at every stage) and its
 * replication, and returns their actual partition counts. With public usage
 * topics keyed by node that exist (kcost.usage.bynode.v1,
 * kcost.usage.nodewindow.v1), the internal by-node topic must have their
 * partition count (partition p of each holds the same nodes), and is created
 * with it.
 */
export async function provisionInternalTopics(admin: Admin, groupId: string, usageTopic: string, nodeKeyedTopics: readonly string[] = []): Promise<InternalTopics> {
  const names = internalTopicNames(groupId);
  const usage = await partitionsOf(admin, usageTopic);
  const existing = new Set(await admin.listTopics());
  const direct: Array<{ topic: string; partitions: number }> = [];
  for (const topic of nodeKeyedTopics) if (topic !== '' && existing.has(topic)) direct.push({ topic, partitions: (await partitionsOf(admin, topic)).partitions });
  const first = direct[0];
  const layouts = internalTopicLayouts(groupId, usage.partitions).map((layout) => (first && layout.name === names.usageByNode ? { ...layout, partitions: first.partitions } : layout));
  await provisionTopics(admin, layouts, usage.replicas);
  const usageByNodePartitions = (await partitionsOf(admin, names.usageByNode)).partitions;
  for (const { topic, partitions } of direct) {
    if (partitions !== usageByNodePartitions) {
      throw new KcostError('PARTITION_MISMATCH', `${topic} has ${partitions} partitions but ${names.usageByNode} has ${usageByNodePartitions}; they must match (give ${topic} ${usageByNodePartitions} partitions, or use a new --group-id)`);
    }
  }
  const costRatePartitions = (await partitionsOf(admin, names.costRates)).partitions;
  const historyPartitions = (await partitionsOf(admin, names.anomalyHistory)).partitions;
  if (historyPartitions !== costRatePartitions) {
    throw new Error(`${names.anomalyHistory} has ${historyPartitions} partitions but ${names.costRates} has ${costRatePartitions}; they must match`);
  }
  return {
    ...names,
    usagePartitions: usage.partitions,
    usageByNodePartitions,
    costRatePartitions,
    nodeKeyedUsageTopics: direct.map((d) => d.topic),
  };
}

/**
 * The internal topics of processor group `groupId` when the usage topic has
 * `usagePartitions` partitions. `kcost topics` creates them ahead of time too,
 * so that a processor without the right to create topics finds them.
 */
export function internalTopicLayouts(groupId: string, usagePartitions: number): TopicLayout[] {
  const names = internalTopicNames(groupId);
  return [
    // As long as the usage topic keeps its samples, so a pricing stage that lags its router loses nothing.
    { name: names.usageByNode, cleanup: 'delete', partitions: usagePartitions, retentionMillis: 7 * DAY },
    { name: names.costRates, cleanup: 'delete', partitions: usagePartitions, retentionMillis: 7 * DAY },
    // Partition for partition with cost-rates: the history of the series scored from cost-rates partition p is in p.
    { name: names.anomalyHistory, cleanup: 'compact', partitions: usagePartitions },
  ];
}

export async function partitionsOf(admin: Admin, topic: string): Promise<{ partitions: number; replicas: number }> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = topics[0]?.partitions ?? [];
  if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions; create the pipeline's topics first (kcost topics)`);
  return { partitions: partitions.length, replicas: Math.max(1, partitions[0]?.replicas.length ?? 1) };
}
