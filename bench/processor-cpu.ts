// CPU of `kcost process` per usage sample over a pre-published backlog, for
// comparing two builds (A/B) in one session on a shared machine: the
// simulator's backlog (the ingest benchmark's cluster) is published once,
// then each build's `kcost process` prices all of it, the builds taking turns
// run after run, each with a fresh group, so that both see the same load
// over time. No sink and no database: only the processor's own work.
//
//   npm run build && KAFKA_BROKERS=127.0.0.1:9092 node dist/bench/processor-cpu.js \
//     --bin /path/to/checkout-a/bin/kcost.js --bin bin/kcost.js --runs 3 [--pod-keyed | --node-window] [--cpu-prof /tmp/prof]
//
// Usage is published keyed by node on the by-node usage topic, or with
// --pod-keyed keyed by pod on the usage topic (the processor's by-node copy),
// or with --node-window as one NodeUsage record per node and window on the
// node-window usage topic. The processor reads the usage topic and the one
// node-keyed topic of the mode, so every mode has one empty lane to wait for.
//
// Prints, per run, the CPU (user + system, from the process's own /metrics)
// per sample and the samples/s from process start to the last PodCost, and
// the median per build. A run ends once the costs topic has not grown for
// QUIET_MILLIS (the last windows wait for idle marks, 10 s): the CPU of that
// wait (timers only) is included, as in the ingest benchmark.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCodec } from '../services/codec/create-codec.js';
import { createKafka } from '../services/kafka/kafka-client.js';
import { silentLogger } from '../services/log/logger.js';
import { publishEvents } from '../services/simulator/sim-publisher.js';
import { createSimulation } from '../services/simulator/simulation.js';
import { benchProducer, createPipelineTopics, processCpuSeconds, stopProcess, type PipelineTopics } from './pipeline-harness.js';
import type { KcostProcess } from './kcost-process.js';

const HOUR = 3_600_000;
const SCALE = { nodes: 20, pods: 300, hours: 12, windowSeconds: 60 };
const QUIET_MILLIS = 15_000;

const { values } = parseArgs({
  options: {
    bin: { type: 'string', multiple: true },
    runs: { type: 'string', default: '3' },
    'pod-keyed': { type: 'boolean', default: false },
    'node-window': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const bins = (values.bin ?? ['bin/kcost.js']).map((b) => resolve(b));
const runs = Number(values.runs);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const mode = values['node-window'] ? 'node-window' : values['pod-keyed'] ? 'pod-keyed' : 'node-keyed';

function startProcessor(bin: string, topics: PipelineTopics, label: string): KcostProcess {
  const id = randomUUID().slice(0, 8);
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`, `--cpu-prof-name=${label}-${id}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, bin, 'process', '--brokers', brokers.join(','), '--group-id', `${topics.usage}.process-${id}`, '--transactional-id', `cpu-process-${id}`,
    '--kube-topic', topics.kube, '--prices-topic', topics.prices, '--usage-topic', topics.usage,
    ...(mode === 'node-window' ? ['--usage-node-window-topic', topics.usageNodeWindow] : ['--usage-by-node-topic', topics.usageByNode]),
    '--costs-topic', topics.costs, '--node-costs-topic', topics.nodeCosts, '--anomalies-topic', topics.anomalies, '--dead-letter-topic', topics.deadLetter,
    '--health-port', '0', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | string>((done) => child.on('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
  return { child, output, exited };
}

async function main(): Promise<void> {
  const kafka = createKafka({ brokers, clientId: 'bench-processor-cpu', logger: silentLogger() });
  const codec = createCodec({ schemaRegistryUrl: '' });
  const { topics, drop } = await createPipelineTopics(kafka, 'bench.cpu');
  const admin = kafka.admin();
  await admin.connect();
  const costsEnd = async () => (await admin.fetchTopicOffsets(topics.costs)).reduce((sum, p) => sum + Number(p.high), 0);
  try {
    const { producer, disconnect } = await benchProducer(kafka, codec);
    const startMillis = Math.floor(Date.now() / HOUR) * HOUR - (SCALE.hours + 1) * HOUR;
    const simulation = createSimulation({
      cluster: 'bench', seed: 7, nodes: SCALE.nodes, pods: SCALE.pods, startMillis, durationMillis: SCALE.hours * HOUR, windowSeconds: SCALE.windowSeconds,
      topics: {
        kube: topics.kube,
        usage: topics.usage,
        usageByNode: mode === 'node-keyed' ? topics.usageByNode : '',
        usageNodeWindow: mode === 'node-window' ? topics.usageNodeWindow : '',
        prices: topics.prices,
      },
    });
    const published = await publishEvents(simulation.events(), {
      publish: (records) => producer.publish(records),
      speed: Number.POSITIVE_INFINITY, clock: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), isStopped: () => false, chunkRecords: 5000,
    });
    await disconnect();
    const samples = published.usageSamples;
    console.log(`published ${samples} usage samples in ${published.records} records (${mode})`);

    const results = new Map<string, { cpu: number[]; rate: number[] }>(bins.map((b) => [b, { cpu: [], rate: [] }]));
    for (let run = 1; run <= runs; run++) {
      for (const [i, bin] of bins.entries()) {
        const before = await costsEnd();
        const t0 = performance.now();
        const processor = startProcessor(bin, topics, `b${i}-r${run}`);
        let end = before;
        let lastGrowth = performance.now();
        while (performance.now() - lastGrowth < QUIET_MILLIS || end === before) {
          await new Promise((r) => setTimeout(r, 250));
          const now = await costsEnd();
          if (now !== end) [end, lastGrowth] = [now, performance.now()];
          if (processor.child.exitCode !== null) throw new Error(`kcost process exited:\n${processor.output.slice(-20).join('\n')}`);
        }
        const cpu = await processCpuSeconds(processor);
        await stopProcess(processor);
        const seconds = (lastGrowth - t0) / 1000;
        const result = results.get(bin)!;
        result.cpu.push((cpu / samples) * 1e6);
        result.rate.push(samples / seconds);
        console.log(`run ${run} build ${i} (${bin}): ${end - before} PodCosts in ${seconds.toFixed(1)} s, ${(samples / seconds).toFixed(0)} samples/s, ${cpu.toFixed(1)} s CPU, ${((cpu / samples) * 1e6).toFixed(1)} µs per sample`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    for (const [i, bin] of bins.entries()) {
      const { cpu, rate } = results.get(bin)!;
      console.log(`build ${i} (${bin}): median ${median(cpu).toFixed(1)} µs per sample [${cpu.map((c) => c.toFixed(1)).join(', ')}], ${median(rate).toFixed(0)} samples/s [${rate.map((r) => r.toFixed(0)).join(', ')}]`);
    }
  } finally {
    await admin.disconnect();
    await drop();
  }
}

await main();
