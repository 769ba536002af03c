// Sink throughput: what `kcost sink` loads per second next to a raw COPY of
// the same rows into the same table, measured in the same run on the same
// server. Both write into pod_cost as `kcost migrate` creates it on plain
// PostgreSQL (daily partitions, its indexes, its CHECK constraints).
//  - raw COPY: the rows pre-encoded in COPY text format, streamed with
//    pg-copy-streams in one COPY per batch, autocommit. Nothing else.
//  - sink: BatchWriter.write(), the code `kcost sink` runs per batch once
//    records are decoded: validation, COPY encoding, COPY, the hourly and daily
//    rollup upserts, the locked offset check and update, one transaction.
//  - end to end (informational): `kcost sink`'s buildSink in-process reading
//    the same records from a Kafka topic (fetch, Avro decode, load), timed from
//    the first row loaded to the last.
import type pg from 'pg';
import { Registry } from 'prom-client';
import type { PodCost } from '../services/codec/records.generated.js';
import { createCodec } from '../services/codec/create-codec.js';
import { copyRows } from '../services/db/copy-rows.js';
import { BatchingProducer } from '../services/kafka/batching-producer.js';
import { DeadLetterPublisher } from '../services/kafka/dead-letter.js';
import { createKafka, createProducer } from '../services/kafka/kafka-client.js';
import { createConsumerMetrics } from '../services/kafka/kafka-metrics.js';
import { provisionTopics } from '../services/kafka/provision-topics.js';
import { podKey, TOPICS } from '../services/kafka/topics.js';
import { silentLogger } from '../services/log/logger.js';
import { BatchWriter } from '../services/sink/batch-writer.js';
import { buildSink } from '../services/sink/sink.js';
import { createSinkMetrics } from '../services/sink/sink-metrics.js';
import { columnNames, encodeRow, POD_COST_TABLE } from '../services/sink/tables.js';
import { compared, type Benchmark, type Figure } from './bench-types.js';
import { createBenchDatabase } from './pipeline-harness.js';

const ROWS = 60_000;
// A 2000-container cluster: a batch of 20 000 rows holds ten one-minute windows of it.
const CONTAINERS = 2000;
const BATCH_ROWS = 20_000;
const ROUNDS = 3;
const HOUR = 3_600_000;

function records(start: number): PodCost[] {
  return Array.from({ length: ROWS }, (_, i) => ({
    cluster: 'bench',
    namespace: `ns-${i % 20}`,
    podUid: `00000000-0000-4000-8000-${String(i % CONTAINERS).padStart(12, '0')}`,
    podName: `app-${i % 200}-7d9f8b6c5-${(i % CONTAINERS).toString(36)}`,
    container: i % 3 === 0 ? 'sidecar' : 'app',
    nodeName: `ip-10-0-${i % 40}-23.eu-west-1.compute.internal`,
    workloadKind: 'Deployment',
    workloadName: `app-${i % 200}`,
    labels: { app: `app-${i % 200}`, team: `team-${i % 7}` },
    // In stream order, as the processor publishes them: every container of the cluster per one-minute window.
    windowStart: start + Math.floor(i / CONTAINERS) * 60_000,
    windowSeconds: 60,
    cpuRequestCores: 0.25,
    cpuUsageCoresAvg: 0.1 + (i % 17) / 100,
    cpuAllocatedCores: 0.27,
    memoryRequestBytes: 268_435_456,
    memoryUsageBytesAvg: 201_326_592 + i,
    memoryWorkingSetMaxBytes: 201_326_592 + i,
    memoryAllocatedBytes: 268_435_456,
    gpuRequest: 0,
    gpuAllocated: 0,
    cpuCostUsd: 0.000142249 + i * 1e-12,
    memoryCostUsd: 0.0000176541,
    gpuCostUsd: 0,
    storageCostUsd: 0.0000009,
    networkCostUsd: 0,
    totalCostUsd: 0.0001608031 + i * 1e-12,
    onDemandCostUsd: 0.0001608031,
    spotSavingsUsd: 0,
    capacityType: 'ON_DEMAND',
    instanceType: 'm5.xlarge',
    region: 'eu-west-1',
    priceSource: i % 10 === 0 ? 'default' : 'aws-pricing',
    priceEffectiveFrom: start - 30 * 24 * HOUR,
    flags: i % 50 === 0 ? ['GAP'] : [],
    volumes: [],
  }));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const bench: Benchmark = async ({ kafkaBrokers, databaseUrl, log }) => {
  const { pool, drop } = await createBenchDatabase(databaseUrl, 'kcost_bench_sink', { maxConnections: 4, log });
  try {
    const start = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 24 * HOUR;
    await pool.query('SELECT kcost_ensure_partitions($1::date, $2::date)', [new Date(start).toISOString().slice(0, 10), new Date(start + 48 * HOUR).toISOString().slice(0, 10)]);
    const rows = records(start);
    const lines = rows.map((r) => encodeRow(POD_COST_TABLE, r));
    const columns = columnNames(POD_COST_TABLE);
    const reset = () => pool.query('TRUNCATE pod_cost, pod_cost_hourly, pod_cost_daily, sink_offset');

    const rawCopy = async (): Promise<number> => {
      const client = await pool.connect();
      try {
        const t0 = performance.now();
        for (let i = 0; i < lines.length; i += BATCH_ROWS) await copyRows(client, 'pod_cost', columns, lines.slice(i, i + BATCH_ROWS));
        return ROWS / ((performance.now() - t0) / 1000);
      } finally {
        client.release();
      }
    };
    const sinkWrite = async (): Promise<number> => {
      const writer = new BatchWriter({ pool, variant: 'postgres', group: 'bench', logger: silentLogger(), reject: () => Promise.resolve() });
      const t0 = performance.now();
      for (let i = 0; i < rows.length; i += BATCH_ROWS) {
        const part = rows.slice(i, i + BATCH_ROWS).map((value, j) => ({ offset: String(i + j), key: null, value }));
        await writer.write({ topic: 'bench', partition: 0, schema: 'PodCost', records: part, nextOffset: String(i + part.length) });
      }
      return ROWS / ((performance.now() - t0) / 1000);
    };

    const raw: number[] = [];
    const sink: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await reset();
      raw.push(await rawCopy());
      await reset();
      sink.push(await sinkWrite());
      log(`round ${round + 1}: raw COPY ${raw.at(-1)?.toFixed(0)} rows/s, sink ${sink.at(-1)?.toFixed(0)} rows/s`);
    }
    const rawRate = median(raw);
    const figures: Figure[] = [
      compared('sink load rate (validate, encode, COPY, rollups, offsets, commit)', 'rows/s', 'higher', median(sink), { label: 'raw COPY of the same rows', value: rawRate }, {
        text: 'ratio >= 0.7',
        test: (ratio) => ratio >= 0.7,
      }),
    ];

    await reset();
    const endToEnd = await endToEndRate(kafkaBrokers, pool, rows, log);
    figures.push(compared('kcost sink end to end from Kafka (fetch, decode, load)', 'rows/s', 'higher', endToEnd, { label: 'raw COPY of the same rows', value: rawRate }));
    return {
      name: 'sink',
      description: `kcost sink loading ${ROWS} PodCost rows (a ${CONTAINERS}-container cluster, 200 workloads in 20 namespaces, ${ROWS / CONTAINERS} one-minute windows) in batches of ${BATCH_ROWS} into pod_cost (plain PostgreSQL path: daily partitions, indexes, rollups maintained in the same transaction), against a raw COPY of the same pre-encoded rows into the same table. Median of ${ROUNDS} alternating rounds.`,
      figures,
      notes: [
        `raw COPY rounds: ${raw.map((r) => r.toFixed(0)).join(', ')} rows/s; sink rounds: ${sink.map((r) => r.toFixed(0)).join(', ')} rows/s`,
        'The raw COPY baseline gets its rows already encoded; the sink encodes them, validates them, and also writes the hourly and daily rollups and its offset row in the same transaction.',
        'The end-to-end figure includes Kafka fetches and Avro decoding on the same 2-core machine as the broker and the database; it counts the rows loaded after the first transaction over the time from that transaction to the last, so the group join is excluded.',
      ],
    };
  } finally {
    await drop();
  }
};

