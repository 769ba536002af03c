import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import type { Codec } from '../../services/codec/codec.js';
import type { DeadLetter, KubeObject, PodCost } from '../../services/codec/records.generated.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { TOPICS, kubeObjectKey, podKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { container, podObject } from '../../services/processor/record-builders.js';
import type { Recommendation } from '../../services/recommender/recommendation.js';
import { buildRecommender, type RecommenderConfig, type RecommenderService } from '../../services/recommender/recommender-service.js';
import { compileStrategy } from '../../services/recommender/strategy.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';

// Shared by the recommender's tests over the real broker: a small cluster of
// workloads, its priced windows (PodCost, as kcost process publishes them)
// and pod states, and readers of what the recommender publishes.

export const HOUR = 3_600_000;
export const GIB = 1024 ** 3;
/** Ten-minute windows: a few hours of history in a few hundred records. */
export const WINDOW_SECONDS = 600;
export const T0 = Date.UTC(2026, 4, 4);

export interface PodSpec {
  readonly name: string;
  readonly workload: { kind: string; name: string } | null;
  readonly container: string;
  readonly cpuRequest: number;
  readonly memoryRequestGib: number;
  readonly memoryLimitGib: number | null;
}

/** web (3 replicas), api (2) and a bare pod without requests. */
export const PODS: readonly PodSpec[] = [
  ...[0, 1, 2].map((i) => ({ name: `web-${i}`, workload: { kind: 'Deployment', name: 'web' }, container: 'app', cpuRequest: 1, memoryRequestGib: 2, memoryLimitGib: 2 })),
  ...[0, 1].map((i) => ({ name: `api-${i}`, workload: { kind: 'Deployment', name: 'api' }, container: 'server', cpuRequest: 0.5, memoryRequestGib: 1, memoryLimitGib: 1.5 })),
  { name: 'batch-0', workload: null, container: 'job', cpuRequest: 0, memoryRequestGib: 0, memoryLimitGib: null },
];

export function podState(spec: PodSpec, overrides: Partial<KubeObject['pod'] & object> = {}, observedAt = T0 - HOUR): KubeObject {
  const resources = { ...container(spec.container, spec.cpuRequest, spec.memoryRequestGib), memoryLimitBytes: spec.memoryLimitGib === null ? null : spec.memoryLimitGib * GIB };
  const object = podObject({ name: spec.name, namespace: 'shop', nodeName: 'node-1', containers: [resources], workload: spec.workload, createdAt: T0 - HOUR, observedAt });
  return { ...object, pod: { ...(object.pod as NonNullable<KubeObject['pod']>), ...overrides } };
}

/** One priced window of a pod: usage varies by pod and window, costs at 0.04 $/core-h and 0.005 $/GiB-h on the allocation. */
export function podCost(spec: PodSpec, window: number, overrides: Partial<PodCost> = {}): PodCost {
  const hours = WINDOW_SECONDS / 3600;
  const index = PODS.indexOf(spec);
  const cpu = 0.15 + ((window * 7 + index * 3) % 10) / 40;
  const memory = (0.4 + ((window * 5 + index) % 9) / 30) * GIB;
  const cpuAllocated = Math.max(spec.cpuRequest, cpu);
  const memoryAllocated = Math.max(spec.memoryRequestGib * GIB, memory);
  return {
    cluster: 'prod', namespace: 'shop', podUid: `uid-${spec.name}`, podName: spec.name, container: spec.container, nodeName: 'node-1',
    workloadKind: spec.workload?.kind ?? '', workloadName: spec.workload?.name ?? '', labels: {},
    windowStart: T0 + window * WINDOW_SECONDS * 1000, windowSeconds: WINDOW_SECONDS,
    cpuRequestCores: spec.cpuRequest, cpuUsageCoresAvg: cpu, cpuAllocatedCores: cpuAllocated,
    memoryRequestBytes: spec.memoryRequestGib * GIB, memoryUsageBytesAvg: memory * 0.9, memoryWorkingSetMaxBytes: memory, memoryAllocatedBytes: memoryAllocated,
    gpuRequest: 0, gpuAllocated: 0, cpuCostUsd: cpuAllocated * 0.04 * hours, memoryCostUsd: (memoryAllocated / GIB) * 0.005 * hours, gpuCostUsd: 0, storageCostUsd: 0, networkCostUsd: 0,
    totalCostUsd: 0, onDemandCostUsd: 0, spotSavingsUsd: 0, capacityType: 'ON_DEMAND', instanceType: 'm5.xlarge', region: 'us-east-1', priceSource: 'aws-pricing', priceEffectiveFrom: T0 - 86_400_000,
    flags: [], volumes: [],
    ...overrides,
  };
}

