import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Consumer, Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { buildProcessor, type Processor, type ProcessorConfig } from '../../services/processor/processor.js';
import { createSimulation } from '../../services/simulator/simulation.js';
import { REPO } from '../deploy/repo.js';
import { createTestTopics, testBrokers, testCodec, testKafka, waitFor } from '../support/kafka.js';
import { testProducer } from '../support/pipeline.js';

// A small simulated run goes through the real broker and an in-process
// processor; then the example consumers of examples/ (Java: Apache Avro and
// kafka-clients; Python: Debian's python3-avro and confluent-kafka) read
// every public topic with only the .avsc files, and must decode each
// committed record to what kcost's own codec decodes.

const run = promisify(execFile);
const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 2);
const DURATION = 30 * HOUR;
const WINDOW_SECONDS = 900;
const JAVA_DIR = join(REPO, 'examples/java');
const PYTHON_DIR = join(REPO, 'examples/python');
const SCHEMAS = join(REPO, 'schemas');
// Debian's interpreter, where python3-avro and python3-confluent-kafka install (a pyenv python3 on PATH has neither).
const PYTHON = process.env.KCOST_PYTHON ?? '/usr/bin/python3';

interface Line {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  keyPartition?: number | null;
  schema?: string;
  value?: unknown;
  /** Why the record could not be decoded. */
  error?: string;
}

const kafka = testKafka('examples');
const codec = testCodec();
let topics: Record<'kube' | 'usage' | 'prices' | 'costs' | 'nodeCosts' | 'anomalies' | 'deadLetter', string>;
let processor: Processor | undefined;
/** Every committed record, decoded by kcost's codec, by topic/partition/offset. */
const expected = new Map<string, Line>();
let partitionsOf: Record<string, number> = {};

