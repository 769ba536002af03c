import type { Admin } from 'kafkajs';
import { provisionTopics } from '../kafka/provision-topics.js';
import type { TopicLayout } from '../kafka/topics.js';
import { partitionsOf } from '../processor/internal-topics.js';

const DAY = 86_400_000;

/**
 * The recommender's internal topics, named after its consumer group like the
 * processor's, so two pipelines on one cluster never share them:
 *
 * - `<group>.by-container`: priced windows (PodCost bytes unchanged) re-keyed
 *   by workload container `cluster/namespace/Kind/name/container`, the OOM
 *   kills of those containers, and the lanes' ticks and idle marks, so that
 *   one instance owns every replica of a workload;
 * - `<group>.history`: compacted, each container's model (history, held
 *   samples, rates) in the partition of the by-container partition it is fed
 *   from, so that a restarted or new owner starts where the last one
 *   committed.
 */
export interface RecommenderTopics {
  readonly byContainer: string;
  readonly history: string;
  /** Partitions of kcost.costs.v1: the lanes. */
  readonly costsPartitions: number;
  readonly byContainerPartitions: number;
}

export function recommenderTopicNames(groupId: string): { byContainer: string; history: string } {
  return { byContainer: `${groupId}.by-container`, history: `${groupId}.history` };
}

/** The internal topics of recommender group `groupId` when the costs topic has `costsPartitions` partitions (`kcost topics` creates them too). */
export function recommenderTopicLayouts(groupId: string, costsPartitions: number): TopicLayout[] {
  const names = recommenderTopicNames(groupId);
  return [
    // As long as the costs topic keeps its records, so a recommend stage that lags its router loses nothing.
    { name: names.byContainer, cleanup: 'delete', partitions: costsPartitions, retentionMillis: 7 * DAY },
    // Partition for partition with by-container: the model of a container fed from partition p is in p.
    { name: names.history, cleanup: 'compact', partitions: costsPartitions },
  ];
}

/** Creates the internal topics if missing, partitioned and replicated like the costs topic, and returns their partition counts. */
export async function provisionRecommenderTopics(admin: Admin, groupId: string, costsTopic: string): Promise<RecommenderTopics> {
  const names = recommenderTopicNames(groupId);
  const costs = await partitionsOf(admin, costsTopic);
  await provisionTopics(admin, recommenderTopicLayouts(groupId, costs.partitions), costs.replicas);
  const byContainerPartitions = (await partitionsOf(admin, names.byContainer)).partitions;
  const historyPartitions = (await partitionsOf(admin, names.history)).partitions;
  if (historyPartitions !== byContainerPartitions) {
    throw new Error(`${names.history} has ${historyPartitions} partitions but ${names.byContainer} has ${byContainerPartitions}; they must match`);
  }
  return { ...names, costsPartitions: costs.partitions, byContainerPartitions };
}
