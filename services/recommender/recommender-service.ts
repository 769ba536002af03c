import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Codec } from '../codec/codec.js';
import { BatchingProducer } from '../kafka/batching-producer.js';
import { DeadLetterPublisher } from '../kafka/dead-letter.js';
import { createProducer } from '../kafka/kafka-client.js';
import { createConsumerMetrics } from '../kafka/kafka-metrics.js';
import { TransactionalStage, type StageHandler } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import { CostRoutingStage } from './cost-routing-stage.js';
import { provisionRecommenderTopics, type RecommenderTopics } from './internal-topics.js';
import { OomRoutingStage } from './oom-routing-stage.js';
import type { ModelOptions } from './partition-model.js';
import { PodTableFollower } from './pod-table-follower.js';
import { createRecommendMetrics } from './recommend-metrics.js';
import { RecommendStage } from './recommend-stage.js';
import { PriceHistory } from '../processor/price-history.js';
import { AbandonedResourcesStage } from './abandoned-resources-stage.js';
import { AbandonedStateFollower } from './abandoned-state-follower.js';
import { ContainerAdviceTable } from './idle-workloads.js';
import { NodeOccupancy } from './node-occupancy.js';
import { VolumeTable } from './volume-table.js';
import { WorkloadPods } from './workload-pods.js';

/** Options of `kcost recommend` (see recommend-settings.ts for their meaning and defaults). */
export interface RecommenderConfig {
  readonly groupId: string;
  readonly transactionalId: string;
  /** The lanes come from the costs topic's partition count, found at start. */
  readonly model: Omit<ModelOptions, 'lanes'>;
  readonly idleSourceAfterMillis: number;
  readonly podRetentionMillis: number;
  /** Orphaned volumes: how long no running pod may have mounted a claim before it is advice. */
  readonly orphanedVolumeAfterMillis: number;
  /** DaemonSet-only nodes: how long a node may run only DaemonSet and static pods before it is advice. */
  readonly daemonSetOnlyNodeAfterMillis: number;
  readonly topics: {
    readonly kube: string;
    /** Storage and node prices for orphaned volumes and DaemonSet-only nodes. */
    readonly prices: string;
    readonly costs: string;
    readonly recommendations: string;
    readonly deadLetter: string;
  };
}

export interface RecommenderDeps {
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly now?: () => number;
}

/** A running recommender. */
export interface RecommenderService {
  /** Rebuilds the pod table, then starts the stages. */
  start(): Promise<void>;
  /** Stops consuming (each stage commits the batch in hand) and closes every connection. */
  stop(): Promise<void>;
  readonly ready: boolean;
  /** Rejects if a stage failed and the process must restart (it resumes from committed offsets and the changelog). */
  readonly failure: Promise<never>;
}

/**
 * Wires the recommender: a pod table over kcost.kube.v1 (read in full by
 * every instance), then three transactional stages, each a consumer group:
 *
 * 1. cost routing (group `<groupId>`): kcost.costs.v1, keyed by pod, is
 *    copied to `<groupId>.by-container`, keyed by workload container;
 * 1b. OOM routing (group `<groupId>.kube`): the OOM kills pod states report
 *    go to the same topic and key;
 * 2. recommend (group `<groupId>.recommend`): the models, the
 *    recommendations and the `<groupId>.history` changelog;
 * 3. abandoned resources (group `<groupId>.abandoned`, over kcost.kube.v1):
 *    claims no running pod mounted for --orphaned-volume-after and nodes that
 *    ran only DaemonSet pods for --daemonset-only-node-after, from tables and
 *    a price history every instance reads in full; and workloads whose every
 *    container's right-sizing record shows it idle.
 */
