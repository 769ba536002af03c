import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Codec } from '../codec/codec.js';
import type { CostAnomaly, KubeObject, NodeCost, PodCost, Recommendation } from '../codec/records.generated.js';
import { BatchConsumer, type ConsumedBatch, type ConsumedRecord } from '../kafka/batch-consumer.js';
import type { DeadLetterPublisher } from '../kafka/dead-letter.js';
import type { ConsumerMetrics } from '../kafka/kafka-metrics.js';
import type { ServingSecurity } from '../lifecycle/http-listener.js';
import { scrapeAuthorizer } from '../lifecycle/scrape-auth.js';
import type { TlsFiles } from '../lifecycle/tls-files.js';
import type { Logger } from '../log/logger.js';
import { CostStore, type ApplyOutcome } from './cost-store.js';
import { createExporterMetrics } from './exporter-metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { findStartPositions, replayTimestamp, servableFrom, type PartitionStart, type ReplayFrom } from './start-positions.js';

export interface ExporterConfig {
  /** Consumer group; one per exporter process, since every replica must read every partition. */
  readonly groupId: string;
  /** Topics of PodCost, NodeCost and CostAnomaly records; an empty name skips that topic. */
  readonly costsTopic: string;
  readonly nodeCostsTopic: string;
  readonly anomaliesTopic: string;
  /** Topic of KubeObject records, read from its beginning for namespace budget labels; empty or absent to skip. */
  readonly kubeTopic?: string;
  /** Topic of Recommendation records (compacted), read from its beginning for the right-sizing series; empty or absent to skip. */
  readonly recommendationsTopic?: string;
  readonly replayFrom: ReplayFrom;
  readonly graceMillis: number;
  readonly port: number;
  readonly host?: string;
  /** Bearer token /metrics requires; empty for none. */
  readonly token: string;
  /** Basic-auth credentials /metrics also accepts (Prometheus's basic_auth). */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** Serve HTTPS with these files, reloaded when they change. */
  readonly tls?: TlsFiles;
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
  /** Consuming, caught up with the end of every partition as it was at start, and serving every cluster's latest complete window. */
  isReady(): boolean;
}

type Apply = (consumed: ConsumedRecord) => ApplyOutcome;
/** What a tombstone (a null value) does on a topic; absent for topics that carry none. */
type Retire = (key: string) => ApplyOutcome;

/** A record of a batch, or a tombstone (a null value) with the key it retires. */
type BatchEvent = { readonly consumed: ConsumedRecord } | { readonly retiredKey: string | null };

/** A batch's records and tombstones merged back into offset order, as the topic holds them. */
function inOffsetOrder(batch: ConsumedBatch): BatchEvent[] {
  const events: Array<{ offset: bigint; event: BatchEvent }> = [
    ...batch.records.map((consumed) => ({ offset: BigInt(consumed.offset), event: { consumed } })),
    ...batch.tombstones.map((t) => ({ offset: BigInt(t.offset), event: { retiredKey: t.key } })),
  ];
  events.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  return events.map((e) => e.event);
}

/**
 * Wires Kafka to the cost store and the store to HTTP. The store lives in
 * memory, so committed offsets are of no use across restarts: each process
 * reads in a group of its own from the --replay-from position it looks up
 * at start (seeking on its first assignment), and deletes its group on a
 * clean stop.
 *
 * Completeness checks: whenever a window newer than the last check's has
 * been read, the exporter notes the newest window of each cluster, looks up
 * the end offsets of the cost topics, and once it has read every partition
 * up to them, serves each cluster's newest window before the noted one (see
 * WindowBook). It is ready once it caught up with the ends it found at start
 * and one check after that succeeded, so a restarted exporter serves the
 * window in progress whole or not at all.
 */
