import type { Consumer, Kafka } from 'kafkajs';
import type { Codec } from '../../codec/codec.js';
import type { KubeObject } from '../../codec/records.generated.js';
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
export interface KubeScopeWatcher {
  /** Resolves once the records on the topic when it started were read (or after the wait limit). */
  readonly caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads kcost.kube.v1 from the beginning with a group of its own (every
 * collector instance needs every node) and feeds node states into `scope`.
 * An undecodable record is logged and skipped: the processor dead-letters
 * the topic's bad records, so this reader does not do it twice.
 */
export async function watchKubeNodes(options: { kafka: Kafka; codec: Codec; topic: string; groupId: string; scope: KubeScope; logger: Logger; catchUpMillis?: number }): Promise<KubeScopeWatcher> {
  const admin = options.kafka.admin();
  await admin.connect();
  const targets = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(options.topic)) if (BigInt(p.high) > BigInt(p.low)) targets.set(p.partition, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  let resolveCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));
  const timer = setTimeout(() => {
    options.logger.warn({ topic: options.topic, partitionsBehind: targets.size }, 'pricing before the node states were all read');
    resolveCaughtUp();
  }, options.catchUpMillis ?? 30_000);
  const check = (): void => {
    if (targets.size > 0) return;
    clearTimeout(timer);
    resolveCaughtUp();
  };
  check();
  const consumer: Consumer = options.kafka.consumer({ groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      try {
        options.scope.observe(await options.codec.decodeAs('KubeObject', message.value ?? Buffer.alloc(0)));
      } catch (error) {
        options.logger.warn({ err: error, topic: options.topic, partition, offset: message.offset }, 'skipping an unreadable record on the kube topic');
      }
      const target = targets.get(partition);
      if (target !== undefined && BigInt(message.offset) + 1n >= target) {
        targets.delete(partition);
        check();
      }
    },
  });
  return {
    caughtUp,
    async stop() {
      clearTimeout(timer);
      await consumer.disconnect();
    },
  };
}
