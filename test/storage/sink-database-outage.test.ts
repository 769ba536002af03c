import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podKey, TOPICS, type TopicSpec } from '../../services/kafka/topics.js';
import { podCost } from '../fixtures/storage/records.js';
import { createTestDatabase, serverUrl } from '../support/database.js';
import { createTestTopics, testBrokers, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { testProducer } from '../support/pipeline.js';
import { freePort } from '../support/ports.js';
import { runKcost, startKcost, type KcostProcess } from '../../bench/kcost-process.js';

// The sink's database goes away and comes back, as in a failover or an
// operator's ALTER DATABASE ... ALLOW_CONNECTIONS false: the sink must wait
// for it with backoff (at start too), say it is not ready meanwhile, survive
// its connections being cut mid-batch, and then load every record exactly once.

const T0 = Date.UTC(2026, 8, 1, 10);
const kafka = testKafka('sink-outage');
const codec = testCodec();
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let admin: pg.Client;
let costs: TopicSpec;
let sink: KcostProcess | undefined;
let healthPort: number;

async function readyStatus(): Promise<number> {
  return fetch(`http://127.0.0.1:${healthPort}/readyz`).then(
    (res) => res.status,
    () => 0,
  );
}

async function setConnections(allowed: boolean): Promise<void> {
  await admin.query(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS ${allowed}`);
  if (!allowed) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database.name]);
}

async function publish(from: number, count: number): Promise<void> {
  const { producer, disconnect } = await testProducer(kafka, codec);
  const records = Array.from({ length: count }, (_, i) => podCost({ podUid: `pod-${(from + i) % 50}`, windowStart: T0 + (from + i) * 60_000, totalCostUsd: 0.25 }));
  await producer.publish(records.map((value) => ({ topic: costs.name, key: podKey(value), schema: 'PodCost' as const, value })));
  await disconnect();
}

async function rowsLoaded(): Promise<number> {
  const client = new pg.Client({ connectionString: database.url });
  try {
    await client.connect();
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pod_cost');
    return rows[0]?.n ?? 0;
  } catch {
    return -1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  database = await createTestDatabase('kcost_outage');
  admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  expect((await runKcost(['migrate', '--database-url', database.url])).code).toBe(0);
  costs = (await createTestTopics(kafka, [TOPICS.costs]))[0] as TopicSpec;
  healthPort = await freePort();
}, 60_000);

afterAll(async () => {
  if (sink && sink.child.exitCode === null) {
    sink.child.kill('SIGTERM');
    await sink.exited;
  }
  await setConnections(true).catch(() => undefined);
  await admin?.end();
  await database?.drop();
});

describe('kcost sink when its database goes away', () => {
  it('waits for a database that refuses connections at start, not ready meanwhile, instead of exiting', async () => {
    await setConnections(false);
    await publish(0, 200);
    const group = uniqueName('sink-outage');
    sink = startKcost(
      ['sink', '--brokers', testBrokers().join(','), '--database-url', database.url, '--group-id', group, '--costs-topic', costs.name, '--node-costs-topic', '', '--anomalies-topic', '', '--recommendations-topic', '', '--health-port', String(healthPort), '--db-retry-max-delay', '1s'],
    );
    await waitFor(() => sink?.output.some((line) => line.includes('waiting for it')) ?? false, 30_000, 'the sink to say it waits for the database');
    expect(await readyStatus()).toBe(503);
    expect(sink.child.exitCode).toBeNull();
    await setConnections(true);
    await waitFor(async () => (await readyStatus()) === 200, 60_000, 'the sink to become ready');
    await waitFor(async () => (await rowsLoaded()) === 200, 60_000, 'the first 200 rows');
  }, 150_000);

  it('reports not ready while connections are cut, survives the cut mid-stream, and loads everything exactly once after', async () => {
    const publishing = publish(200, 3000);
    await setConnections(false);
    await waitFor(async () => (await readyStatus()) === 503, 30_000, '/readyz to say not ready');
    await publishing;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(sink?.child.exitCode).toBeNull();
    expect(await readyStatus()).toBe(503);
    await setConnections(true);
    await waitFor(async () => (await rowsLoaded()) === 3200, 90_000, 'all 3200 rows, once');
    await waitFor(async () => (await readyStatus()) === 200, 30_000, '/readyz to be ready again');
    expect(sink?.output.filter((line) => /"level":(50|60)/.test(line) && /uncaught|unhandled/i.test(line))).toEqual([]);
    expect(sink?.child.exitCode).toBeNull();
  }, 180_000);
});
