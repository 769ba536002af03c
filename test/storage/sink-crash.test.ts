import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter, NodeCost, PodCost } from '../../services/codec/records.generated.js';
import { podKey, nodeKey, TOPICS, type TopicSpec } from '../../services/kafka/topics.js';
import type { OutgoingRecord } from '../../services/kafka/batching-producer.js';
import { nodeCost, podCost } from '../fixtures/storage/records.js';
import { createTestDatabase } from '../support/database.js';
import { createTestTopics, testBrokers, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { testConsumer, testProducer } from '../support/pipeline.js';
import { differences, rollupAndOracle } from './rollup-oracle.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { runKcost, seededRandom, startKcost, type KcostProcess } from '../../bench/kcost-process.js';

const HOUR = 3_600_000;
const RESUMED = 'resuming from the offset stored in the database';
const WAVES = 3;
const PODS_PER_WAVE = 1600;
const NODES_PER_WAVE = 400;
// Every cost and usage figure is a multiple of 1/1024 (or 1/64), small enough that
// any order of summation is exact: the rollups must then equal the totals exactly.
const dyadic = (n: number, scale = 1024) => n / scale;

/**
 * Wave w of the stream: pods and nodes over the last few hours, spread over
 * namespaces, workloads and nodes, plus one record per wave the sink must
 * dead-letter (a NaN cost) without stopping its partition.
 */
function wave(w: number, start: number): { pods: PodCost[]; nodes: NodeCost[]; bad: PodCost } {
  const pods = Array.from({ length: PODS_PER_WAVE }, (_, j) => {
    const i = w * PODS_PER_WAVE + j;
    return podCost({
      podUid: `pod-${i % 97}`,
      namespace: `ns-${i % 4}`,
      workloadKind: i % 9 === 0 ? '' : 'Deployment',
      workloadName: i % 9 === 0 ? '' : `app-${i % 7}`,
      windowStart: start + (i % 300) * 60_000,
      cpuRequestCores: dyadic(i % 32, 64),
      cpuUsageCoresAvg: dyadic(i % 29, 64),
      memoryUsageBytesAvg: 1_048_576 * (i % 50),
      cpuCostUsd: dyadic(i % 13),
      memoryCostUsd: dyadic(i % 11),
      gpuCostUsd: dyadic(i % 3),
      storageCostUsd: dyadic(i % 5),
      networkCostUsd: dyadic(i % 2),
      totalCostUsd: dyadic((i % 13) + (i % 11) + (i % 3) + (i % 5) + (i % 2)),
      onDemandCostUsd: dyadic(40 + (i % 17)),
      spotSavingsUsd: dyadic(i % 6),
      priceSource: ['aws-pricing', 'aws-spot', 'default'][i % 3] as string,
    });
  });
  const nodes = Array.from({ length: NODES_PER_WAVE }, (_, j) => {
    const i = w * NODES_PER_WAVE + j;
    return nodeCost({
      nodeName: `node-${i % 6}`,
      capacityType: i % 6 < 2 ? 'SPOT' : 'ON_DEMAND',
      windowStart: start + (i % 300) * 60_000,
      cpuCostUsd: dyadic(60 + (i % 9)),
      memoryCostUsd: dyadic(40 + (i % 10)),
      costUsd: dyadic(100 + (i % 19)),
      cpuAllocatedCostUsd: dyadic(i % 8),
      memoryAllocatedCostUsd: dyadic(i % 12),
      memoryIdleCostUsd: dyadic(i % 16),
      onDemandCostUsd: dyadic(120 + (i % 3)),
      idleCostUsd: dyadic(i % 23),
      cpuIdleCostUsd: dyadic(i % 7),
      spotSavingsUsd: dyadic(i % 4),
    });
  });
  return { pods, nodes, bad: podCost({ podUid: `bad-${w}`, windowStart: start, totalCostUsd: Number.NaN }) };
}

// Each cycle waits for the killed member to leave the Kafka group (the session
// timeout, 6 s at least) before it rewinds the group; on a loaded machine the
// run takes a minute or two.
describe('kcost sink under SIGKILL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let costs: TopicSpec;
  let nodes: TopicSpec;
  let anomalies: TopicSpec;
  let deadLetter: TopicSpec;
  const running: KcostProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('kcost_crash');
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    [costs, nodes, anomalies, deadLetter] = (await createTestTopics(testKafka(), [
      { ...TOPICS.costs, partitions: 3 },
      { ...TOPICS.nodeCosts, partitions: 2 },
      TOPICS.anomalies,
      TOPICS.deadLetter,
    ])) as [TopicSpec, TopicSpec, TopicSpec, TopicSpec];
  });

  afterAll(async () => {
    for (const run of running) run.child.kill('SIGKILL');
    await pool?.end();
    await database?.drop();
  });

  it('loads every record exactly once across repeated crashes and restarts, rollups included', async () => {
    const migrated = await runKcost(['migrate', '--database-url', database.url, '--log-level', 'warn']);
    expect(migrated.code, migrated.output.join('\n')).toBe(0);
    expect(JSON.parse(migrated.output.at(-1) ?? '{}')).toMatchObject({ variant: 'postgres' });

    const group = uniqueName('sink');
    const sinkArgs = [
      'sink', '--database-url', database.url, '--brokers', testBrokers().join(','), '--group-id', group,
      '--costs-topic', costs.name, '--node-costs-topic', nodes.name, '--anomalies-topic', anomalies.name,
      // The shared broker's kcost.recommendations.v1 is not this test's; test/storage/recommendation-sink.test.ts covers it.
      '--recommendations-topic', '',
      '--dead-letter-topic', deadLetter.name, '--health-port', '0', '--max-batch-rows', '400',
      '--session-timeout', '6s', '--max-batch-wait', '200ms', '--log-level', 'info',
    ];
    const seed = Date.now() % 100_000;
    const random = seededRandom(seed);
    const start = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
    const codec = testCodec();
    const { producer, disconnect } = await testProducer(testKafka(), codec);
    const produced = { pods: [] as PodCost[], nodes: [] as NodeCost[] };
    const loadedRows = async () => Number((await pool.query<{ n: string }>('SELECT (SELECT count(*) FROM pod_cost) + (SELECT count(*) FROM node_cost) AS n')).rows[0]?.n);

    try {
      for (let w = 0; w < WAVES; w++) {
        const { pods, nodes: nodeRecords, bad } = wave(w, start);
        const badAt = Math.floor(random() * pods.length);
        const podStream = [...pods.slice(0, badAt), bad, ...pods.slice(badAt)];
        await producer.publish([
          ...podStream.map((value): OutgoingRecord => ({ topic: costs.name, key: podKey(value), schema: 'PodCost', value })),
          ...nodeRecords.map((value): OutgoingRecord => ({ topic: nodes.name, key: nodeKey(value), schema: 'NodeCost', value })),
        ]);
        produced.pods.push(...pods);
        produced.nodes.push(...nodeRecords);

        const before = await loadedRows();
        const sink = startKcost(sinkArgs);
        running.push(sink);
        // Kill once the sink is loading, at a random point within its next few transactions.
        await waitFor(async () => (await loadedRows()) > before || sink.child.exitCode !== null, 45_000, `wave ${w} loading (seed ${seed})`);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 250)));
        sink.child.kill('SIGKILL');
        await sink.exited;
        expect(sink.child.signalCode, sink.output.join('\n')).toBe('SIGKILL');
        // As if the sink had died between its database commit and its Kafka commit, every time:
        // rewind the group's Kafka offsets to the start. Only the offsets in the database may count.
        await rewindKafkaOffsets(group, [costs.name, nodes.name]);
      }

      const final = startKcost(sinkArgs);
      running.push(final);
      const expectedRows = produced.pods.length + produced.nodes.length;
      await waitFor(async () => (await loadedRows()) >= expectedRows, 50_000, `all rows loaded (seed ${seed})`);
      // Let the last transactions settle, then stop it the way an orchestrator would.
      await waitFor(async () => storedOffsetsCover(pool, group, [costs.name, nodes.name], produced.pods.length + WAVES + produced.nodes.length), 20_000, 'offsets');
      // The last crashed sink may have loaded everything before it died, so the checks above can
      // pass while this one is still starting: stop it only once it has joined and sought, as the
      // SIGTERM is meant to find a running sink (before that, Node's default action ends it).
      await waitFor(async () => final.output.some((line) => line.includes(RESUMED)), 30_000, 'final sink resumed');
      final.child.kill('SIGTERM');
      expect(await final.exited, final.output.join('\n')).toBe(0);
      expect(final.output.some((line) => line.includes('stopped cleanly'))).toBe(true);
      // Every restart found offsets in the database and sought to them on assignment.
      for (const restarted of running.slice(1)) {
        expect(restarted.output.some((line) => line.includes(RESUMED)), restarted.output.join('\n')).toBe(true);
      }
    } finally {
      await disconnect();
    }

    expect(Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM pod_cost')).rows[0]?.n)).toBe(produced.pods.length);
    expect(Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM node_cost')).rows[0]?.n)).toBe(produced.nodes.length);
    expect(Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM pod_cost WHERE pod_uid LIKE 'bad-%'")).rows[0]?.n)).toBe(0);

    const podTotals = await pool.query<Record<string, number>>(
      `SELECT sum(record_count)::float8 AS records, sum(container_seconds)::float8 AS seconds, sum(total_cost_usd) AS total, sum(cpu_cost_usd) AS cpu,
              sum(memory_cost_usd) AS memory, sum(gpu_cost_usd) AS gpu, sum(storage_cost_usd) AS storage, sum(network_cost_usd) AS network,
              sum(on_demand_cost_usd) AS on_demand, sum(spot_savings_usd) AS spot, sum(cpu_core_seconds_used) AS cpu_used,
              sum(cpu_core_seconds_requested) AS cpu_requested, sum(memory_byte_seconds_used) AS memory_used
       FROM pod_cost_hourly`,
    );
    const sum = <T>(rows: T[], get: (r: T) => number) => rows.reduce((acc, r) => acc + get(r), 0);
    const p = produced.pods;
    expect(podTotals.rows[0]).toEqual({
      records: p.length,
      seconds: sum(p, (r) => r.windowSeconds),
      total: sum(p, (r) => r.totalCostUsd),
      cpu: sum(p, (r) => r.cpuCostUsd),
      memory: sum(p, (r) => r.memoryCostUsd),
      gpu: sum(p, (r) => r.gpuCostUsd),
      storage: sum(p, (r) => r.storageCostUsd),
      network: sum(p, (r) => r.networkCostUsd),
      on_demand: sum(p, (r) => r.onDemandCostUsd),
      spot: sum(p, (r) => r.spotSavingsUsd),
      cpu_used: sum(p, (r) => r.cpuUsageCoresAvg * r.windowSeconds),
      cpu_requested: sum(p, (r) => r.cpuRequestCores * r.windowSeconds),
      memory_used: sum(p, (r) => r.memoryUsageBytesAvg * r.windowSeconds),
    });
    const n = produced.nodes;
    for (const relation of ['node_cost_hourly', 'node_cost_daily']) {
      const nodeTotals = await pool.query<Record<string, number>>(
        `SELECT sum(record_count)::float8 AS records, sum(cost_usd) AS cost, sum(idle_cost_usd) AS idle, sum(cpu_idle_cost_usd) AS cpu_idle, sum(spot_savings_usd) AS spot FROM ${relation}`,
      );
      expect(nodeTotals.rows[0]).toEqual({
        records: n.length,
        cost: sum(n, (r) => r.costUsd),
        idle: sum(n, (r) => r.idleCostUsd),
        cpu_idle: sum(n, (r) => r.cpuIdleCostUsd),
        spot: sum(n, (r) => r.spotSavingsUsd),
      });
    }
    // Per bucket and key, each rollup equals its raw rows (exactly, the values being dyadic).
    for (const relation of ['pod_cost_hourly', 'pod_cost_daily', 'node_cost_hourly', 'node_cost_daily'] as const) {
      const { rollup, expected } = await rollupAndOracle(pgSqlClient(pool as unknown as pg.ClientBase), relation);
      expect(differences(rollup, expected), relation).toEqual([]);
      expect(rollup).toEqual(expected);
    }

    // The NaN records went to the dead-letter topic, at least once each.
    const letters: DeadLetter[] = [];
    const reader = await testConsumer({
      kafka: testKafka(), codec, groupId: uniqueName('dlq-reader'), topics: [deadLetter], deadLetterTopic: deadLetter.name,
      handler: (batch) => {
        letters.push(...batch.records.map((r) => r.record.value as DeadLetter));
        return Promise.resolve();
      },
    });
    try {
      await waitFor(() => new Set(letters.map((l) => `${l.sourcePartition}/${l.sourceOffset}`)).size >= WAVES, 30_000, 'dead letters');
    } finally {
      await reader.stop();
    }
    expect(letters.every((l) => l.sourceTopic === costs.name && l.reasonCode === 'INVALID_RECORD' && l.service === 'sink')).toBe(true);
  }, 240_000);
});

/** True once the stored offsets of the group account for `records` records over the topics. */
async function storedOffsetsCover(pool: pg.Pool, group: string, topics: string[], records: number): Promise<boolean> {
  const { rows } = await pool.query<{ n: string }>('SELECT coalesce(sum(next_offset), 0) AS n FROM sink_offset WHERE consumer_group = $1 AND topic = ANY($2)', [group, topics]);
  return Number(rows[0]?.n) >= records;
}

/** Once the killed member has left the group, moves the group's committed Kafka offsets back to the earliest record. */
async function rewindKafkaOffsets(groupId: string, topics: string[]): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await waitFor(async () => (await admin.describeGroups([groupId])).groups[0]?.state === 'Empty', 30_000, 'the killed sink to leave the group');
    for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: true });
  } finally {
    await admin.disconnect();
  }
}
