// Kafka and Avro cost of usage as one record per container and window (today's
// UsageSample) against one record per node and window holding all of its
// containers' samples (issue 20's proposal; not a kcost contract: the schema
// below exists only in this benchmark). Both ways the same samples go through
// Avro single-object encoding, kafkajs's record-batch encoding, its decoding
// and the Avro decoding; no broker, no pricing. The figure is the CPU time per
// sample, against the per-container records measured in the same run.
import { createRequire } from 'node:module';
import avro from 'avsc';
import { createCodec } from '../services/codec/create-codec.js';
import type { UsageSample } from '../services/codec/records.generated.js';
import { compared, type Benchmark } from './bench-types.js';

const require = createRequire(import.meta.url);
type RecordArgs = { key: string; value: Buffer; offsetDelta: number; timestampDelta: number };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (args: RecordArgs) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (args: object) => Promise<{ buffer: Buffer }> };
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{ records: Array<{ value: Buffer }> }>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;

const SCALE = { nodes: 20, containersPerNode: 40, windows: 30 };
const ROUNDS = 5;
/** Records per record batch, as a 768 KiB produce request of UsageSamples holds about. */
const RECORDS_PER_BATCH = 3000;

/** One node's window: what a collector sees at once. Only in this benchmark. */
const nodeWindowType = avro.Type.forSchema({
  type: 'record', name: 'NodeUsageWindow', namespace: 'kcost.bench',
  fields: [
    { name: 'cluster', type: 'string' }, { name: 'nodeName', type: 'string' },
    { name: 'windowStart', type: 'long' }, { name: 'windowSeconds', type: 'int' },
    { name: 'containers', type: { type: 'array', items: { type: 'record', name: 'ContainerUsage', fields: [
      { name: 'namespace', type: 'string' }, { name: 'podUid', type: 'string' }, { name: 'podName', type: 'string' }, { name: 'container', type: 'string' },
      { name: 'cpuCoreSeconds', type: 'double' }, { name: 'memoryWorkingSetAvgBytes', type: 'double' }, { name: 'memoryWorkingSetMaxBytes', type: 'long' },
      { name: 'networkRxBytes', type: ['null', 'long'] }, { name: 'networkTxBytes', type: ['null', 'long'] }, { name: 'gap', type: 'boolean' }, { name: 'source', type: 'string' },
    ] } } },
  ],
}, { wrapUnions: 'never' });

function samplesOf(node: number, window: number): UsageSample[] {
  return Array.from({ length: SCALE.containersPerNode }, (_, c) => ({
    cluster: 'bench', namespace: `team-${c % 7}`, podUid: `6d1b6c1e-${node}-${c}-0000-4000-8000-00000000beef`, podName: `api-${node}-${c}-7d9f`, container: c % 3 === 0 ? 'sidecar' : 'app',
    nodeName: `ip-10-0-${node}-17.ec2.internal`, windowStart: 1_700_000_000_000 + window * 60_000, windowSeconds: 60,
    cpuCoreSeconds: 12.5 + c, memoryWorkingSetAvgBytes: 268_435_456 + c, memoryWorkingSetMaxBytes: 301_989_888 + c, networkRxBytes: 1024 * c, networkTxBytes: null, gap: false, source: 'metrics-api',
  }));
}

/** Encodes the messages into record batches as a producer would, then decodes them as a consumer would; returns the values read. */
async function throughKafkajs(messages: ReadonlyArray<{ key: string; value: Buffer }>): Promise<Buffer[]> {
  const values: Buffer[] = [];
  for (let i = 0; i < messages.length; i += RECORDS_PER_BATCH) {
    const slice = messages.slice(i, i + RECORDS_PER_BATCH);
    const now = Date.now();
    const batch = await RecordBatch({ records: slice.map((m, j) => Record({ ...m, offsetDelta: j, timestampDelta: 0 })), firstTimestamp: now, maxTimestamp: now, lastOffsetDelta: slice.length - 1 });
    for (const record of (await decodeBatch(new Decoder(batch.buffer))).records) values.push(record.value);
  }
  return values;
}

const benchmark: Benchmark = async ({ log }) => {
  const codec = createCodec({ schemaRegistryUrl: '' });
  const windows = Array.from({ length: SCALE.windows }, (_, w) => Array.from({ length: SCALE.nodes }, (_, n) => samplesOf(n, w)));
  const samples = SCALE.nodes * SCALE.containersPerNode * SCALE.windows;

  const perContainer = async (): Promise<number> => {
    const messages = [];
    for (const nodes of windows) for (const node of nodes) for (const sample of node) messages.push({ key: `bench/${sample.nodeName}`, value: await codec.encode('UsageSample', sample) });
    let read = 0;
    for (const value of await throughKafkajs(messages)) read += (await codec.decodeAs('UsageSample', value)).container.length > 0 ? 1 : 0;
    return read;
  };
  const perNodeWindow = async (): Promise<number> => {
    const messages = [];
    for (const nodes of windows) {
      for (const node of nodes) {
        const first = node[0] as UsageSample;
        const record = { cluster: first.cluster, nodeName: first.nodeName, windowStart: first.windowStart, windowSeconds: first.windowSeconds, containers: node };
        messages.push({ key: `bench/${first.nodeName}`, value: nodeWindowType.toBuffer(record) });
      }
    }
    let read = 0;
    for (const value of await throughKafkajs(messages)) read += (nodeWindowType.fromBuffer(value) as { containers: unknown[] }).containers.length;
    return read;
  };

  const timings = { perContainer: [] as number[], perNodeWindow: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of [['perContainer', perContainer], ['perNodeWindow', perNodeWindow]] as const) {
      const before = process.cpuUsage();
      const read = await run();
      const used = process.cpuUsage(before);
      if (read !== samples) throw new Error(`${name} read ${read} of ${samples} samples`);
      timings[name].push(((used.user + used.system) / samples));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const [container, nodeWindow] = [median(timings.perContainer), median(timings.perNodeWindow)];
  log(`node-window-record: ${container.toFixed(2)} µs per sample per container, ${nodeWindow.toFixed(2)} per node window (${SCALE.containersPerNode} containers)`);
  return {
    name: 'node-window-record',
    description: `CPU per usage sample of Avro encode, kafkajs record-batch encode and decode and Avro decode: one record per node and window (${SCALE.containersPerNode} containers) against one per container.`,
    figures: [compared('Kafka + Avro CPU per sample, one record per node window', 'µs', 'lower', nodeWindow, { label: 'one record per container', value: container })],
    notes: [
      `${samples} samples (${SCALE.nodes} nodes × ${SCALE.containersPerNode} containers × ${SCALE.windows} windows), median of ${ROUNDS} rounds taking turns; process CPU time (user + system), in this one process.`,
      'No broker: the per-request costs (network, produce and fetch requests, transactions) come on top, and shrink with fewer records too. The node-window schema is the benchmark\'s own, not a kcost topic.',
    ],
  };
};

export default benchmark;
