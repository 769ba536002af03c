import type { SchemaName } from '../codec/records.generated.js';

/** How the broker keeps a topic. */
export interface TopicLayout {
  readonly name: string;
  readonly cleanup: 'compact' | 'delete';
  readonly partitions: number;
  /** Retention for delete topics; compacted topics keep the latest per key forever. */
  readonly retentionMillis?: number;
}

/** A public topic: its layout and the Avro schema of its values. */
export interface TopicSpec extends TopicLayout {
  readonly schema: SchemaName;
}

const DAY = 86_400_000;

/** The public topics of kcost (../shared/design.md: Topics and keys). */
export const TOPICS = {
  kube: { name: 'kcost.kube.v1', schema: 'KubeObject', cleanup: 'compact', partitions: 6 },
  usage: { name: 'kcost.usage.v1', schema: 'UsageSample', cleanup: 'delete', partitions: 6, retentionMillis: 7 * DAY },
  // The same records keyed by node (nodeKey), which the pricing stage reads without the by-node repartition hop.
  usageByNode: { name: 'kcost.usage.bynode.v1', schema: 'UsageSample', cleanup: 'delete', partitions: 6, retentionMillis: 7 * DAY },
  // One record per node and window holding its containers' samples, keyed by node as usageByNode: a fraction of its records to produce, fetch and decode.
  usageNodeWindow: { name: 'kcost.usage.nodewindow.v1', schema: 'NodeUsage', cleanup: 'delete', partitions: 6, retentionMillis: 7 * DAY },
  prices: { name: 'kcost.prices.v1', schema: 'PriceUpdate', cleanup: 'compact', partitions: 1 },
  costs: { name: 'kcost.costs.v1', schema: 'PodCost', cleanup: 'delete', partitions: 6, retentionMillis: 7 * DAY },
  nodeCosts: { name: 'kcost.node-costs.v1', schema: 'NodeCost', cleanup: 'delete', partitions: 3, retentionMillis: 7 * DAY },
  anomalies: { name: 'kcost.anomalies.v1', schema: 'CostAnomaly', cleanup: 'delete', partitions: 1, retentionMillis: 30 * DAY },
  deadLetter: { name: 'kcost.deadletter.v1', schema: 'DeadLetter', cleanup: 'delete', partitions: 1, retentionMillis: 30 * DAY },
  // Compacted: the latest advice per target (Recommendation.key) survives, and a tombstone retires a target that is gone.
  recommendations: { name: 'kcost.recommendations.v1', schema: 'Recommendation', cleanup: 'compact', partitions: 6 },
  // Compacted: the latest figures per bill line survive, and a tombstone retires a line a re-delivery no longer bills.
  billing: { name: 'kcost.billing.v1', schema: 'BillingLine', cleanup: 'compact', partitions: 3 },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

/**
 * The public usage topics keyed by node, which the pricing stage reads
 * partition for partition with its internal by-node topic: each must have
 * that topic's partition count, so they are created with kcost.usage.v1's
 * count as it is, not with the catalogue's.
 */
export const NODE_KEYED_USAGE_TOPICS: readonly TopicSpec[] = [TOPICS.usageByNode, TOPICS.usageNodeWindow];

/** Key of kcost.kube.v1: the latest state per object survives compaction. */
export function kubeObjectKey(record: { cluster: string; kind: string; uid: string }): string {
  return `${record.cluster}/${record.kind}/${record.uid}`;
}

/** Key of kcost.usage.v1 and kcost.costs.v1: co-partitions a pod's usage with its state and costs. */
export function podKey(record: { cluster: string; podUid: string }): string {
  return `${record.cluster}/${record.podUid}`;
}

/** What a price is for, where and how it is bought: `provider/region[:zone]/kind/sku/capacityType`. */
export function priceSeriesKey(record: { provider: string; region: string; zone?: string | null; kind: string; sku: string; capacityType: string }): string {
  const region = record.zone ? `${record.region}:${record.zone}` : record.region;
  return `${record.provider}/${region}/${record.kind}/${record.sku}/${record.capacityType}`;
}

/**
 * Key of kcost.prices.v1: the series and the effective time in epoch
 * milliseconds, `provider/region[:zone]/kind/sku/capacityType/effectiveFrom`.
 * The topic is compacted, and with the effective time in the key the log
 * cleaner keeps every price change and drops only a change published twice,
 * so a replay or a new processor group still finds the price in effect at
 * any past window, however long after the change it reads the topic.
 */
export function priceKey(record: Parameters<typeof priceSeriesKey>[0] & { effectiveFrom: number }): string {
  return `${priceSeriesKey(record)}/${record.effectiveFrom}`;
}

/**
 * Where a producer publishes a usage sample: with a by-node topic given, a
 * sample that names its node goes there keyed `cluster/node`, so the
 * processor prices it without first copying it to its by-node topic; any
 * other sample (or every one, with no by-node topic) goes to the usage topic
 * keyed by pod, as before.
 */
export function usageDestination(sample: { cluster: string; podUid: string; nodeName?: string | null }, topics: { usage: string; usageByNode: string }): { topic: string; key: string } {
  if (topics.usageByNode !== '' && sample.nodeName) return { topic: topics.usageByNode, key: nodeKey({ cluster: sample.cluster, nodeName: sample.nodeName }) };
  return { topic: topics.usage, key: podKey(sample) };
}

/** Key of kcost.node-costs.v1, kcost.usage.bynode.v1 and kcost.usage.nodewindow.v1. */
export function nodeKey(record: { cluster: string; nodeName: string }): string {
  return `${record.cluster}/${record.nodeName}`;
}

/** Key of kcost.anomalies.v1. */
export function anomalyKey(record: { cluster: string; scope: string; key: string }): string {
  return `${record.cluster}/${record.scope}/${record.key}`;
}

/** Key of kcost.billing.v1: `billingAccountId/billingPeriodStart as YYYY-MM-DD/lineId`, stable across re-deliveries of the period. */
export function billingLineKey(record: { billingAccountId: string; billingPeriodStart: number; lineId: string }): string {
  return `${billingPeriodPrefix(record)}${record.lineId}`;
}

/** The part of a billing line key that names its account and billing period (ends with `/`). */
export function billingPeriodPrefix(record: { billingAccountId: string; billingPeriodStart: number }): string {
  return `${record.billingAccountId}/${new Date(record.billingPeriodStart).toISOString().slice(0, 10)}/`;
}