/** Windows [from, to) of every pod, in window order, as kcost process publishes them. */
export function windows(from: number, to: number): PodCost[] {
  const out: PodCost[] = [];
  for (let w = from; w < to; w++) for (const spec of PODS) out.push(podCost(spec, w));
  return out;
}

/** Bad input among the windows: a pod priced without its state, absurd figures, and bytes that are not a record. */
export async function publishBadInput(pipeline: Pipeline): Promise<void> {
  const [web0, api0] = PODS as [PodSpec, PodSpec];
  await pipeline.publishCosts([
    podCost(web0, 3, { podUid: 'uid-stranger', podName: 'stranger', workloadKind: '', workloadName: '', flags: ['UNKNOWN_POD'] }),
    podCost(web0, 4, { cpuUsageCoresAvg: Number.NaN }),
    podCost(api0, 5, { cpuUsageCoresAvg: -2 }),
    podCost(api0, 6, { memoryWorkingSetMaxBytes: 5e15 }),
    podCost(web0, 7, { cpuCostUsd: -1 }),
  ]);
  await pipeline.send(pipeline.topics.costs, [{ key: 'prod/garbage', value: Buffer.from('not avro at all') }]);
}

/** Waits until every stage group of a recommender group has `members` members, each with partitions. */
export async function waitForMembers(pipeline: Pipeline, groupId: string, members: number): Promise<void> {
  const admin = pipeline.kafka.admin();
  await admin.connect();
  try {
    const groups = [groupId, `${groupId}.kube`, `${groupId}.recommend`];
    await waitFor(
      async () => {
        const { groups: described } = await admin.describeGroups(groups);
        return described.length === groups.length && described.every((g) => g.state === 'Stable' && g.members.length === members);
      },
      60_000,
      `${members} members in every stage group`,
    );
  } finally {
    await admin.disconnect();
  }
}

/** A pipeline's topics (unique names) and a producer onto them. */
export class Pipeline {
  readonly kafka: Kafka = testKafka('recommender-test');
  readonly codec: Codec = testCodec();
  private producer: Producer | null = null;
  topics = { kube: '', prices: '', costs: '', recommendations: '', deadLetter: '' };

  async open(): Promise<void> {
    const [kube, prices, costs, recommendations, deadLetter] = (await createTestTopics(this.kafka, [TOPICS.kube, TOPICS.prices, TOPICS.costs, TOPICS.recommendations, TOPICS.deadLetter])).map((t) => t.name) as [
      string,
      string,
      string,
      string,
      string,
    ];
    this.topics = { kube, prices, costs, recommendations, deadLetter };
    await this.leadersOf(Object.values(this.topics));
    this.producer = createProducer(this.kafka);
    await this.producer.connect();
  }

