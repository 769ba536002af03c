// Scrape time of `kcost export` for 10k and 100k pods next to a plain
// prom-client Registry holding the same series, measured in the same run:
// the render of the /metrics body, and a full HTTP scrape over loopback,
// each after the store moved to a new complete window (see WindowFeed).
// Also the heap the exporter's store takes for 100k pods.
import { Agent, createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Counter, Gauge, Registry } from 'prom-client';
import type { NodeCost, PodCost } from '../services/codec/records.generated.js';
import { CostStore } from '../services/exporter/cost-store.js';
import { startMetricsServer } from '../services/exporter/metrics-server.js';
import { compared, type Benchmark, type Figure } from './bench-types.js';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const WINDOW_START = Date.UTC(2024, 2, 10, 12);
const PODS_PER_NODE = 30;
const NAMESPACES = 100;

interface Cluster {
  readonly pods: PodCost[];
  readonly nodes: NodeCost[];
}

/** A synthetic cluster: one container per pod, 30 pods per node, a third of the nodes spot. */
export function syntheticCluster(podCount: number): Cluster {
  const nodes: NodeCost[] = [];
  for (let n = 0; n < Math.ceil(podCount / PODS_PER_NODE); n++) {
    const spot = n % 3 === 0;
    const cost = 0.0016 + (n % 7) * 0.0001;
    nodes.push({
      cluster: 'bench', nodeName: `ip-10-0-${n >> 8}-${n & 255}.eu-west-1.compute.internal`, nodeUid: `node-${n}`, provider: 'aws',
      instanceType: spot ? 'c5.2xlarge' : 'm5.2xlarge', region: 'eu-west-1', zone: 'eu-west-1a', capacityType: spot ? 'SPOT' : 'ON_DEMAND',
      windowStart: WINDOW_START, windowSeconds: 60, cpuCores: 8, memoryBytes: 32 * 2 ** 30, gpuCount: 0,
      cpuCostUsd: cost * 0.7, memoryCostUsd: cost * 0.3, gpuCostUsd: 0, costUsd: cost,
      cpuAllocatedCostUsd: cost * 0.5, memoryAllocatedCostUsd: cost * 0.2, gpuAllocatedCostUsd: 0,
      cpuIdleCostUsd: cost * 0.2, memoryIdleCostUsd: cost * 0.1, gpuIdleCostUsd: 0, idleCostUsd: cost * 0.3,
      onDemandCostUsd: spot ? cost * 3 : cost, spotSavingsUsd: spot ? cost * 2 : 0, priceSource: 'aws-pricing', priceEffectiveFrom: null, flags: [], providerId: null,
    });
  }
  const pods: PodCost[] = [];
  for (let p = 0; p < podCount; p++) {
    const node = nodes[Math.floor(p / PODS_PER_NODE)] as NodeCost;
    const total = 0.00002 + (p % 97) * 0.000001;
    const spot = node.capacityType === 'SPOT';
    pods.push({
      cluster: 'bench', namespace: `team-${p % NAMESPACES}`, podUid: `00000000-0000-4000-8000-${String(p).padStart(12, '0')}`,
      podName: `service-${p % 500}-7d9f8c6b5-${p.toString(36).padStart(5, 'x')}`, container: 'app', nodeName: node.nodeName,
      workloadKind: 'Deployment', workloadName: `service-${p % 500}`, labels: {}, windowStart: WINDOW_START, windowSeconds: 60,
      cpuRequestCores: 0.25, cpuUsageCoresAvg: 0.1, cpuAllocatedCores: 0.25, memoryRequestBytes: 2 ** 29, memoryUsageBytesAvg: 2 ** 28, memoryWorkingSetMaxBytes: 2 ** 28,
      memoryAllocatedBytes: 2 ** 29, gpuRequest: 0, gpuAllocated: 0, cpuCostUsd: total * 0.7, memoryCostUsd: total * 0.3, gpuCostUsd: 0,
      storageCostUsd: 0, networkCostUsd: 0, totalCostUsd: total, onDemandCostUsd: spot ? total * 3 : total, spotSavingsUsd: spot ? total * 2 : 0,
      capacityType: node.capacityType, instanceType: node.instanceType, region: 'eu-west-1', priceSource: 'aws-pricing', priceEffectiveFrom: null, flags: [], volumes: [],
    });
  }
  return { pods, nodes };
}

