import { createProducer } from '../kafka/kafka-client.js';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Codec } from '../codec/codec.js';
import { BatchingProducer } from '../kafka/batching-producer.js';
import { DeadLetterPublisher } from '../kafka/dead-letter.js';
import { createConsumerMetrics } from '../kafka/kafka-metrics.js';
import type { Logger } from '../log/logger.js';
import type { AllocationBases } from './allocation.js';
import type { AnomalyOptions } from './anomaly-scorer.js';
import { ClusterState } from './cluster-state.js';
import { PriceHistory } from './price-history.js';
import { createProcessorMetrics } from './processor-metrics.js';
import { StateFollower } from './state-follower.js';
import { UsagePipeline } from './usage-pipeline.js';

/** Options of the cost processor (see processor-settings.ts for their meaning and defaults). */
export interface ProcessorConfig {
  readonly groupId: string;
  readonly transactionalId: string;
  readonly allowedLatenessMillis: number;
  readonly stateRetentionMillis: number;
  readonly bases: AllocationBases;
  readonly anomaly: AnomalyOptions;
  readonly topics: {
    readonly kube: string;
    readonly prices: string;
    readonly usage: string;
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
 * topics (read in full by every instance) and the transactional usage
 * pipeline, which only starts once the state is rebuilt.
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
  });
  let fail: (error: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  // A failure nobody awaits must not crash the process as an unhandled rejection.
  failure.catch(() => undefined);
  const pipeline = new UsagePipeline({
    kafka: deps.kafka,
    codec: deps.codec,
    logger: deps.logger,
    metrics,
    state,
    prices,
    groupId: config.groupId,
    transactionalId: config.transactionalId,
    topics: config.topics,
    allowedLatenessMillis: config.allowedLatenessMillis,
    stateRetentionMillis: config.stateRetentionMillis,
    bases: config.bases,
    anomaly: config.anomaly,
    onFatal: (error) => fail(error),
    ...(deps.now ? { now: deps.now } : {}),
  });
  let started = false;
  return {
    async start() {
      await plainProducer.connect();
      await follower.start();
      await follower.caughtUp();
      await pipeline.start();
      started = true;
      deps.logger.info({ groupId: config.groupId, topics: config.topics }, 'cost processor started');
    },
    async stop() {
      await pipeline.stop();
      await follower.stop();
      await plainProducer.disconnect();
    },
    get ready() {
      return started && follower.ready && pipeline.isRunning;
    },
    failure,
  };
}
