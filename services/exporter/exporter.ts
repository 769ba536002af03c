import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Codec } from '../codec/codec.js';
import type { CostAnomaly, KubeObject, NodeCost, PodCost } from '../codec/records.generated.js';
import { BatchConsumer, type ConsumedBatch } from '../kafka/batch-consumer.js';
import type { DeadLetterPublisher } from '../kafka/dead-letter.js';
import type { ConsumerMetrics } from '../kafka/kafka-metrics.js';
import type { Logger } from '../log/logger.js';
import { CostStore, type ApplyOutcome } from './cost-store.js';
import { createExporterMetrics } from './exporter-metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { findStartPositions, replayTimestamp, type PartitionStart, type ReplayFrom } from './start-positions.js';

export interface ExporterConfig {
  /** Consumer group; one per exporter process, since every replica must read every partition. */
  readonly groupId: string;
  /** Topics of PodCost, NodeCost and CostAnomaly records; an empty name skips that topic. */
  readonly costsTopic: string;
  readonly nodeCostsTopic: string;
  readonly anomaliesTopic: string;
  /** Topic of KubeObject records, read from its beginning for namespace budget labels; empty or absent to skip. */
  readonly kubeTopic?: string;
  readonly replayFrom: ReplayFrom;
  readonly graceMillis: number;
  readonly port: number;
  readonly host?: string;
  /** Bearer token /metrics requires; empty for none. */
  readonly token: string;
}

export interface ExporterDeps {
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly deadLetters: DeadLetterPublisher;
  readonly consumerMetrics: ConsumerMetrics;
  /** Registry of the process's own metrics, served after the kube_cost_* series. */
  readonly registry: Registry;
  readonly logger: Logger;
  /** Clock for the grace period and the replay start; Date.now unless a test injects one. */
  readonly now?: () => number;
}

/** A running exporter: start() positions the consumer, joins and listens; stop() leaves and closes. */
export interface Exporter {
  readonly store: CostStore;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Port /metrics listens on, once started. */
  port(): number;
  /** Consuming, and caught up with the end of every partition as it was at start. */
  isReady(): boolean;
}

type Apply = (record: unknown) => ApplyOutcome;

/**
 * Wires Kafka to the cost store and the store to HTTP. The store lives in
 * memory, so committed offsets are of no use across restarts: each process
 * reads in a group of its own from the --replay-from position it looks up
 * at start (seeking on its first assignment), and deletes its group on a
 * clean stop.
 */