/** A copy of a pod's cost record for `windowStart`, its costs times `factor`. */
function podInWindow(pod: PodCost, windowStart: number, factor: number): PodCost {
  return {
    ...pod, windowStart, cpuCostUsd: pod.cpuCostUsd * factor, memoryCostUsd: pod.memoryCostUsd * factor, totalCostUsd: pod.totalCostUsd * factor,
    onDemandCostUsd: pod.onDemandCostUsd * factor, spotSavingsUsd: pod.spotSavingsUsd * factor,
  };
}

/** A copy of a node's cost record for `windowStart`, its costs times `factor`. */
function nodeInWindow(node: NodeCost, windowStart: number, factor: number): NodeCost {
  return {
    ...node, windowStart, cpuCostUsd: node.cpuCostUsd * factor, memoryCostUsd: node.memoryCostUsd * factor, costUsd: node.costUsd * factor,
    cpuAllocatedCostUsd: node.cpuAllocatedCostUsd * factor, memoryAllocatedCostUsd: node.memoryAllocatedCostUsd * factor,
    cpuIdleCostUsd: node.cpuIdleCostUsd * factor, memoryIdleCostUsd: node.memoryIdleCostUsd * factor, idleCostUsd: node.idleCostUsd * factor,
    onDemandCostUsd: node.onDemandCostUsd * factor, spotSavingsUsd: node.spotSavingsUsd * factor,
  };
}

/** What differs in a window from the one before: one node and its first pod, or every pod and node. */
export type WindowChange = 'one' | 'all';

/**
 * A store fed one cluster's windows as the exporter reads them. The gauges
 * show a window once it is complete: once a record of a later window has been
 * read and the store sealed (see WindowBook; the exporter seals when it has
 * read up to the end offsets looked up after sealTargets()). So the feed
 * reads a window in full and then seals, which serves the window read before
 * it: the store serves one window and holds the next in full, as the exporter
 * does between two seals.
 */
export class WindowFeed {
  readonly store = new CostStore({ graceMillis: 3_600_000, now: () => WINDOW_START });
  private readonly pods: PodCost[];
  private readonly nodes: NodeCost[];
  /** Every cost, relative to the synthetic cluster's. */
  private factor = 1;
  /** Index of the next window to read (window n starts n minutes after WINDOW_START). */
  private next = 0;

  /** Reads windows 0 and 1 and seals: window 0 is served. */
  constructor(cluster: Cluster) {
    this.pods = [...cluster.pods];
    this.nodes = [...cluster.nodes];
    this.read();
    this.read();
    this.store.seal(this.store.sealTargets());
  }

  /** Start of the window served, in milliseconds. */
  get servedWindowStart(): number {
    return WINDOW_START + (this.next - 2) * 60_000;
  }

  /**
   * Reads the next window, with `change` from the one before, then seals: the
   * window read by the call before is served. Returns how long seal() took
   * (where the window's changed lines are rendered), in milliseconds.
   */
  advance(change: WindowChange): number {
    if (change === 'all') {
      this.factor *= 1.01;
    } else {
      const n = this.next % this.nodes.length;
      const node = this.nodes[n] as NodeCost;
      this.nodes[n] = nodeInWindow(node, node.windowStart, 1.01);
      const p = n * PODS_PER_NODE;
      const pod = this.pods[p];
      if (pod) this.pods[p] = podInWindow(pod, pod.windowStart, 1.01);
    }
    this.read();
    const start = performance.now();
    this.store.seal(this.store.sealTargets());
    return performance.now() - start;
  }

