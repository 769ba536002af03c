import { createProducer } from '../kafka/kafka-client.js';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Codec } from '../codec/codec.js';
import { KcostError } from '../errors/kcost-error.js';
import { BatchingProducer } from '../kafka/batching-producer.js';
import { DeadLetterPublisher } from '../kafka/dead-letter.js';
import { createConsumerMetrics } from '../kafka/kafka-metrics.js';
import { sinceProcessStart, TransactionalStage, type StageHandler } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import type { AllocationBases } from './allocation.js';
import type { AnomalyOptions } from './anomaly-options.js';
import { ClusterState } from './cluster-state.js';
import { NODE_WINDOW_RECORDS, SAMPLE_RECORDS } from './direct-usage-formats.js';
import { PriceHistory } from './price-history.js';
import { DEFAULT_FUTURE_SKEW_MILLIS, DEFAULT_IDLE_SOURCE_AFTER_MILLIS } from './processor-defaults.js';
import { createProcessorMetrics } from './processor-metrics.js';
import { provisionInternalTopics, type InternalTopics } from './internal-topics.js';
import { PricingStage } from './pricing-stage.js';
import { RoutingStage } from './routing-stage.js';
import { ScoringStage } from './scoring-stage.js';
import { StateFollower } from './state-follower.js';

/** Options of the cost processor (see processor-settings.ts for their meaning and defaults). */
export interface ProcessorConfig {
  readonly groupId: string;
  readonly transactionalId: string;
  readonly allowedLatenessMillis: number;
  /** How long a usage partition read to its end stays quiet before windows stop waiting for it (default DEFAULT_IDLE_SOURCE_AFTER_MILLIS). */
  readonly idleSourceAfterMillis?: number;
  /** How far past this instance's clock an input record's times may be (default DEFAULT_FUTURE_SKEW_MILLIS). */
  readonly futureSkewMillis?: number;
  readonly stateRetentionMillis: number;
  readonly bases: AllocationBases;
  readonly anomaly: AnomalyOptions;
  readonly topics: {
    readonly kube: string;
    readonly prices: string;
    readonly usage: string;
    /**
     * The by-node usage topic (kcost.usage.bynode.v1), priced directly beside
     * what the router copies from `usage`; absent, empty, or a topic that does
     * not exist when the processor starts: not read.
     */
    readonly usageByNode?: string;
    /** The node-window usage topic (kcost.usage.nodewindow.v1, NodeUsage records), read as `usageByNode` is and on the same terms. */
    readonly usageNodeWindow?: string;
    readonly costs: string;
    readonly nodeCosts: string;
    readonly anomalies: string;
    readonly deadLetter: string;
  };
}

export interface ProcessorDeps {
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly now?: () => number;
}

/** A running cost processor. */
export interface Processor {
  /** Rebuilds state from the kube and prices topics, then starts pricing usage. */
  start(): Promise<void>;
  /** Stops consuming and closes every connection. */
  stop(): Promise<void>;
  /** True once the state is rebuilt and usage is being consumed. */
  readonly ready: boolean;
  /** Rejects if the processor failed and must be restarted (it resumes from committed offsets). */
  readonly failure: Promise<never>;
}

/**
 * Wires the cost processor: a state follower over the kube and prices
 * topics (read in full by every instance), then three transactional stages,
 * each a consumer group of its own, started once the state is rebuilt:
 *
 * 1. routing (group `<groupId>`): kcost.usage.v1, keyed by pod, is copied to
 *    `<groupId>.usage-by-node`, keyed by node;
 * 2. pricing (group `<groupId>.price`): reads that and kcost.usage.bynode.v1,
 *    which producers key by node already, partition p of both in one
 *    instance; windows of whole nodes are priced
 *    into PodCost and NodeCost, and each window's cost per workload goes to
 *    `<groupId>.cost-rates`, keyed by namespace;
 * 3. scoring (group `<groupId>.score`): hourly workload and namespace rates
 *    are scored into CostAnomaly records.
 *
 * So any number of instances share the work, and a node's cost is still
 * conserved over all of its pods and each workload scored on all of its cost.
 */
