import type { Kafka } from 'kafkajs';
import type { Codec } from '../../codec/codec.js';
import type { KubeObject } from '../../codec/records.generated.js';
import { watchKubeTopic, type KubeTopicWatcher } from '../../kafka/kube-topic-watcher.js';
import type { Logger } from '../../log/logger.js';
import type { PriceScope } from './price-source.js';

/** The regions and instance types of the nodes seen on kcost.kube.v1, per provider. */
export class KubeScope {
  private readonly byProvider = new Map<string, { regions: Set<string>; instanceTypes: Set<string> }>();

  /** Records a node's provider, region and instance type; other kinds are ignored. Nodes are never forgotten: their history still needs prices. */
  observe(object: KubeObject): void {
    const node = object.node;
    if (object.kind !== 'NODE' || !node) return;
    const seen = this.byProvider.get(node.provider) ?? { regions: new Set<string>(), instanceTypes: new Set<string>() };
    if (node.region) seen.regions.add(node.region);
    if (node.instanceType) seen.instanceTypes.add(node.instanceType);
    this.byProvider.set(node.provider, seen);
  }

  /** The configured lists plus what was seen for the provider, configured entries first. */
  scopeFor(provider: string, configured: Omit<PriceScope, 'nowMillis'>): Omit<PriceScope, 'nowMillis'> {
    const seen = this.byProvider.get(provider);
    if (!seen) return configured;
    return {
      regions: [...new Set([...configured.regions, ...[...seen.regions].sort()])],
      instanceTypes: [...new Set([...configured.instanceTypes, ...[...seen.instanceTypes].sort()])],
    };
  }
}

/** A running reader of node states into a KubeScope. */
/**
 * Feeds the node states of kcost.kube.v1 into `scope` (the prices collector
 * prices the regions and instance types of the nodes it sees).
 */
export function watchKubeNodes(options: { kafka: Kafka; codec: Codec; topic: string; groupId: string; scope: KubeScope; logger: Logger; catchUpMillis?: number }): Promise<KubeTopicWatcher> {
  const { scope, ...rest } = options;
  return watchKubeTopic({ ...rest, observe: (_key, object) => object && scope.observe(object) });
}