  private read(): void {
    const windowStart = WINDOW_START + this.next * 60_000;
    this.next++;
    for (const pod of this.pods) this.store.applyPodCost(podInWindow(pod, windowStart, this.factor));
    for (const node of this.nodes) this.store.applyNodeCost(nodeInWindow(node, windowStart, this.factor));
  }
}

/** The store serving the cluster's first window, with the second read in full (see WindowFeed). */
export function fillStore(cluster: Cluster): CostStore {
  return new WindowFeed(cluster).store;
}

/** The same series in a prom-client Registry, as an exporter built on prom-client would hold them. */
function fillRegistry(cluster: Cluster): Registry {
  const registry = new Registry();
  const podGauge = new Gauge({ name: 'kube_cost_pod_hourly_usd', help: 'Pod cost rate.', labelNames: ['cluster', 'namespace', 'pod', 'node'], registers: [registry] });
  const daily = new Gauge({ name: 'kube_cost_namespace_daily_usd', help: 'Namespace cost today.', labelNames: ['cluster', 'namespace'], registers: [registry] });
  const savings = new Counter({ name: 'kube_cost_spot_savings_usd_total', help: 'Spot savings.', labelNames: ['cluster', 'namespace'], registers: [registry] });
  const nodeGauge = new Gauge({ name: 'kube_cost_node_hourly_usd', help: 'Node cost rate.', labelNames: ['cluster', 'node', 'instance_type', 'capacity_type'], registers: [registry] });
  const idle = new Gauge({ name: 'kube_cost_idle_hourly_usd', help: 'Idle cost rate.', labelNames: ['cluster', 'node', 'resource'], registers: [registry] });
  const savingsHourly = new Gauge({ name: 'kube_cost_spot_savings_hourly_usd', help: 'Spot savings rate.', labelNames: ['cluster', 'namespace'], registers: [registry] });
  const windowStart = new Gauge({ name: 'kube_cost_window_start_seconds', help: 'Start of the window shown.', labelNames: ['cluster'], registers: [registry] });
  for (const pod of cluster.pods) {
    podGauge.set({ cluster: pod.cluster, namespace: pod.namespace, pod: pod.podName, node: pod.nodeName }, pod.totalCostUsd * 60);
    savingsHourly.inc({ cluster: pod.cluster, namespace: pod.namespace }, pod.spotSavingsUsd * 60);
    windowStart.set({ cluster: pod.cluster }, pod.windowStart / 1000);
    daily.inc({ cluster: pod.cluster, namespace: pod.namespace }, pod.totalCostUsd);
    if (pod.spotSavingsUsd > 0) savings.inc({ cluster: pod.cluster, namespace: pod.namespace }, pod.spotSavingsUsd);
  }
  for (const node of cluster.nodes) {
    nodeGauge.set({ cluster: node.cluster, node: node.nodeName, instance_type: node.instanceType, capacity_type: node.capacityType }, node.costUsd * 60);
    idle.set({ cluster: node.cluster, node: node.nodeName, resource: 'cpu' }, node.cpuIdleCostUsd * 60);
    idle.set({ cluster: node.cluster, node: node.nodeName, resource: 'memory' }, node.memoryIdleCostUsd * 60);
  }
  return registry;
}