async function endToEndRate(brokers: string[], pool: pg.Pool, rows: PodCost[], log: (line: string) => void): Promise<number> {
  const logger = silentLogger();
  const kafka = createKafka({ brokers, clientId: 'bench-sink', logger });
  const suffix = Date.now().toString(36);
  const topic = `bench.sink.costs.${suffix}`;
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await provisionTopics(kafkaAdmin, [{ ...TOPICS.costs, name: topic, partitions: 3 }, TOPICS.deadLetter]);
  const codec = createCodec({ schemaRegistryUrl: '' });
  const rawProducer = createProducer(kafka);
  await rawProducer.connect();
  const producer = new BatchingProducer({ producer: rawProducer, codec, logger, maxBatchRecords: 5000 });
  await producer.publish(rows.map((value) => ({ topic, key: podKey(value), schema: 'PodCost' as const, value })));
  log(`end to end: produced ${rows.length} records to ${topic}`);
  const registry = new Registry();
  const consumerMetrics = createConsumerMetrics(registry);
  const sink = buildSink(
    {
      kafka, pool, codec, variant: 'postgres', consumerMetrics, metrics: createSinkMetrics(registry), logger,
      deadLetters: new DeadLetterPublisher({ producer, service: 'sink', counter: consumerMetrics.deadLetters, logger }),
    },
    {
      groupId: `bench-sink-${suffix}`, topics: [{ topic, schema: 'PodCost' }], maxBatchRows: 20_000, maxBatchWaitMillis: 500,
      minFetchBytes: 256 * 1024, maxFetchBytesPerPartition: 8 * 1024 * 1024, sessionTimeoutMillis: 10_000,
      retry: { maxAttempts: 5, initialDelayMillis: 200, maxDelayMillis: 5000 },
    },
  );
  const loaded = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM pod_cost')).rows[0]?.n);
  try {
    await sink.start();
    let first = 0;
    let firstCount = 0;
    const deadline = Date.now() + 300_000;
    for (;;) {
      const n = await loaded();
      if (n > 0 && first === 0) {
        first = performance.now();
        firstCount = n;
      }
      if (n >= rows.length) break;
      if (Date.now() > deadline) throw new Error(`end to end: only ${n} of ${rows.length} rows loaded in 300 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Rows loaded after the first transaction, over the time they took.
    return (rows.length - firstCount) / ((performance.now() - first) / 1000);
  } finally {
    await sink.stop();
    await rawProducer.disconnect();
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
  }
}

export default bench;