  /** Waits until every partition of the new topics has a leader: a send right after creation may otherwise meet NOT_LEADER. */
  private async leadersOf(topics: readonly string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => (await admin.fetchTopicMetadata({ topics: [...topics] })).topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)), 30_000, 'partition leaders');
    } finally {
      await admin.disconnect();
    }
  }

  /** A fresh recommendations and dead-letter topic, for a second run over the same input. */
  async freshOutputs(): Promise<{ recommendations: string; deadLetter: string }> {
    const [recommendations, deadLetter] = (await createTestTopics(this.kafka, [TOPICS.recommendations, TOPICS.deadLetter])).map((t) => t.name) as [string, string];
    return { recommendations, deadLetter };
  }

  async publishKube(objects: readonly KubeObject[]): Promise<void> {
    const messages = await Promise.all(objects.map(async (o) => ({ key: kubeObjectKey(o), value: await this.codec.encode('KubeObject', o) })));
    await this.send(this.topics.kube, messages);
  }

  async publishCosts(costs: readonly PodCost[]): Promise<void> {
    const messages = await Promise.all(costs.map(async (c) => ({ key: podKey(c), value: await this.codec.encode('PodCost', c) })));
    await this.send(this.topics.costs, messages);
  }

  async send(topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<void> {
    await this.producer?.send({ topic, acks: -1, messages });
  }

  config(overrides: { groupId: string; recommendations?: string; deadLetter?: string; strategy?: string; orphanedVolumeAfterMillis?: number; daemonSetOnlyNodeAfterMillis?: number }): RecommenderConfig {
    return {
      groupId: overrides.groupId,
      transactionalId: 'set-per-instance',
      model: { strategy: compileStrategy(overrides.strategy ?? 'vpa'), publishIntervalMillis: HOUR, graceMillis: 5 * 60_000, rateWindowMillis: 24 * HOUR },
      idleSourceAfterMillis: 1_000,
      podRetentionMillis: 24 * HOUR,
      orphanedVolumeAfterMillis: overrides.orphanedVolumeAfterMillis ?? 7 * 24 * HOUR,
      daemonSetOnlyNodeAfterMillis: overrides.daemonSetOnlyNodeAfterMillis ?? 24 * HOUR,
      topics: { kube: this.topics.kube, prices: this.topics.prices, costs: this.topics.costs, recommendations: overrides.recommendations ?? this.topics.recommendations, deadLetter: overrides.deadLetter ?? this.topics.deadLetter },
    };
  }

  /** Starts an instance of the recommender with its own transactional id. */
  async start(config: RecommenderConfig, id = randomUUID().slice(0, 6), registry = new Registry()): Promise<RecommenderService> {
    const service = buildRecommender({ kafka: this.kafka, codec: this.codec, logger: silentLogger(), registry }, { ...config, transactionalId: `${config.groupId}-${id}` });
    await service.start();
    return service;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}

export function uniqueGroup(prefix: string): string {
  return uniqueName(`kcost-${prefix}`);
}

/** Every committed record of a topic, tombstones included, decoded as it arrives. */
export class Reader<T> {
  readonly records: Array<{ key: string; value: T | null }> = [];
  private constructor(private readonly consumer: Consumer) {}

  static async open<N extends 'Recommendation' | 'DeadLetter'>(pipeline: Pipeline, topic: string, schema: N): Promise<Reader<N extends 'Recommendation' ? Recommendation : DeadLetter>> {
    const consumer = pipeline.kafka.consumer({ groupId: `test-reader-${randomUUID()}`, readUncommitted: false });
    const reader = new Reader<N extends 'Recommendation' ? Recommendation : DeadLetter>(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value === null ? null : ((await pipeline.codec.decodeAs(schema, message.value)) as N extends 'Recommendation' ? Recommendation : DeadLetter);
        reader.records.push({ key: message.key?.toString() ?? '', value });
      },
    });
    return reader;
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Recommendations in a stable order (by key, then event time), for comparing runs whose partitions interleave differently. */
export function inOrder(records: ReadonlyArray<{ key: string; value: Recommendation | null }>): Array<{ key: string; value: Recommendation | null }> {
  return [...records].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : (a.value?.generatedAt ?? 0) - (b.value?.generatedAt ?? 0)));
}

/** Every number in a record, with its path. */
export function numbersIn(value: unknown, path = ''): Array<[string, number]> {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbersIn(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => numbersIn(v, path ? `${path}.${k}` : k));
  return [];
}