export function buildProcessor(deps: ProcessorDeps, config: ProcessorConfig): Processor {
  const state = new ClusterState();
  const prices = new PriceHistory();
  const consumerMetrics = createConsumerMetrics(deps.registry);
  const metrics = createProcessorMetrics(deps.registry);
  const plainProducer = createProducer(deps.kafka);
  const deadLetters = new DeadLetterPublisher({
    producer: new BatchingProducer({ producer: plainProducer, codec: deps.codec, logger: deps.logger }),
    service: 'process',
    counter: consumerMetrics.deadLetters,
    logger: deps.logger,
    topic: config.topics.deadLetter,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const follower = new StateFollower({
    kafka: deps.kafka,
    codec: deps.codec,
    logger: deps.logger,
    metrics: consumerMetrics,
    deadLetters,
    kubeTopic: config.topics.kube,
    pricesTopic: config.topics.prices,
    groupPrefix: config.groupId,
    state,
    prices,
    futureSkewMillis: config.futureSkewMillis ?? DEFAULT_FUTURE_SKEW_MILLIS,
    ...(deps.now ? { now: deps.now } : {}),
  });
  let fail: (error: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  // A failure nobody awaits must not crash the process as an unhandled rejection.
  failure.catch(() => undefined);
  const onFatal = (error: unknown) => fail(error);
  const now = deps.now ? { now: deps.now } : {};
  const common = { codec: deps.codec, logger: deps.logger, metrics };
  /** Runs a stage in the group `<groupId><suffix>` under the transactional id `<transactionalId><suffix>`. */
  const run = (suffix: string, handler: StageHandler, handlerReady: Promise<unknown>) =>
    new TransactionalStage({ kafka: deps.kafka, logger: deps.logger, groupId: `${config.groupId}${suffix}`, transactionalId: `${config.transactionalId}${suffix}`, onFatal, handlerReady }, handler);
  const buildStages = (internal: InternalTopics, stateRebuilt: Promise<unknown>) => [
    run('.score', new ScoringStage({ ...common, ...now, kafka: deps.kafka, internal, anomaliesTopic: config.topics.anomalies, deadLetterTopic: config.topics.deadLetter, anomaly: config.anomaly }), stateRebuilt),
    run(
      '.price',
      new PricingStage({
        ...common,
        ...now,
        internal,
        state,
        prices,
        topics: config.topics,
        allowedLatenessMillis: config.allowedLatenessMillis,
        stateRetentionMillis: config.stateRetentionMillis,
        bases: config.bases,
        direct: (internal.nodeKeyedUsageTopics ?? []).map((topic) => ({
          topic,
          format: topic === config.topics.usageNodeWindow ? NODE_WINDOW_RECORDS : SAMPLE_RECORDS,
          idleSourceAfterMillis: config.idleSourceAfterMillis ?? DEFAULT_IDLE_SOURCE_AFTER_MILLIS,
          futureSkewMillis: config.futureSkewMillis ?? DEFAULT_FUTURE_SKEW_MILLIS,
          endOffsets: () => partitionEnds(deps.kafka, topic),
        })),
      }),
      stateRebuilt,
    ),
    run(
      '',
      new RoutingStage({
        ...common,
        ...now,
        internal,
        state,
        usageTopic: config.topics.usage,
        deadLetterTopic: config.topics.deadLetter,
        idleSourceAfterMillis: config.idleSourceAfterMillis ?? DEFAULT_IDLE_SOURCE_AFTER_MILLIS,
        futureSkewMillis: config.futureSkewMillis ?? DEFAULT_FUTURE_SKEW_MILLIS,
        endOffsets: () => partitionEnds(deps.kafka, config.topics.usage),
      }),
      stateRebuilt,
    ),
  ];
  let stages: TransactionalStage[] = [];
  let started = false;
  return {
    async start() {
      const nodeKeyed = [config.topics.usageByNode ?? '', config.topics.usageNodeWindow ?? ''].filter((t) => t !== '');
      if (new Set(nodeKeyed).size !== nodeKeyed.length) throw new KcostError('INVALID_CONFIG', `the by-node and node-window usage topics must differ; both are ${nodeKeyed[0]}`);
      deps.logger.info({ msSinceProcessStart: sinceProcessStart() }, 'cost processor starting');
      await plainProducer.connect();
      // The stages connect and join their groups while the state is rebuilt, all at once rather than one
      // after the other (each join is a few round trips and a rebalance); none handles a batch, nor sends
      // an idle mark, before the state is read in full, so no sample is routed or priced without it.
      const stateRebuilt = (async () => {
        await follower.start();
        await follower.caughtUp();
        deps.logger.info({ msSinceProcessStart: sinceProcessStart() }, 'cost processor state rebuilt');
      })();
      // Awaited below; until then a failure must not surface as an unhandled rejection.
      stateRebuilt.catch(() => undefined);
      const admin = deps.kafka.admin();
      await admin.connect();
      let internal: InternalTopics;
      try {
        internal = await provisionInternalTopics(admin, config.groupId, config.topics.usage, nodeKeyed);
      } finally {
        await admin.disconnect();
      }
      stages = buildStages(internal, stateRebuilt);
      await Promise.all([stateRebuilt, ...stages.map((stage) => stage.start())]);
      started = true;
      for (const topic of nodeKeyed.filter((t) => !(internal.nodeKeyedUsageTopics ?? []).includes(t))) {
        deps.logger.warn({ topic }, 'a usage topic keyed by node does not exist, so it is not read until a restart; create it with kcost topics');
      }
      deps.logger.info({ msSinceProcessStart: sinceProcessStart(), groupId: config.groupId, topics: config.topics, internal }, 'cost processor started');
    },
    async stop() {
      // Each stage commits the batch in hand before it stops. All together: a stage with nothing to read stops only
      // once its fetch's long poll (up to 5 s) returns, and one after the other those waits added up past the
      // shutdown timeout (20 s) with four stages.
      await Promise.all(stages.map((stage) => stage.stop()));
      await follower.stop();
      await plainProducer.disconnect();
    },
    get ready() {
      return started && follower.ready && stages.every((stage) => stage.isRunning);
    },
    failure,
  };
}

/** Low and high watermarks of every partition of a topic. */
async function partitionEnds(kafka: Kafka, topic: string): Promise<Map<number, { low: bigint; high: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
  } finally {
    await admin.disconnect();
  }
}