export function buildExporter(deps: ExporterDeps, config: ExporterConfig): Exporter {
  const now = deps.now ?? Date.now;
  const logger = deps.logger;
  const store = new CostStore({ graceMillis: config.graceMillis, now });
  const appliers = new Map<string, Apply>();
  type Schema = 'PodCost' | 'NodeCost' | 'CostAnomaly' | 'KubeObject';
  const topics: Array<{ topic: string; schema: Schema }> = [];
  const add = (topic: string, schema: Schema, apply: Apply) => {
    if (topic === '') return;
    topics.push({ topic, schema });
    appliers.set(topic, apply);
  };
  add(config.costsTopic, 'PodCost', (r) => store.applyPodCost(r as PodCost));
  add(config.nodeCostsTopic, 'NodeCost', (r) => store.applyNodeCost(r as NodeCost));
  add(config.anomaliesTopic, 'CostAnomaly', (r) => store.applyAnomaly(r as CostAnomaly));
  add(config.kubeTopic ?? '', 'KubeObject', (r) => store.applyKubeObject(r as KubeObject));

  let consumer: BatchConsumer | undefined;
  let server: MetricsServer | undefined;
  let joined = false;
  /** Partitions still short of the end they had at start, by topic/partition, with that end. */
  const catchingUp = new Map<string, bigint>();
  const isReady = (): boolean => joined && catchingUp.size === 0 && (consumer?.isRunning ?? false);
  const metrics = createExporterMetrics(deps.registry, { isUp: () => consumer?.isRunning ?? false, sizes: () => store.sizes() });

  const handle = async (batch: ConsumedBatch): Promise<void> => {
    const apply = appliers.get(batch.topic);
    if (!apply) throw new Error(`the exporter does not read topic ${batch.topic}`);
    const counts: Record<ApplyOutcome, number> = { applied: 0, duplicate: 0, invalid: 0, ignored: 0 };
    for (const consumed of batch.records) {
      const outcome = apply(consumed.record.value);
      counts[outcome]++;
      if (outcome === 'invalid') logger.warn({ topic: batch.topic, partition: batch.partition, offset: consumed.offset }, 'skipped a record with no usable window, cost or budget');
    }
    for (const [outcome, count] of Object.entries(counts)) if (count > 0) metrics.records.inc({ topic: batch.topic, outcome }, count);
    const dropped = store.expire();
    if (dropped.pods + dropped.nodes + dropped.anomalies > 0) logger.debug(dropped, 'dropped stale series');
  };

  // From kafkajs's batch events rather than the handler: they also come for batches that hold
  // only transaction markers or aborted records, which never reach the handler.
  const onBatchDone = (event: unknown) => {
    const batch = (event as { payload?: { topic: string; partition: number; lastOffset: string; offsetLag: string } }).payload;
    if (!batch) return;
    metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag));
    const key = `${batch.topic}/${batch.partition}`;
    const end = catchingUp.get(key);
    if (end !== undefined && BigInt(batch.lastOffset) + 1n >= end) {
      catchingUp.delete(key);
      if (catchingUp.size === 0) logger.info('caught up with every partition');
    }
  };

  const seekToStart = (starts: readonly PartitionStart[]) => (event: unknown) => {
    if (joined) return; // later rebalances resume from the committed offsets
    joined = true;
    const assignment = (event as { payload?: { memberAssignment?: Record<string, number[]> } }).payload?.memberAssignment ?? {};
    let seeks = 0;
    for (const start of starts) {
      if (start.startOffset === null || !assignment[start.topic]?.includes(start.partition)) continue;
      consumer?.seek(start.topic, start.partition, start.startOffset);
      seeks++;
    }
    logger.info({ assignment, seeks }, 'joined the group; reading from the replay position');
  };

  return {
    store,
    async start() {
      if (topics.length === 0) throw new Error('the exporter has no topic to read');
      const admin = deps.kafka.admin();
      await admin.connect();
      let starts: PartitionStart[];
      try {
        const costTopics = topics.filter((t) => t.schema !== 'KubeObject').map((t) => t.topic);
        const kubeTopics = topics.filter((t) => t.schema === 'KubeObject').map((t) => t.topic);
        // Compacted state is read whole whatever --replay-from says: a namespace labelled last month still has its budget.
        starts = [...(await findStartPositions(admin, costTopics, replayTimestamp(config.replayFrom, now()))), ...(await findStartPositions(admin, kubeTopics, 0))];
      } finally {
        await admin.disconnect();
      }
      for (const start of starts) {
        if (start.startOffset !== null && BigInt(start.startOffset) < BigInt(start.endOffset)) catchingUp.set(`${start.topic}/${start.partition}`, BigInt(start.endOffset));
      }
      consumer = new BatchConsumer({
        kafka: deps.kafka,
        groupId: config.groupId,
        service: 'export',
        topics,
        codec: deps.codec,
        deadLetters: deps.deadLetters,
        metrics: deps.consumerMetrics,
        logger,
        handler: handle,
        fromBeginning: false,
      });
      consumer.onEvent(consumer.events.GROUP_JOIN, seekToStart(starts));
      consumer.onEvent(consumer.events.END_BATCH_PROCESS, onBatchDone);
      server = await startMetricsServer({
        port: config.port,
        ...(config.host === undefined ? {} : { host: config.host }),
        renderSeries: () => store.renderChunks(),
        registry: deps.registry,
        isReady,
        ...(config.token === '' ? {} : { token: config.token }),
      });
      await consumer.start();
      logger.info({ topics: topics.map((t) => t.topic), group: config.groupId, port: server.port, partitionsToCatchUp: catchingUp.size }, 'exporter started');
    },
    async stop() {
      await consumer?.stop();
      await server?.close();
      // The group existed only for this process; leaving it behind would only clutter the broker.
      const admin = deps.kafka.admin();
      try {
        await admin.connect();
        await admin.deleteGroups([config.groupId]);
      } catch (error) {
        logger.debug({ err: error, group: config.groupId }, 'could not delete the consumer group; the broker expires it');
      } finally {
        await admin.disconnect();
      }
    },
    port: () => server?.port ?? 0,
    isReady,
  };
}
