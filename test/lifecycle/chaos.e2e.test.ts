import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../services/kafka/kafka-client.js';
import { provisionTopics } from '../../services/kafka/provision-topics.js';
import { TOPICS } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { createTestDatabase, serverUrl } from '../support/database.js';
import { waitFor } from '../support/kafka.js';
import { freePort, isReady } from '../support/ports.js';
import { REPO, runKcost, seededRandom, startKcost, type KcostProcess } from '../../bench/kcost-process.js';

// One run, every fault: the processor and the sink SIGKILLed at random
// points, the broker stopped and started, and the sink's database connections
// cut, while a simulated backlog flows through `kcost process` and
// `kcost sink` as separate processes. A supervisor loop restarts whatever
// exits, as Kubernetes would. The database must end with exactly the rows of
// a clean run of the same input: none lost, none doubled, every cost equal.
// The broker is the test's own, since it is stopped.

const run = promisify(execFile);
const SEED = Number(process.env.KCOST_CHAOS_SEED ?? Date.now() % 100_000);
const random = seededRandom(SEED);
/** After each fault, every role must be ready again within this (docs: README, "Faults"). */
const HEAL_BOUND_MILLIS = 90_000;
const START = new Date(Date.UTC(2026, 10, 2, 6)).toISOString();
const PIPELINE = ['--allowed-lateness', '5s', '--idle-source-after', '2s'];
/**
 * How the usage is keyed, picked by the seed (or KCOST_CHAOS_USAGE=pod|node) so that runs cover both: by pod on
 * kcost.usage.v1, through the processor's by-node copy, or by node on kcost.usage.bynode.v1, read without it.
 */
const USAGE = process.env.KCOST_CHAOS_USAGE ?? (SEED % 2 === 0 ? 'pod' : 'node');
const BY_NODE = USAGE === 'node' ? ['--usage-by-node-topic', TOPICS.usageByNode.name] : [];

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** A role kept running as a supervisor keeps it: restarted whenever it exits, until stopped. */
class Supervised {
  current: KcostProcess;
  restarts = 0;
  private stopped = false;

  constructor(
    readonly name: string,
    private readonly args: readonly string[],
    readonly healthPort: number,
  ) {
    this.current = this.spawn();
  }

  private spawn(): KcostProcess {
    const p = startKcost([...this.args, '--health-port', String(this.healthPort)]);
    void p.exited.then(() => {
      if (this.stopped) return;
      this.restarts++;
      // Kubernetes' first restart back-off is 10 s; 1 s keeps the test short.
      setTimeout(() => {
        if (!this.stopped) this.current = this.spawn();
      }, 1_000);
    });
    return p;
  }

  kill(): void {
    this.current.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.current.child.exitCode === null) {
      this.current.child.kill('SIGTERM');
      await this.current.exited;
    }
  }
}

interface Totals {
  rows: number;
  nodeRows: number;
  byRow: Map<string, number>;
}

async function totals(url: string): Promise<Totals> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const pods = await client.query<{ k: string; c: number }>("SELECT pod_uid || '/' || container || '@' || window_start::text AS k, total_cost_usd AS c FROM pod_cost");
    const nodes = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM node_cost');
    return { rows: pods.rows.length, nodeRows: nodes.rows[0]?.n ?? 0, byRow: new Map(pods.rows.map((r) => [r.k, Number(r.c)])) };
  } finally {
    await client.end();
  }
}

async function rowCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return (await client.query<{ n: number }>('SELECT (SELECT count(*) FROM pod_cost)::int + (SELECT count(*) FROM node_cost)::int AS n')).rows[0]?.n ?? 0;
  } catch {
    return -1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Waits until the row count has stopped moving for `quietMillis`, and returns it. */
async function settledCount(url: string, quietMillis: number, timeoutMillis: number): Promise<number> {
  let last = -2;
  let since = Date.now();
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    const n = await rowCount(url);
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (n > 0 && Date.now() - since >= quietMillis) return n;
    await sleep(500);
  }
  throw new Error(`the row count of ${url} did not settle in ${timeoutMillis} ms (last ${last})`);
}

