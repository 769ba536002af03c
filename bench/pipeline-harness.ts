// What the ingest and freshness benchmarks share: a fresh migrated database,
// unique copies of the pipeline topics, and `kcost process` and `kcost sink`,
// either built in-process exactly as their roles wire them or run as the
// built CLI in processes of their own, as they are deployed.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { Registry } from 'prom-client';
import type { Codec } from '../services/codec/codec.js';
import { migrate } from '../services/db/migrations.js';
import { pgSqlClient } from '../services/db/sql-client.js';
import { BatchingProducer } from '../services/kafka/batching-producer.js';
import { DeadLetterPublisher } from '../services/kafka/dead-letter.js';
import { createProducer } from '../services/kafka/kafka-client.js';
import { createConsumerMetrics } from '../services/kafka/kafka-metrics.js';
import { provisionTopics } from '../services/kafka/provision-topics.js';
import { TOPICS } from '../services/kafka/topics.js';
import { silentLogger } from '../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../services/processor/anomaly-options.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../services/processor/processor.js';
import { buildSink } from '../services/sink/sink.js';
import { createSinkMetrics } from '../services/sink/sink-metrics.js';
import { startKcost, type KcostProcess } from './kcost-process.js';

/** The pipeline's topics, with the by-node and node-window usage topics the processor reads and producers may publish to. */
export type PipelineTopics = ProcessorConfig['topics'] & { readonly usageByNode: string; readonly usageNodeWindow: string };

/**
 * A fresh database on the server of `serverUrl`, migrated as `kcost migrate`
 * does (plain PostgreSQL). An idle connection the server terminates must not
 * crash a run: it is passed to `log` (the next query reports it anyway).
 */
