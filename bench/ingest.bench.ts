// Ingest throughput: usage samples per second from the usage topic through
// `kcost process` and `kcost sink` into PostgreSQL, next to a raw COPY of
// the very rows the pipeline wrote into the same indexed tables, same run.
// Twice: with the processor and the sink as processes of their own (the
// built CLI, as they are deployed), then both in this one Node process.
//  - The simulator's event stream (state, prices, usage) is published first
//    to unique copies of the topics; nothing runs while it is published.
//  - pipeline: the sink starts and waits; the clock starts when the processor
//    starts (state rebuild, group join included) and stops when the last row
//    reached the database (the row counts then stay unchanged for 8 s).
//  - raw COPY: the rows the pipeline loaded are copied out, the tables
//    truncated, and the same rows copied back in with COPY, batches of 20k.
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Codec } from '../services/codec/codec.js';
import { createCodec } from '../services/codec/create-codec.js';
import { copyRows } from '../services/db/copy-rows.js';
import { createKafka } from '../services/kafka/kafka-client.js';
import { silentLogger } from '../services/log/logger.js';
import { publishEvents } from '../services/simulator/sim-publisher.js';
import { createSimulation } from '../services/simulator/simulation.js';
import { compared, type Benchmark, type Figure } from './bench-types.js';
import { benchProcessor, benchProducer, createBenchDatabase, createPipelineTopics, processCpuSeconds, startBenchSink, startProcessorProcess, startSinkProcess, stopProcess, type PipelineTopics } from './pipeline-harness.js';

const HOUR = 3_600_000;
const SCALE = { nodes: 20, pods: 300, hours: 12, windowSeconds: 60 };
const TABLES = ['pod_cost', 'node_cost', 'cost_anomaly'] as const;
const SETTLE_MILLIS = 8_000;
const COPY_BATCH = 20_000;

