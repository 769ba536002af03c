// Child process of the memory benchmark: builds one kind of state (or none,
// for the idle baseline), lets everything else be collected, and prints the
// resident set size as JSON. Run with --expose-gc; one state per process, so
// no measurement inherits another's heap. With a path as third argument it
// also writes a heap snapshot of that state there, after measuring (see
// docs/performance.md, "Where the processor's memory goes").
//   node --expose-gc dist/bench/memory-child.js <idle|processor|exporter> <pods> [snapshot.heapsnapshot]
import { writeHeapSnapshot } from 'node:v8';
import type { KubeObject } from '../services/codec/records.generated.js';
import { ClusterState } from '../services/processor/cluster-state.js';
import { PriceHistory } from '../services/processor/price-history.js';
import { container, nodeObject, podObject, priceUpdate } from '../services/processor/record-builders.js';
import { fillStore, syntheticCluster } from './exporter.bench.js';

const PODS_PER_NODE = 30;
const NAMESPACES = 100;
const INSTANCE_TYPES = 40;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const HOUR = 3_600_000;
// A day of price history: hourly spot moves per type and zone, one on-demand price per type.
const PRICE_HOURS = 24;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) collect();
}

/** The processor's state as `kcost process` holds it: every node and running pod, and the price history. */
function processorState(pods: number): { state: ClusterState; prices: PriceHistory } {
  const state = new ClusterState();
  const nodes = Math.ceil(pods / PODS_PER_NODE);
  const nodeName = (n: number) => `ip-10-${n >> 16}-${(n >> 8) & 255}-${n & 255}.ec2.internal`;
  for (let n = 0; n < nodes; n++) {
    state.apply(nodeObject({ name: nodeName(n), instanceType: `m5.type${n % INSTANCE_TYPES}`, zone: ZONES[n % 3], capacityType: n % 3 === 0 ? 'SPOT' : 'ON_DEMAND', cores: 8, memoryGib: 32 }));
  }
  // Every pod gets objects of its own and its own copies of namespace, node
  // name, workload name and label values, as records decoded from Kafka do:
  // what pods have in common, the state itself must share.
  for (let p = 0; p < pods; p++) {
    const workload = `service-${p % 500}`;
    const pod: KubeObject = podObject({
      namespace: `team-${p % NAMESPACES}`,
      name: `${workload}-7d9f8c6b5-${p.toString(36).padStart(5, 'x')}`,
      uid: `00000000-0000-4000-8000-${String(p).padStart(12, '0')}`,
      nodeName: nodeName(Math.floor(p / PODS_PER_NODE)),
      containers: p % 3 === 0 ? [container('app', 0.25, 0.5), container('istio-proxy', 0.1, 0.125)] : [container('app', 0.25, 0.5)],
      workload: { kind: 'Deployment', name: workload },
      labels: { app: workload, team: `team-${p % NAMESPACES}`, 'pod-template-hash': '7d9f8c6b5' },
      createdAt: 1_700_000_000_000,
    });
    state.apply(pod);
  }
  const prices = new PriceHistory();
  for (let t = 0; t < INSTANCE_TYPES; t++) {
    prices.add(priceUpdate({ sku: `m5.type${t}`, effectiveFrom: 0, hourlyUsd: 0.192 + t / 100 }));
    for (const zone of ZONES) {
      for (let h = 0; h < PRICE_HOURS; h++) prices.add(priceUpdate({ sku: `m5.type${t}`, zone, capacityType: 'SPOT', effectiveFrom: h * HOUR, hourlyUsd: 0.06 + (h % 5) / 100, source: 'aws-spot-history' }));
    }
  }
  return { state, prices };
}

const [kind, podsArg, snapshotPath] = process.argv.slice(2);
const pods = Number(podsArg ?? 0);
let keep: unknown;
if (kind === 'processor') keep = processorState(pods);
else if (kind === 'exporter') keep = fillStore(syntheticCluster(pods));
else if (kind !== 'idle') throw new Error(`unknown state kind ${kind}`);
gc();
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write(`${JSON.stringify({ kind, pods, rss, heapUsed, kept: keep !== undefined })}\n`);
if (snapshotPath) writeHeapSnapshot(snapshotPath);
