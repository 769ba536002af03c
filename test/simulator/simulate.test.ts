import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../services/cli/main.js';
import type { Codec } from '../../services/codec/codec.js';
import { kubeObjectKey, nodeKey, podKey, priceKey } from '../../services/kafka/topics.js';
import { createSimulation } from '../../services/simulator/simulation.js';
import { testBrokers, testCodec, testKafka, topicSize, uniqueName, waitFor } from '../support/kafka.js';

const START = '2026-01-05T10:00:00Z';

/** Every record on a topic, decoded: schema name, key and the key the value itself implies. */
async function readAll(kafka: Kafka, codec: Codec, topic: string, expected: number, keyedByNode: boolean): Promise<Array<{ schema: string; key: string; derivedKey: string }>> {
  const consumer = kafka.consumer({ groupId: uniqueName('simulate-test'), maxBytes: 50 * 1024 * 1024 });
  const seen: Array<{ schema: string; key: string; derivedKey: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const decoded = await codec.decode(message.value ?? Buffer.alloc(0));
        const v = decoded.value as never;
        const derivedKey = decoded.schema === 'KubeObject' ? kubeObjectKey(v) : decoded.schema === 'UsageSample' ? (keyedByNode ? nodeKey(v) : podKey(v)) : priceKey(v);
        seen.push({ schema: decoded.schema, key: message.key?.toString() ?? '', derivedKey });
      }
    },
  });
  try {
    await waitFor(() => seen.length >= expected, 60_000, `${expected} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}


describe('kcost simulate against the real broker', () => {
  const kafka = testKafka();
  const codec = testCodec();
  const topics = { kube: uniqueName('sim.kube'), usage: uniqueName('sim.usage'), usageByNode: uniqueName('sim.usage-bynode'), prices: uniqueName('sim.prices') };
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kcost-sim-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes 2 hours of a 5-node, 50-pod cluster, prints what it published, and writes the ground truth', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const groundTruthFile = join(dir, 'truth.json');
    const argv = ['simulate', '--nodes', '5', '--pods', '50', '--duration', '2h', '--speed', 'max', '--seed', '7', '--start', START, '--window', '60s', '--cluster', 'it-sim', '--anomalies', '2',
      '--ground-truth', groundTruthFile, '--kube-topic', topics.kube, '--usage-topic', topics.usage, '--usage-by-node-topic', topics.usageByNode, '--prices-topic', topics.prices, '--health-port', '0', '--log-level', 'warn'];
    const code = await main(argv, { env: { KAFKA_BROKERS: testBrokers().join(',') }, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
    expect(err.join('')).toBe('');
    expect(code).toBe(0);

    // What the same options give in-process is what must be on the topics.
    const expected = createSimulation({ cluster: 'it-sim', seed: 7, nodes: 5, pods: 50, startMillis: Date.parse(START), durationMillis: 2 * 3_600_000, windowSeconds: 60, anomalies: 2, topics });
    const counts: Record<string, Record<string, number>> = {};
    for (const e of expected.events()) ((counts[e.topic] ??= {})[e.schema] = (counts[e.topic]?.[e.schema] ?? 0) + 1);

    const summary = JSON.parse(out.join('').trim().split('\n').at(-1) ?? '{}') as { published: Record<string, Record<string, number>>; records: number; start: string; end: string; recordsPerSecond: number; stopped: boolean };
    expect(summary.published).toEqual(counts);
    expect([summary.start, summary.end, summary.stopped]).toEqual(['2026-01-05T10:00:00.000Z', '2026-01-05T12:00:00.000Z', false]);
    expect(summary.recordsPerSecond).toBeGreaterThan(0);
    // Samples that name their node are on the by-node usage topic, keyed by it.
    expect(counts[topics.usageByNode]?.UsageSample).toBeGreaterThan(0);
    const usageCount = (counts[topics.usage]?.UsageSample ?? 0) + (counts[topics.usageByNode]?.UsageSample ?? 0);
    // Every running pod's containers report every minute: at least 50 pods × 120 windows minus churn gaps.
    expect(usageCount).toBeGreaterThan(40 * 120);

    for (const [topic, bySchema] of Object.entries(counts)) {
      const total = Object.values(bySchema).reduce((a, b) => a + b, 0);
      expect(await topicSize(kafka, topic)).toBe(total);
      const records = await readAll(kafka, codec, topic, total, topic === topics.usageByNode);
      const schemas: Record<string, number> = {};
      for (const r of records) schemas[r.schema] = (schemas[r.schema] ?? 0) + 1;
      expect(schemas).toEqual(bySchema);
      expect(records.filter((r) => r.key !== r.derivedKey)).toEqual([]);
    }

    const truth = JSON.parse(await readFile(groundTruthFile, 'utf8')) as unknown;
    expect(truth).toEqual(expected.groundTruth());
    expect((truth as unknown[]).length).toBeGreaterThanOrEqual(2);
  });
});