/** Median of `runs` timed calls after `warmup` untimed ones, in milliseconds; `prepare` runs untimed before each call. */
async function medianMillis(runs: number, warmup: number, call: () => unknown, prepare: () => void = () => undefined): Promise<number> {
  for (let i = 0; i < warmup; i++) {
    prepare();
    await call();
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    prepare();
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  return median(times);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const sampleLines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

/** Throws unless the exporter's body holds as many series as prom-client's and shows the window `servedStart` (ms). */
function checkSeries(ours: string, theirs: string, servedStart: number): void {
  if (sampleLines(ours) !== sampleLines(theirs)) throw new Error(`series differ: exporter ${sampleLines(ours)}, prom-client ${sampleLines(theirs)}`);
  const shown = /^kube_cost_window_start_seconds\{[^}]*\} (\S+)$/m.exec(ours)?.[1];
  if (Number(shown) !== servedStart / 1000) throw new Error(`the exporter shows window ${shown}, not ${servedStart / 1000}`);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** One scrape over loopback: the whole body read as bytes (as Prometheus reads it, before parsing). */
function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path: '/metrics', agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`status ${res.statusCode}`))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const gc = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** JS heap plus buffer memory (the exporter keeps its encoded shards in Buffers, outside the JS heap). */
function heapUsedAfterGc(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const bench: Benchmark = async ({ log }) => {
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const podCount of [10_000, 100_000]) {
    const cluster = syntheticCluster(podCount);
    const feed = new WindowFeed(cluster);
    const store = feed.store;
    const registry = fillRegistry(cluster);
    const ours = store.render();
    const theirs = await registry.metrics();
    checkSeries(ours, theirs, feed.servedWindowStart);
    notes.push(`${podCount} pods: ${sampleLines(ours)} series in both; /metrics body ${(ours.length / 2 ** 20).toFixed(1)} MiB (exporter) vs ${(theirs.length / 2 ** 20).toFixed(1)} MiB (prom-client).`);
    const runs = podCount >= 100_000 ? 7 : 25;

    // Before each timed exporter scrape, untimed: the store reads a whole new window and seals, so
    // it serves the window read before (see WindowFeed).
    const sealMillis = new Map<string, number[]>();
    const newWindow = (phase: string, change: WindowChange) => () => {
      const times = sealMillis.get(phase) ?? [];
      times.push(feed.advance(change));
      sealMillis.set(phase, times);
    };
    // The seal times of a phase's timed runs (after its warmup: the first seal serves the window the phase before read).
    const sealMedian = (phase: string, warmup: number) => median((sealMillis.get(phase) ?? []).slice(warmup));
    // One node and its first pod cost more than in the window before, so one shard of every family is joined and encoded again: a scrape after a change.
    const renderOurs = await medianMillis(runs, 3, () => store.renderChunks(), newWindow('one', 'one'));
    // Every pod and node cost more than in the window before: every line is rendered (in seal()) and every shard joined again.
    const renderEvery = await medianMillis(runs, 3, () => store.renderChunks(), newWindow('all', 'all'));
    const renderTheirs = await medianMillis(runs, 2, () => registry.metrics());
    const renderUnchanged = await medianMillis(runs, 3, () => store.renderChunks());
    log(`${podCount} pods: render ${renderOurs.toFixed(2)} ms (every pod changed ${renderEvery.toFixed(2)} ms) vs prom-client ${renderTheirs.toFixed(2)} ms; unchanged ${renderUnchanged.toFixed(3)} ms`);
    log(`${podCount} pods: seal of a new window ${sealMedian('one', 3).toFixed(2)} ms (every pod changed ${sealMedian('all', 3).toFixed(2)} ms)`);
    notes.push(
      `${podCount} pods: moving the gauges to a new complete window (seal(), which compares the window with the one served and renders the lines that changed) took ${sealMedian('one', 3).toFixed(1)} ms with one pod and node changed and ${sealMedian('all', 3).toFixed(1)} ms with every pod and node changed (medians); once per window, after the records are read, never in a scrape.`,
    );
    const target10k = podCount === 10_000 ? { text: 'ratio >= 5 and < 50 ms', test: (ratio: number, value: number) => ratio >= 5 && value < 50 } : { text: 'ratio >= 5', test: (ratio: number) => ratio >= 5 };
    figures.push(compared(`render /metrics body, ${podCount / 1000}k pods (after a change)`, 'ms', 'lower', renderOurs, { label: 'prom-client registry.metrics()', value: renderTheirs }, target10k));
    figures.push(compared(`render /metrics body, ${podCount / 1000}k pods (after a window where every pod's cost changed)`, 'ms', 'lower', renderEvery, { label: 'prom-client registry.metrics()', value: renderTheirs }));
    figures.push(compared(`render /metrics body, ${podCount / 1000}k pods (no change since last scrape)`, 'ms', 'lower', renderUnchanged, { label: 'prom-client registry.metrics()', value: renderTheirs }));

    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', renderSeries: () => store.renderChunks(), registry: new Registry(), isReady: () => true });
    const baseline = createServer((_req, res) => {
      registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text), () => res.writeHead(500).end());
    });
    const baselinePort = await listen(baseline);
    try {
      const httpOurs = await medianMillis(runs, 2, () => get(server.port), newWindow('http', 'one'));
      const httpTheirs = await medianMillis(runs, 2, () => get(baselinePort));
      log(`${podCount} pods: HTTP scrape ${httpOurs.toFixed(2)} ms vs prom-client ${httpTheirs.toFixed(2)} ms`);
      figures.push(compared(`HTTP scrape of /metrics, ${podCount / 1000}k pods (after a change)`, 'ms', 'lower', httpOurs, { label: 'prom-client over node:http', value: httpTheirs }, target10k));
    } finally {
      await server.close();
      await new Promise<void>((resolve) => baseline.close(() => resolve()));
    }
    // Still every series of the synthetic cluster, of the window read before the last one.
    checkSeries(store.render(), await registry.metrics(), feed.servedWindowStart);
  }

  // Heap of the store alone for 100k pods, and of a prom-client registry with the same series.
  const cluster = syntheticCluster(100_000);
  const before = heapUsedAfterGc();
  const store = fillStore(cluster);
  const afterFill = heapUsedAfterGc();
  store.render();
  const afterRender = heapUsedAfterGc();
  const beforeRegistry = heapUsedAfterGc();
  const registry = fillRegistry(cluster);
  const afterRegistry = heapUsedAfterGc();
  agent.destroy();
  const mib = (bytes: number) => bytes / 2 ** 20;
  figures.push(compared('heap of the store, 100k pods (incl. cached /metrics body)', 'MiB', 'lower', mib(afterRender - before), { label: 'prom-client registry, same series', value: mib(afterRegistry - beforeRegistry) }));
  notes.push(
    `Store heap for 100k pods: ${mib(afterFill - before).toFixed(1)} MiB after the records, ${mib(afterRender - before).toFixed(1)} MiB with the rendered body cached (heapUsed + arrayBuffers deltas after forced GC). The store has read two windows: the first is served, the second is held whole until a later window lets it be sealed, as the exporter holds them between two seals. It keeps both windows' pods and nodes, per-container state for dedup and grace, a pre-rendered line per series and, once scraped, the encoded shards.`,
    "Render figures are medians: the exporter's is renderChunks() (the body as the buffers it writes), prom-client's is registry.metrics() (the body as a string). The gauges show a cluster's latest complete window, so before each timed exporter scrape (untimed) the store reads every pod and node cost of a new window and seals, which serves the window read before. After a change: one node and its first pod cost more than in the window before, so one shard of every family is joined and encoded again. After a window where every pod's cost changed: every pod and node costs more, so every line was rendered again in seal() and every shard is joined again. The unchanged figure is a scrape with nothing new since the last one. No GC is forced before a timed scrape (a forced one made the HTTP scrape after it slower, not faster), so a scrape may pay for collecting the records just read, as a real one may.",
    'HTTP figures: a keep-alive node:http client reading the whole body over loopback, no compression; the baseline server is node:http answering registry.metrics().',
    `prom-client ${registry.getMetricsAsArray().length} families kept alive until here so both heaps are measured the same way.`,
  );
  return {
    name: 'exporter',
    description: 'Scrape time of kcost export (series pre-rendered when a window is sealed, joined on scrape) next to a prom-client Registry holding the same series, same run.',
    figures,
    notes,
  };
};

export default bench;