export async function createBenchDatabase(
  serverUrl: string,
  prefix: string,
  options: { maxConnections?: number; log?: (line: string) => void } = {},
): Promise<{ pool: pg.Pool; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: options.maxConnections ?? 6 });
  pool.on('error', (error) => options.log?.(`an idle database connection failed: ${error.message}`));
  const client = await pool.connect();
  try {
    await migrate(pgSqlClient(client), { logger: silentLogger(), variant: 'postgres' });
  } finally {
    client.release();
  }
  return {
    pool,
    url: url.toString(),
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Unique copies of every pipeline topic, at their production partition counts. */
export async function createPipelineTopics(kafka: Kafka, prefix: string): Promise<{ topics: PipelineTopics; drop: () => Promise<void> }> {
  const suffix = randomUUID().slice(0, 8);
  const keys = ['kube', 'prices', 'usage', 'usageByNode', 'usageNodeWindow', 'costs', 'nodeCosts', 'anomalies', 'deadLetter'] as const;
  const topics = Object.fromEntries(keys.map((k) => [k, `${prefix}.${k}.${suffix}`])) as unknown as PipelineTopics;
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, keys.map((k) => ({ ...TOPICS[k], name: topics[k] })));
  return {
    topics,
    async drop() {
      // With the processor's internal topics, named after its group, which benchProcessor derives from these names.
      const all = (await admin.listTopics().catch(() => [] as string[])).filter((name) => name.includes(suffix));
      await admin.deleteTopics({ topics: [...new Set([...keys.map((k) => topics[k]), ...all])] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** A connected BatchingProducer; disconnect() when done. */
export async function benchProducer(kafka: Kafka, codec: Codec): Promise<{ producer: BatchingProducer; disconnect: () => Promise<void> }> {
  const raw = createProducer(kafka);
  await raw.connect();
  return { producer: new BatchingProducer({ producer: raw, codec, logger: silentLogger(), maxBatchRecords: 5000 }), disconnect: () => raw.disconnect() };
}

/** The cost processor with the role's defaults (2 min lateness unless given, 1 day of state, max allocation bases). */
export function benchProcessor(kafka: Kafka, codec: Codec, topics: PipelineTopics, allowedLatenessMillis = 120_000): Processor {
  return buildProcessor(
    { kafka, codec, logger: silentLogger(), registry: new Registry() },
    {
      ...benchProcessorIds(topics),
      allowedLatenessMillis,
      stateRetentionMillis: 86_400_000,
      bases: { cpu: 'max', memory: 'max' },
      anomaly: DEFAULT_ANOMALY_OPTIONS,
      topics,
    },
  );
}

/** `kcost sink` over the processor's three output topics, with the role's batch settings. */
export async function startBenchSink(kafka: Kafka, codec: Codec, pool: pg.Pool, topics: PipelineTopics, maxBatchWaitMillis: number): Promise<{ stop: () => Promise<void> }> {
  const { producer, disconnect } = await benchProducer(kafka, codec);
  const registry = new Registry();
  const consumerMetrics = createConsumerMetrics(registry);
  const logger = silentLogger();
  const sink = buildSink(
    {
      kafka, pool, codec, variant: 'postgres', consumerMetrics, metrics: createSinkMetrics(registry), logger,
      deadLetters: new DeadLetterPublisher({ producer, service: 'sink', counter: consumerMetrics.deadLetters, logger, topic: topics.deadLetter }),
    },
    {
      groupId: `bench-sink-${randomUUID().slice(0, 8)}`,
      topics: [
        { topic: topics.costs, schema: 'PodCost' },
        { topic: topics.nodeCosts, schema: 'NodeCost' },
        { topic: topics.anomalies, schema: 'CostAnomaly' },
      ],
      maxBatchRows: 20_000, maxBatchWaitMillis, minFetchBytes: 1, maxFetchBytesPerPartition: 8 * 1024 * 1024, sessionTimeoutMillis: 10_000,
      retry: { maxAttempts: 5, initialDelayMillis: 200, maxDelayMillis: 5000 },
    },
  );
  await sink.start();
  return {
    async stop() {
      await sink.stop();
      await disconnect();
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

/** The pipeline topics as the flags of `kcost process` (every topic) or `kcost sink` (its three inputs and the dead letters, no recommendations). */
function topicFlags(topics: PipelineTopics, role: 'process' | 'sink'): string[] {
  const outputs = ['--costs-topic', topics.costs, '--node-costs-topic', topics.nodeCosts, '--anomalies-topic', topics.anomalies, '--dead-letter-topic', topics.deadLetter];
  // The bench's pipeline publishes no recommendations; the shared kcost.recommendations.v1 is not the run's to load.
  return role === 'sink' ? [...outputs, '--recommendations-topic', ''] : ['--kube-topic', topics.kube, '--prices-topic', topics.prices, '--usage-topic', topics.usage, '--usage-by-node-topic', topics.usageByNode, '--usage-node-window-topic', topics.usageNodeWindow, ...outputs];
}

/**
 * A fresh group and transactional id for a benchmark processor. The group is
 * named after the run's topics, so that createPipelineTopics' drop() also
 * removes the internal topics named after it.
 */
function benchProcessorIds(topics: PipelineTopics): { groupId: string; transactionalId: string } {
  const id = randomUUID().slice(0, 8);
  return { groupId: `${topics.usage}.process-${id}`, transactionalId: `bench-process-${id}` };
}

/** `kcost process` as its own process, as it is deployed, with the role's defaults. */
export function startProcessorProcess(brokers: readonly string[], topics: PipelineTopics): KcostProcess {
  const { groupId, transactionalId } = benchProcessorIds(topics);
  return startKcost(['process', '--brokers', brokers.join(','), '--group-id', groupId, '--transactional-id', transactionalId, ...topicFlags(topics, 'process'), '--health-port', '0', '--log-level', 'info']);
}

/** `kcost sink` as its own process with the role's defaults, once /readyz says it joined its group. */
export async function startSinkProcess(brokers: readonly string[], databaseUrl: string, topics: PipelineTopics): Promise<KcostProcess> {
  const sink = startKcost(['sink', '--brokers', brokers.join(','), '--database-url', databaseUrl, '--group-id', `bench-sink-${randomUUID().slice(0, 8)}`, ...topicFlags(topics, 'sink'), '--health-port', '0', '--log-level', 'info']);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const port = healthPortOf(sink.output);
    if (port !== null && (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false))) return sink;
    if (sink.child.exitCode !== null || Date.now() > deadline) throw new Error(`kcost sink did not become ready:\n${sink.output.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops a role process as an orchestrator would (SIGTERM) and fails unless it exits cleanly. */
export async function stopProcess(role: KcostProcess): Promise<void> {
  if (role.child.exitCode === null) role.child.kill('SIGTERM');
  const code = await role.exited;
  if (code !== 0) throw new Error(`kcost ${role.child.spawnargs[2] ?? ''} exited with ${code}:\n${role.output.slice(-20).join('\n')}`);
}

/**
 * CPU seconds (user + system) a role process has used so far, from its own
 * accounting (prom-client's process_cpu_*_seconds_total, i.e. process.cpuUsage()) on its /metrics.
 */
export async function processCpuSeconds(role: KcostProcess): Promise<number> {
  const port = healthPortOf(role.output);
  if (port === null) throw new Error(`kcost ${role.child.spawnargs[2] ?? ''} has not said which health port it listens on`);
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no ${name} on the /metrics of kcost ${role.child.spawnargs[2] ?? ''}`);
    return Number(line.slice(name.length + 1));
  };
  return value('process_cpu_user_seconds_total') + value('process_cpu_system_seconds_total');
}

function healthPortOf(output: readonly string[]): number | null {
  for (const line of output) {
    if (!line.includes('health server listening')) continue;
    const { port } = JSON.parse(line) as { port?: number };
    if (typeof port === 'number') return port;
  }
  return null;
}