describe(`kcost under chaos (seed ${SEED}, usage keyed by ${USAGE}: KCOST_CHAOS_SEED=${SEED} repeats it)`, () => {
  const state = mkdtempSync(join(tmpdir(), 'kcost-chaos-broker-'));
  let brokerEnv: NodeJS.ProcessEnv;
  let brokers = '';
  let clean: Awaited<ReturnType<typeof createTestDatabase>>;
  let chaotic: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: pg.Client;
  const roles: Supervised[] = [];
  const kafka = (command: 'start' | 'stop') => run('bash', [join(REPO, 'scripts', 'kafka.sh'), command], { env: brokerEnv, timeout: 120_000 });

  beforeAll(async () => {
    const [kafkaPort, controllerPort] = [await freePort(), await freePort()];
    brokerEnv = { ...process.env, KCOST_KAFKA_STATE: state, KCOST_KAFKA_PORT: String(kafkaPort), KCOST_KAFKA_CONTROLLER_PORT: String(controllerPort), KCOST_KAFKA_HEAP: '384m' };
    brokers = (await kafka('start')).stdout.trim();
    expect((await runKcost(['topics', '--brokers', brokers])).code).toBe(0);
    const client = createKafka({ brokers: [brokers], clientId: 'chaos-test', logger: silentLogger() }).admin();
    await client.connect();
    await provisionTopics(client, [TOPICS.costs, TOPICS.nodeCosts, TOPICS.anomalies, TOPICS.deadLetter].map((t) => ({ ...t, name: `${t.name}.clean` })));
    await client.disconnect();
    clean = await createTestDatabase('kcost_chaos_clean');
    chaotic = await createTestDatabase('kcost_chaos');
    for (const db of [clean, chaotic]) expect((await runKcost(['migrate', '--database-url', db.url])).code).toBe(0);
    admin = new pg.Client({ connectionString: serverUrl() });
    await admin.connect();
    // The input: three simulated hours of a 16-node cluster, published once, read by both runs.
    const simulated = await runKcost(['simulate', '--brokers', brokers, '--speed', 'max', '--nodes', '16', '--pods', '240', '--start', START, '--duration', '3h', '--health-port', '0', ...BY_NODE]);
    expect(simulated.code, simulated.output.slice(-10).join('\n')).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(roles.map((r) => r.stop().catch(() => undefined)));
    await admin?.query(`ALTER DATABASE ${chaotic.name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin?.end();
    await kafka('stop').catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
    // KCOST_CHAOS_KEEP=1 keeps both databases to compare by hand.
    if (!process.env.KCOST_CHAOS_KEEP) {
      await clean?.drop();
      await chaotic?.drop();
    }
  }, 120_000);

  async function pipeline(group: string, suffix: string, databaseUrl: string): Promise<{ processor: Supervised; sink: Supervised }> {
    const outputs = ['--costs-topic', `kcost.costs.v1${suffix}`, '--node-costs-topic', `kcost.node-costs.v1${suffix}`, '--anomalies-topic', `kcost.anomalies.v1${suffix}`, '--dead-letter-topic', `kcost.deadletter.v1${suffix}`];
    const processor = new Supervised(`process ${group}`, ['process', '--brokers', brokers, '--group-id', group, '--transactional-id', `${group}-0`, ...PIPELINE, ...BY_NODE, ...outputs], await freePort());
    const sink = new Supervised(`sink ${group}`, ['sink', '--brokers', brokers, '--group-id', `${group}-sink`, '--database-url', databaseUrl, ...outputs, '--recommendations-topic', '', '--session-timeout', '6s', '--db-retry-max-delay', '2s'], await freePort());
    roles.push(processor, sink);
    return { processor, sink };
  }

  async function healed(what: string, ...supervised: Supervised[]): Promise<void> {
    await waitFor(async () => (await Promise.all(supervised.map((s) => isReady(s.healthPort)))).every(Boolean), HEAL_BOUND_MILLIS, `every role ready within ${HEAL_BOUND_MILLIS} ms after ${what}`);
  }

  it('ends with exactly the rows and costs of a clean run', async () => {
    const reference = await pipeline('clean', '.clean', clean.url);
    await healed('start', reference.processor, reference.sink);
    const expectedRows = await settledCount(clean.url, 15_000, 300_000);
    await reference.processor.stop();
    await reference.sink.stop();

    const { processor, sink } = await pipeline('chaos', '', chaotic.url);
    await healed('start', processor, sink);
    // Faults in a random order, each at a random moment, each followed by its heal check.
    const faults: Array<[string, () => Promise<void>]> = [
      ['a SIGKILL of the processor', () => Promise.resolve(processor.kill())],
      ['a SIGKILL of the sink', () => Promise.resolve(sink.kill())],
      [
        'a 10 s broker outage',
        async () => {
          await kafka('stop');
          await sleep(10_000);
          await kafka('start');
        },
      ],
      [
        "a 5 s cut of the sink's database",
        async () => {
          await admin.query(`ALTER DATABASE ${chaotic.name} ALLOW_CONNECTIONS false`);
          await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [chaotic.name]);
          await sleep(5_000);
          await admin.query(`ALTER DATABASE ${chaotic.name} ALLOW_CONNECTIONS true`);
        },
      ],
    ];
    for (const [name, fault] of faults.sort(() => random() - 0.5)) {
      await sleep(500 + random() * 4_000);
      await fault();
      await healed(name, processor, sink);
    }
    // Every row of the clean run, then nothing more: a lost row keeps it short, a doubled one takes it over.
    await waitFor(async () => (await rowCount(chaotic.url)) >= expectedRows, 300_000, `${expectedRows} rows in the database`).catch(() => undefined);
    const rows = await settledCount(chaotic.url, 10_000, 120_000);

    const [want, got] = [await totals(clean.url), await totals(chaotic.url)];
    const missing = [...want.byRow.keys()].filter((k) => !got.byRow.has(k));
    const extra = [...got.byRow.keys()].filter((k) => !want.byRow.has(k));
    const windows = (keys: string[]) => [...new Set(keys.map((k) => k.slice(k.indexOf('@') + 1)))].sort().slice(0, 8).join(', ');
    const roleLog = (s: Supervised) => s.current.output.filter((l) => /"level":(40|50|60)/.test(l)).slice(-15).join('\n');
    expect(
      { rows, pods: got.rows, nodes: got.nodeRows },
      `missing ${missing.length} pod rows (windows ${windows(missing)}), extra ${extra.length} (windows ${windows(extra)})\nprocessor:\n${roleLog(processor)}\nsink:\n${roleLog(sink)}`,
    ).toEqual({ rows: expectedRows, pods: want.rows, nodes: want.nodeRows });
    const differing = [...want.byRow].filter(([key, cost]) => got.byRow.get(key) !== cost).slice(0, 5);
    expect(differing).toEqual([]);
    expect(processor.restarts + sink.restarts).toBeGreaterThanOrEqual(2);
  }, 900_000);
});