async function rowCounts(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT (${TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(' + ')}) AS n`);
  return Number(rows[0]?.n ?? 0);
}

/** Every row of a table as COPY text lines, in the table's column order. */
async function copyOut(client: pg.PoolClient, table: string, columns: readonly string[]): Promise<string[]> {
  // COPY (SELECT …): a partitioned table cannot be copied out directly.
  const stream = client.query(copyTo(`COPY (SELECT ${columns.join(', ')} FROM ${table}) TO STDOUT`));
  let text = '';
  for await (const chunk of stream) text += (chunk as Buffer).toString('utf8');
  return text === '' ? [] : text.split(/(?<=\n)/);
}

async function columnsOf(pool: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await pool.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    [table],
  );
  return rows.map((r) => r.column_name);
}

/**
 * processes: `kcost process` and `kcost sink` as processes of their own, usage keyed by node on the by-node usage topic
 * (as the simulator and collectors publish it with --usage-by-node-topic); pod-keyed: the same, with usage keyed by pod
 * on the usage topic, as older producers publish it, so it takes the processor's by-node copy; node-window: the same,
 * with usage as one NodeUsage record per node and window (--usage-node-window-topic); in-process: both roles in this
 * process, usage keyed by node. KCOST_BENCH_INGEST_MODES (comma-separated) runs only some of them.
 */
const MODES = ['processes', 'pod-keyed', 'node-window', 'in-process'] as const;
type Mode = (typeof MODES)[number];

interface Run {
  readonly samples: number;
  readonly records: number;
  readonly rows: number;
  readonly pipelineSeconds: number;
  /** From processor start to the first row in the database. */
  readonly firstRowSeconds: number;
  /** From processor start to the first PodCost on the costs topic, and to the last (the processor's own share). */
  readonly firstCostSeconds: number;
  readonly processorSeconds: number;
  /** CPU (user + system) `kcost process` used, by its own accounting; null when it ran in this process. */
  readonly processorCpuSeconds: number | null;
  readonly copySeconds: number;
}

/** Starts the processor and the sink (the sink ready first) in `mode`; stop() stops both. */
async function startPipeline(mode: Mode, kafka: Kafka, codec: Codec, brokers: readonly string[], database: { pool: pg.Pool; url: string }, topics: PipelineTopics): Promise<{ startProcessor: () => Promise<void>; processorCpuSeconds: () => Promise<number | null>; timeline: () => string; stop: () => Promise<void> }> {
  if (mode !== 'in-process') {
    const sink = await startSinkProcess(brokers, database.url, topics);
    let processor: ReturnType<typeof startProcessorProcess> | undefined;
    return {
      startProcessor: async () => void (processor = startProcessorProcess(brokers, topics)),
      processorCpuSeconds: () => (processor ? processCpuSeconds(processor) : Promise.resolve(null)),
      timeline: () => startTimeline(processor?.output ?? []),
      stop: async () => {
        if (processor) await stopProcess(processor);
        await stopProcess(sink);
      },
    };
  }
  const sink = await startBenchSink(kafka, codec, database.pool, topics, 500);
  const processor = benchProcessor(kafka, codec, topics);
  return {
    startProcessor: () => processor.start(),
    processorCpuSeconds: () => Promise.resolve(null),
    timeline: () => '',
    stop: async () => {
      await processor.stop();
      await sink.stop();
    },
  };
}

async function runOnce(mode: Mode, { kafkaBrokers, databaseUrl, log }: Parameters<Benchmark>[0]): Promise<Run> {
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'bench-ingest', logger: silentLogger() });
  const codec = createCodec({ schemaRegistryUrl: '' });
  const database = await createBenchDatabase(databaseUrl, 'kcost_bench_ingest');
  const { topics, drop: dropTopics } = await createPipelineTopics(kafka, 'bench.ingest');
  const { producer, disconnect } = await benchProducer(kafka, codec);
  try {
    // Recent event time, so the processor's state retention keeps everything it is sent.
    const startMillis = Math.floor(Date.now() / HOUR) * HOUR - (SCALE.hours + 1) * HOUR;
    const simulation = createSimulation({
      cluster: 'bench', seed: 7, nodes: SCALE.nodes, pods: SCALE.pods, startMillis, durationMillis: SCALE.hours * HOUR, windowSeconds: SCALE.windowSeconds,
      topics: {
        kube: topics.kube,
        usage: topics.usage,
        usageByNode: mode === 'pod-keyed' || mode === 'node-window' ? '' : topics.usageByNode,
        usageNodeWindow: mode === 'node-window' ? topics.usageNodeWindow : '',
        prices: topics.prices,
      },
    });
    const published = await publishEvents(simulation.events(), {
      publish: (records) => producer.publish(records),
      speed: Number.POSITIVE_INFINITY, clock: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), isStopped: () => false, chunkRecords: 5000,
    });
    const samples = published.usageSamples;
    log(`${mode}: published ${published.records} records (${samples} usage samples) in ${published.elapsedMillis} ms`);

    const pipeline = await startPipeline(mode, kafka, codec, kafkaBrokers, database, topics);
    let rows = 0;
    let lastChange = 0;
    let firstRow = Number.NaN;
    // The processor's own timeline, from the costs topic's end (which moves as its transactions write).
    let costsEnd = 0;
    let firstCost = Number.NaN;
    let lastCost = Number.NaN;
    const admin = kafka.admin();
    await admin.connect();
    let processorCpuSeconds: number | null;
    const t0 = performance.now();
    try {
      await pipeline.startProcessor();
      lastChange = performance.now();
      const deadline = Date.now() + 240_000;
      for (;;) {
        const end = (await admin.fetchTopicOffsets(topics.costs)).reduce((sum, p) => sum + Number(p.high), 0);
        if (end !== costsEnd) {
          if (costsEnd === 0) firstCost = performance.now();
          costsEnd = end;
          lastCost = performance.now();
        }
        const n = await rowCounts(database.pool);
        if (n !== rows) {
          if (rows === 0) firstRow = performance.now();
          rows = n;
          lastChange = performance.now();
        } else if (rows > 0 && performance.now() - lastChange > SETTLE_MILLIS) break;
        if (Date.now() > deadline) throw new Error(`only ${rows} rows loaded in 240 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // Includes the settling seconds, in which an idle processor runs only its timers.
      processorCpuSeconds = await pipeline.processorCpuSeconds();
    } finally {
      await admin.disconnect();
      await pipeline.stop();
    }
    const pipelineSeconds = (lastChange - t0) / 1000;
    const firstRowSeconds = (firstRow - t0) / 1000;
    const firstCostSeconds = (firstCost - t0) / 1000;
    const processorSeconds = (lastCost - t0) / 1000;
    const cpu = processorCpuSeconds === null ? '' : `; kcost process used ${processorCpuSeconds.toFixed(1)} s of CPU, ${((processorCpuSeconds / samples) * 1e6).toFixed(1)} µs per sample`;
    const timeline = pipeline.timeline();
    if (timeline) log(`${mode}: processor start timeline (ms since its process started): ${timeline}`);
    log(`${mode}: ${samples} samples → ${rows} rows in ${pipelineSeconds.toFixed(1)} s, first row after ${firstRowSeconds.toFixed(1)} s; costs published from ${firstCostSeconds.toFixed(1)} s to ${processorSeconds.toFixed(1)} s${cpu}`);

    // The baseline: the same rows, COPY'd into the same (emptied, indexed) tables.
    const client = await database.pool.connect();
    let copySeconds: number;
    try {
      const dumps = [];
      for (const table of TABLES) {
        const columns = await columnsOf(database.pool, table);
        dumps.push({ table, columns, lines: await copyOut(client, table, columns) });
      }
      await client.query(`TRUNCATE ${TABLES.join(', ')}`);
      const c0 = performance.now();
      for (const { table, columns, lines } of dumps) {
        for (let i = 0; i < lines.length; i += COPY_BATCH) await copyRows(client, table, columns, lines.slice(i, i + COPY_BATCH));
      }
      copySeconds = (performance.now() - c0) / 1000;
    } finally {
      client.release();
    }
    log(`${mode}: raw COPY of the same ${rows} rows: ${copySeconds.toFixed(2)} s`);
    return { samples, records: published.records, rows, pipelineSeconds, firstRowSeconds, firstCostSeconds, processorSeconds, processorCpuSeconds, copySeconds };
  } finally {
    await disconnect();
    await dropTopics();
    await database.drop();
  }
}