/** JSON as the examples print it: bytes as base64. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('base64') : v)));

/** Reads the topics read_committed with kcost's codec into `expected` until `until` holds. */
async function readCommitted(client: Kafka, names: string[], until: () => boolean): Promise<void> {
  const consumer: Consumer = client.consumer({ groupId: `examples-reader-${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: names, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const line: Line = { topic, partition, offset: Number(message.offset), key: message.key?.toString('utf8') ?? null };
      try {
        const decoded = await codec.decode(message.value ?? Buffer.alloc(0));
        expected.set(`${topic}/${partition}/${message.offset}`, { ...line, schema: `io.kcost.${decoded.schema}`, value: plain(decoded.value) });
      } catch (error) {
        expected.set(`${topic}/${partition}/${message.offset}`, { ...line, error: String(error) });
      }
    },
  });
  try {
    await waitFor(until, 60_000, 'every committed record of the topics');
  } finally {
    await consumer.disconnect();
  }
}

const parseLines = (stdout: string): Line[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);

beforeAll(async () => {
  const specs = await createTestTopics(kafka, [TOPICS.kube, TOPICS.usage, TOPICS.prices, TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter]);
  const [kube, usage, prices, costs, nodeCosts, anomalies, deadLetter] = specs.map((s) => s.name) as [string, string, string, string, string, string, string];
  topics = { kube, usage, prices, costs, nodeCosts, anomalies, deadLetter };
  partitionsOf = Object.fromEntries(specs.map((s) => [s.name, s.partitions]));

  // The Java example builds while the run is produced (Maven caches its dependencies in ~/.m2).
  const build = run('mvn', ['-q', '-B', 'package'], { cwd: JAVA_DIR, maxBuffer: 10 * 1024 * 1024 });

  const simulation = createSimulation({ cluster: 'examples', seed: 5, nodes: 3, pods: 12, startMillis: START, durationMillis: DURATION, windowSeconds: WINDOW_SECONDS, anomalies: 1, topics: { kube, usage, prices } });
  const { producer, disconnect } = await testProducer(kafka, codec);
  await producer.publish([...simulation.events()]);
  await producer.flush();
  await disconnect();
  // One record no schema decodes: the processor sends it to the dead-letter topic.
  const raw = kafka.producer();
  await raw.connect();
  await raw.send({ topic: usage, acks: -1, messages: [{ key: 'examples/not-avro', value: Buffer.from('not an Avro record') }] });
  await raw.disconnect();

  const id = randomUUID().slice(0, 8);
  const config: ProcessorConfig = {
    groupId: `kcost-examples-${id}`,
    transactionalId: `kcost-examples-${id}`,
    allowedLatenessMillis: 3_000,
    idleSourceAfterMillis: 1_000,
    stateRetentionMillis: 7 * 86_400_000,
    bases: { cpu: 'max', memory: 'max' },
    // A short recent-hours baseline, so a day and a bit is enough to score.
    anomaly: { ...DEFAULT_ANOMALY_OPTIONS, recentHours: 8, minRecentPoints: 6 },
    topics: { kube, prices, usage, costs, nodeCosts, anomalies, deadLetter },
  };
  processor = buildProcessor({ kafka, codec, logger: silentLogger(), registry: new Registry() }, config);
  await processor.start();
  const lastWindow = START + DURATION - WINDOW_SECONDS * 1000;
  const seen = { lastNodeCost: false, deadLetter: false };
  const watch = kafka.consumer({ groupId: `examples-watch-${id}`, readUncommitted: false });
  await watch.connect();
  await watch.subscribe({ topics: [nodeCosts, deadLetter], fromBeginning: true });
  await watch.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === deadLetter) seen.deadLetter = true;
      else if ((await codec.decodeAs('NodeCost', message.value as Buffer)).windowStart === lastWindow) seen.lastNodeCost = true;
    },
  });
  try {
    await waitFor(() => seen.lastNodeCost && seen.deadLetter, 90_000, 'the last window priced and the dead letter');
  } finally {
    await watch.disconnect();
  }
  // Stopped, the processor has committed all it will write: the topics are final.
  await processor.stop();
  processor = undefined;
  await build;
}, 240_000);

afterAll(async () => {
  await processor?.stop();
});

describe('the example consumers on a simulated run', () => {
  let java: Line[] = [];
  let python: Line[] = [];

  beforeAll(async () => {
    const all = Object.values(topics);
    const classpath = `${join(JAVA_DIR, 'target/classes')}:${readFileSync(join(JAVA_DIR, 'target/classpath.txt'), 'utf8').trim()}`;
    const [j, p] = await Promise.all([
      run('java', ['-cp', classpath, 'io.kcost.examples.TopicConsumer', '--brokers', testBrokers().join(','), '--schemas', SCHEMAS, ...all], { maxBuffer: 256 * 1024 * 1024 }),
      run(PYTHON, [join(PYTHON_DIR, 'topic_consumer.py'), '--brokers', testBrokers().join(','), '--schemas', SCHEMAS, ...all], { maxBuffer: 256 * 1024 * 1024 }),
    ]);
    java = parseLines(j.stdout);
    python = parseLines(p.stdout);
    await readCommitted(kafka, all, () => expected.size >= java.length);
  }, 180_000);

  it('find records of every schema on every topic, anomalies and a dead letter among them', () => {
    const schemas = Object.fromEntries(Object.values(topics).map((t) => [t, [...new Set(java.filter((l) => l.topic === t && l.schema !== undefined).map((l) => l.schema))].sort()]));
    expect(schemas).toEqual({
      [topics.kube]: ['io.kcost.KubeObject'],
      [topics.usage]: ['io.kcost.UsageSample'],
      [topics.prices]: ['io.kcost.PriceUpdate'],
      [topics.costs]: ['io.kcost.PodCost'],
      [topics.nodeCosts]: ['io.kcost.NodeCost'],
      [topics.anomalies]: ['io.kcost.CostAnomaly'],
      [topics.deadLetter]: ['io.kcost.DeadLetter'],
    });
    const schemaless = (l: Line[]) => l.filter((x) => x.schema === undefined).map((x) => `${x.topic} ${x.key} ${x.error === undefined ? '' : 'error'}`);
    // The one record that is not Avro is reported, not fatal, in both languages.
    expect(schemaless(java)).toEqual([`${topics.usage} examples/not-avro error`]);
    expect(schemaless(python)).toEqual([`${topics.usage} examples/not-avro error`]);
    const [dead] = java.filter((l) => l.topic === topics.deadLetter);
    expect(dead?.value).toMatchObject({ sourceTopic: topics.usage, reasonCode: 'UNDECODABLE', value: Buffer.from('not an Avro record').toString('base64') });
  });

  it.each(['java', 'python'] as const)('the %s consumer decodes every committed record to what kcost decodes', (language) => {
    const lines = language === 'java' ? java : python;
    expect(lines.length).toBe(expected.size);
    for (const line of lines) {
      const want = expected.get(`${line.topic}/${line.partition}/${line.offset}`);
      // The reason an undecodable record is reported with is each library's own words.
      const comparable = (l: Line | undefined) => l && { ...l, keyPartition: undefined, error: l.error === undefined ? undefined : 'undecodable' };
      expect(comparable(line), `${line.topic}/${line.partition}/${line.offset}`).toEqual(comparable(want));
    }
  });

  it("keys every record as the README's Public interfaces say, zonal prices by region:zone", () => {
    type Value = Record<string, string | number | null>;
    const documented: Record<string, (v: Value) => string> = {
      [topics.kube]: (v) => `${v.cluster}/${v.kind}/${v.uid}`,
      [topics.usage]: (v) => `${v.cluster}/${v.podUid}`,
      [topics.prices]: (v) => `${v.provider}/${v.region}${v.zone ? `:${v.zone}` : ''}/${v.kind}/${v.sku}/${v.capacityType}/${v.effectiveFrom}`,
      [topics.costs]: (v) => `${v.cluster}/${v.podUid}`,
      [topics.nodeCosts]: (v) => `${v.cluster}/${v.nodeName}`,
      [topics.anomalies]: (v) => `${v.cluster}/${v.scope}/${v.key}`,
      [topics.deadLetter]: (v) => `${v.sourceTopic}/${v.sourcePartition}/${v.sourceOffset}`,
    };
    const decoded = java.filter((l) => l.value !== undefined);
    expect(decoded.filter((l) => l.key !== documented[l.topic]?.(l.value as Value)).map((l) => `${l.topic} ${l.key}`)).toEqual([]);
    expect(decoded.some((l) => l.topic === topics.prices && /^aws\/[^/:]+:[^/]+\/NODE\/[^/]+\/SPOT\/\d+$/.test(l.key ?? ''))).toBe(true);
  });

  it("puts every keyed record where the Java client's default partitioner puts its key", () => {
    const keyed = java.filter((l) => l.key !== null && partitionsOf[l.topic] !== undefined);
    expect(keyed.length).toBe(java.length);
    expect(keyed.filter((l) => l.keyPartition !== l.partition).map((l) => `${l.topic} ${l.key}`)).toEqual([]);
  });
});