export function buildExporter(deps: ExporterDeps, config: ExporterConfig): Exporter {
  const now = deps.now ?? Date.now;
  const logger = deps.logger;
  const replayFromMillis = replayTimestamp(config.replayFrom, now());
  const store = new CostStore({ graceMillis: config.graceMillis, now, servableFromMillis: servableFrom(replayFromMillis) });
  const appliers = new Map<string, { apply: Apply; retire?: Retire }>();
  type Schema = 'PodCost' | 'NodeCost' | 'CostAnomaly' | 'KubeObject' | 'Recommendation';
  const topics: Array<{ topic: string; schema: Schema }> = [];
  const add = (topic: string, schema: Schema, apply: Apply, retire?: Retire) => {
    if (topic === '') return;
    topics.push({ topic, schema });
    appliers.set(topic, retire ? { apply, retire } : { apply });
  };
  add(config.costsTopic, 'PodCost', (c) => store.applyPodCost(c.record.value as PodCost, c.timestamp));
  add(config.nodeCostsTopic, 'NodeCost', (c) => store.applyNodeCost(c.record.value as NodeCost, c.timestamp));
  add(config.anomaliesTopic, 'CostAnomaly', (c) => store.applyAnomaly(c.record.value as CostAnomaly));
  add(config.kubeTopic ?? '', 'KubeObject', (c) => store.applyKubeObject(c.record.value as KubeObject));
  add(
    config.recommendationsTopic ?? '',
    'Recommendation',
    (c) => store.applyRecommendation(c.key, c.record.value as Recommendation),
    (key) => store.retireRecommendation(key),
  );

  let consumer: BatchConsumer | undefined;
  let server: MetricsServer | undefined;
  let admin: Admin | undefined;
  let joined = false;
  let stopped = false;
  /** Next offset to read, by topic/partition. */
  const positions = new Map<string, bigint>();
  /** The check in flight: the ends to reach, and the windows to seal then (none for the catch-up at start). */
  let check: { ends: Map<string, bigint>; targets: Map<string, number> | undefined } | undefined;
  let lookingUp = false;
  let checksDone = 0;
  /** A lookup failed after its targets were taken: the retry must run even with no newer window. */
  let retrying = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const windowTopics = [config.costsTopic, config.nodeCostsTopic].filter((t) => t !== '');
  const isReady = (): boolean => joined && checksDone >= 2 && (consumer?.isRunning ?? false);
  const metrics = createExporterMetrics(deps.registry, { isUp: () => consumer?.isRunning ?? false, sizes: () => store.sizes() });

  const completeCheck = (): void => {
    if (!check || lookingUp) return;
    for (const [key, end] of check.ends) if ((positions.get(key) ?? 0n) < end) return;
    if (check.targets) store.seal(check.targets);
    check = undefined;
    checksDone++;
    if (checksDone === 1) logger.info('caught up with every partition');
    if (checksDone === 2) logger.info('serving the latest complete window of every cluster');
    startCheck();
  };

  // The first check after the catch-up runs whatever was read: it is what makes the exporter ready.
  const startCheck = (): void => {
    if (check || lookingUp || stopped || !admin || (checksDone >= 2 && !retrying && !store.hasUnsealed())) return;
    lookingUp = true;
    retrying = false;
    const targets = store.sealTargets();
    const client = admin;
    void (async () => {
      try {
        const ends = new Map<string, bigint>();
        for (const topic of windowTopics) for (const p of await client.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
        check = { ends, targets };
      } catch (error) {
        if (!stopped) {
          retrying = true;
          logger.warn({ err: error }, 'could not look up the end offsets of the cost topics; retrying');
          retryTimer = setTimeout(startCheck, 1000);
        }
      } finally {
        lookingUp = false;
      }
      completeCheck();
    })();
  };

  const handle = async (batch: ConsumedBatch): Promise<void> => {
    const applier = appliers.get(batch.topic);
    if (!applier) throw new Error(`the exporter does not read topic ${batch.topic}`);
    const counts: Record<ApplyOutcome, number> = { applied: 0, duplicate: 0, invalid: 0, ignored: 0 };
    // On a compacted topic a tombstone retires what the versions before it set, and only those: offset order matters.
    const events: BatchEvent[] = applier.retire ? inOffsetOrder(batch) : batch.records.map((consumed) => ({ consumed }));
    for (const event of events) {
      if (!('consumed' in event)) {
        if (applier.retire && event.retiredKey !== null) counts[applier.retire(event.retiredKey)]++;
        continue;
      }
      const outcome = applier.apply(event.consumed);
      counts[outcome]++;
      if (outcome === 'invalid') logger.warn({ topic: batch.topic, partition: batch.partition, offset: event.consumed.offset }, 'skipped a record with no usable window, cost, budget or advice');
    }
    for (const [outcome, count] of Object.entries(counts)) if (count > 0) metrics.records.inc({ topic: batch.topic, outcome }, count);
    const dropped = store.expire();
    if (dropped.clusters + dropped.containers + dropped.anomalies > 0) logger.debug(dropped, 'dropped stale series');
  };

  // From kafkajs's batch events rather than the handler: they also come for batches that hold
  // only transaction markers or aborted records, which never reach the handler.
  const onBatchDone = (event: unknown) => {
    const batch = (event as { payload?: { topic: string; partition: number; lastOffset: string; offsetLag: string } }).payload;
    if (!batch) return;
    metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag));
    positions.set(`${batch.topic}/${batch.partition}`, BigInt(batch.lastOffset) + 1n);
    completeCheck();
    startCheck();
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
      admin = deps.kafka.admin();
      await admin.connect();
      const compacted = (t: { schema: Schema }) => t.schema === 'KubeObject' || t.schema === 'Recommendation';
      const costTopics = topics.filter((t) => !compacted(t)).map((t) => t.topic);
      const stateTopics = topics.filter(compacted).map((t) => t.topic);
      // Compacted state is read whole whatever --replay-from says: a namespace labelled last month still has its budget, advice made last week still stands.
      const starts: PartitionStart[] = [...(await findStartPositions(admin, costTopics, replayFromMillis)), ...(await findStartPositions(admin, stateTopics, 0))];
      const ends = new Map<string, bigint>();
      for (const start of starts) {
        const key = `${start.topic}/${start.partition}`;
        positions.set(key, BigInt(start.startOffset ?? start.endOffset));
        ends.set(key, BigInt(start.endOffset));
      }
      check = { ends, targets: undefined };
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
        security: exporterSecurity(config, logger),
      });
      await consumer.start();
      logger.info({ topics: topics.map((t) => t.topic), group: config.groupId, port: server.port, replayFrom: new Date(replayFromMillis).toISOString() }, 'exporter started');
      completeCheck();
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await consumer?.stop();
      await server?.close();
      if (!admin) return;
      // The group existed only for this process; leaving it behind would only clutter the broker.
      try {
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

/** TLS and /metrics credentials of the exporter's port: the bearer token and basic auth, either accepted. */
function exporterSecurity(config: ExporterConfig, logger: Logger): ServingSecurity {
  const authorize = scrapeAuthorizer({ ...(config.token === '' ? {} : { bearerToken: config.token }), ...(config.basicAuth ? { basic: config.basicAuth } : {}) });
  return { ...(config.tls ? { tls: config.tls } : {}), ...(authorize ? { authorize } : {}), logger };
}