const TARGET = { text: 'ratio >= 0.5 and value >= 100k samples/s', test: (ratio: number, value: number) => ratio >= 0.5 && value >= 100_000 };

/** CPU of `kcost process` per usage sample, by its own accounting (separate processes only: in one process the sink's CPU is mixed in). */
function cpuFigure(mode: Mode, cpuSecondsPerSample: number): Figure {
  const value = cpuSecondsPerSample * 1e6;
  return { metric: `CPU (user + system) of kcost process per usage sample (${mode})`, value, unit: 'µs', better: 'lower', target: { text: 'value <= 35 µs', met: value <= 35 } };
}

/** The processor's first-event log lines (each with msSinceProcessStart), as `message [group] @ms`, in order. */
function startTimeline(output: readonly string[]): string {
  const events: Array<{ at: number; text: string }> = [];
  for (const line of output) {
    try {
      const entry = JSON.parse(line) as { msSinceProcessStart?: number; msg?: string; group?: string };
      if (typeof entry.msSinceProcessStart === 'number') events.push({ at: entry.msSinceProcessStart, text: `${entry.msg ?? ''}${entry.group ? ` [${entry.group.replace(/^.*?(\.price|\.score)?$/, (_, s: string | undefined) => s ?? 'route')}]` : ''} @${entry.msSinceProcessStart}` });
    } catch {
      // Not a JSON log line.
    }
  }
  return events.sort((a, b) => a.at - b.at).map((e) => e.text).join('; ');
}