export function buildRecommender(deps: RecommenderDeps, config: RecommenderConfig): RecommenderService {
  const pods = new WorkloadPods();
  const consumerMetrics = createConsumerMetrics(deps.registry);
  const metrics = createRecommendMetrics(deps.registry);
  const plainProducer = createProducer(deps.kafka);
  const now = deps.now ? { now: deps.now } : {};
  const follower = new PodTableFollower({
    kafka: deps.kafka,
    codec: deps.codec,
    logger: deps.logger,
    metrics: consumerMetrics,
    deadLetters: new DeadLetterPublisher({
      producer: new BatchingProducer({ producer: plainProducer, codec: deps.codec, logger: deps.logger }),
      service: 'recommend',
      counter: consumerMetrics.deadLetters,
      logger: deps.logger,
      topic: config.topics.deadLetter,
      ...now,
    }),
    kubeTopic: config.topics.kube,
    groupPrefix: config.groupId,
    pods,
    retentionMillis: config.podRetentionMillis,
  });
  const volumes = new VolumeTable();
  const nodes = new NodeOccupancy();
  const containers = new ContainerAdviceTable();
  const prices = new PriceHistory();
  const volumeFollower = new AbandonedStateFollower({
    kafka: deps.kafka,
    codec: deps.codec,
    logger: deps.logger,
    metrics: consumerMetrics,
    deadLetters: new DeadLetterPublisher({
      producer: new BatchingProducer({ producer: plainProducer, codec: deps.codec, logger: deps.logger }),
      service: 'recommend',
      counter: consumerMetrics.deadLetters,
      logger: deps.logger,
      topic: config.topics.deadLetter,
      ...now,
    }),
    kubeTopic: config.topics.kube,
    pricesTopic: config.topics.prices,
    recommendationsTopic: config.topics.recommendations,
    groupPrefix: config.groupId,
    volumes,
    nodes,
    containers,
    prices,
    retentionMillis: config.podRetentionMillis,
  });
  let fail: (error: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  // A failure nobody awaits must not crash the process as an unhandled rejection.
  failure.catch(() => undefined);
  const run = (suffix: string, handler: StageHandler) =>
    new TransactionalStage({ kafka: deps.kafka, logger: deps.logger, groupId: `${config.groupId}${suffix}`, transactionalId: `${config.transactionalId}${suffix}`, onFatal: (error) => fail(error) }, handler);
  const abandonedStage = (kubePartitions: number) =>
    run(
      '.abandoned',
      new AbandonedResourcesStage({
        codec: deps.codec,
        logger: deps.logger,
        metrics,
        kubeTopic: config.topics.kube,
        kubePartitions,
        recommendationsTopic: config.topics.recommendations,
        volumes,
        nodes,
        containers,
        prices,
        rules: { unmountedForMillis: config.orphanedVolumeAfterMillis, daemonSetsOnlyForMillis: config.daemonSetOnlyNodeAfterMillis },
        publishIntervalMillis: config.model.publishIntervalMillis,
      }),
    );
  const common = { codec: deps.codec, logger: deps.logger, metrics, deadLetterTopic: config.topics.deadLetter, ...now };
  const buildStages = (topics: RecommenderTopics) => [
    // Downstream first, so each stage is consuming before its input starts to flow.
    run(
      '.recommend',
      new RecommendStage({
        ...common,
        kafka: deps.kafka,
        topics,
        costsTopic: config.topics.costs,
        recommendationsTopic: config.topics.recommendations,
        model: config.model,
        lookup: (target, at) => pods.containerStateAt(target, at),
      }),
    ),
    run('.kube', new OomRoutingStage({ codec: deps.codec, logger: deps.logger, kubeTopic: config.topics.kube, topics })),
    run(
      '',
      new CostRoutingStage({
        ...common,
        costsTopic: config.topics.costs,
        topics,
        idleSourceAfterMillis: config.idleSourceAfterMillis,
        endOffsets: () => partitionEnds(deps.kafka, config.topics.costs),
      }),
    ),
  ];
  let stages: TransactionalStage[] = [];
  let started = false;
  return {
    async start() {
      await plainProducer.connect();
      await Promise.all([follower.start(), volumeFollower.start()]);
      await Promise.all([follower.caughtUp(), volumeFollower.caughtUp()]);
      const admin = deps.kafka.admin();
      await admin.connect();
      let topics: RecommenderTopics;
      let kubePartitions: number;
      try {
        topics = await provisionRecommenderTopics(admin, config.groupId, config.topics.costs);
        kubePartitions = (await admin.fetchTopicOffsets(config.topics.kube)).length;
      } finally {
        await admin.disconnect();
      }
      stages = [...buildStages(topics), abandonedStage(kubePartitions)];
      for (const stage of stages) await stage.start();
      started = true;
      deps.logger.info({ groupId: config.groupId, strategy: config.model.strategy.name, topics: config.topics, internal: topics }, 'recommender started');
    },
    async stop() {
      // Each stage commits the batch in hand before it stops. All together: a stage with nothing to read stops only
      // once its fetch's long poll (up to 5 s) returns, and one after the other those waits added up past the
      // shutdown timeout (20 s) with four stages.
      await Promise.all(stages.map((stage) => stage.stop()));
      await follower.stop();
      await volumeFollower.stop();
      await plainProducer.disconnect();
    },
    get ready() {
      return started && follower.ready && volumeFollower.ready && stages.every((stage) => stage.isRunning);
    },
    failure,
  };
}

async function partitionEnds(kafka: Kafka, topic: string): Promise<Map<number, { low: bigint; high: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
  } finally {
    await admin.disconnect();
  }
}