/** From processor start (a whole backlog waiting) to the first row in the database. */
function firstRowFigure(mode: Mode, seconds: number): Figure {
  return { metric: `time from processor start to the first row in the database, whole backlog waiting (${mode})`, value: seconds, unit: 's', better: 'lower', target: { text: 'value < 5 s', met: seconds < 5 } };
}

const bench: Benchmark = async (context) => {
  const wanted = (process.env.KCOST_BENCH_INGEST_MODES ?? MODES.join(',')).split(',');
  const runs: [Mode, Run][] = [];
  for (const mode of MODES) if (wanted.includes(mode)) runs.push([mode, await runOnce(mode, context)]);
  const label: Record<Mode, string> = {
    processes: 'ingest rate, usage keyed by node → processor → sink → PostgreSQL (separate processes, as deployed)',
    'pod-keyed': 'ingest rate, usage keyed by pod (older producers: through the by-node copy), separate processes',
    'node-window': 'ingest rate, usage as one NodeUsage record per node and window, separate processes',
    'in-process': 'ingest rate, usage keyed by node, with processor and sink in one Node process',
  };
  const figure = (mode: Mode, run: Run): Figure =>
    compared(label[mode], 'samples/s', 'higher', run.samples / run.pipelineSeconds, { label: 'raw COPY of the same resulting rows', value: run.samples / run.copySeconds }, TARGET);
  const note = (mode: Mode, run: Run) =>
    `${mode}: pipeline ${run.pipelineSeconds.toFixed(1)} s for ${run.samples} samples → ${run.rows} rows, the first row after ${run.firstRowSeconds.toFixed(1)} s; the processor published PodCost from ${run.firstCostSeconds.toFixed(1)} s to ${run.processorSeconds.toFixed(1)} s (${(run.samples / run.processorSeconds).toFixed(0)} samples/s through the processor alone); raw COPY ${run.copySeconds.toFixed(2)} s for the same rows (${(run.rows / run.copySeconds).toFixed(0)} rows/s).` +
    (run.processorCpuSeconds === null ? '' : ` kcost process used ${run.processorCpuSeconds.toFixed(1)} s of CPU (user + system, from its /metrics once the rows had settled, so with up to 8 s of idle timers).`);
  const first = runs[0]?.[1];
  return {
    name: 'ingest',
    description: `The simulator's ${SCALE.nodes}-node, ${SCALE.pods}-pod cluster over ${SCALE.hours} h of ${SCALE.windowSeconds} s windows (${first?.samples ?? 0} usage samples, ${first?.records ?? 0} records in all), pre-published to unique topics, then priced by \`kcost process\` and loaded by \`kcost sink\` into a fresh migrated database; timed from processor start to the last row loaded. Run in up to four ways, each on fresh topics and a fresh database: \`kcost process\` and \`kcost sink\` as processes of their own (the built CLI with the roles' defaults, as they are deployed) with usage keyed by node on the by-node usage topic; the same with usage keyed by pod on the usage topic (older producers); the same with usage as NodeUsage records on the node-window usage topic; and with both roles built in the benchmark's one Node process. Baseline, for each run: the rows it loaded (pod_cost, node_cost, cost_anomaly) copied out and COPY'd back into the same emptied, indexed tables, expressed per usage sample.`,
    figures: runs.flatMap(([mode, run]) => [
      figure(mode, run),
      ...(run.processorCpuSeconds === null ? [] : [cpuFigure(mode, run.processorCpuSeconds / run.samples), firstRowFigure(mode, run.firstRowSeconds)]),
    ]),
    notes: [
      ...runs.map(([mode, run]) => note(mode, run)),
      'The pipeline time includes the processor rebuilding its state from the kube and prices topics, the consumer group joins, Avro decode and encode, the processor transactions and the sink rollup upserts; the raw COPY does none of these and writes no rollups.',
      'Broker, processor, sink and PostgreSQL share the same 2 cores. In one process, processor and sink also share one JavaScript thread.',
    ],
  };
};

export default bench;
