// Resident memory of the state `kcost process` and `kcost export` keep, with
// 10k and 100k pods. Each figure is measured in a child process of its own
// (node --expose-gc bench/memory-child.js): it builds the state, drops its
// inputs, collects garbage and reports process.memoryUsage().rss. The
// baseline, measured the same way in the same run, is an idle child that
// loaded the same code and holds no state.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compared, type Benchmark, type Figure } from './bench-types.js';

const here = dirname(fileURLToPath(import.meta.url));
const MB = 2 ** 20;
const POD_COUNTS = [10_000, 100_000];
const TARGETS = { processor: 150, exporter: 600 } as const;

interface Sample {
  readonly rss: number;
  readonly heapUsed: number;
}

function measure(kind: 'idle' | 'processor' | 'exporter', pods: number): Sample {
  const out = execFileSync(process.execPath, ['--expose-gc', join(here, 'memory-child.js'), kind, String(pods)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const sample = JSON.parse(out.trim()) as Sample;
  return { rss: sample.rss / MB, heapUsed: sample.heapUsed / MB };
}

const bench: Benchmark = ({ log }) => {
  const idle = measure('idle', 0);
  log(`idle: rss ${idle.rss.toFixed(1)} MB, heap ${idle.heapUsed.toFixed(1)} MB`);
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const kind of ['processor', 'exporter'] as const) {
    for (const pods of POD_COUNTS) {
      const sample = measure(kind, pods);
      log(`${kind} ${pods} pods: rss ${sample.rss.toFixed(1)} MB, heap ${sample.heapUsed.toFixed(1)} MB`);
      figures.push(
        compared(`${kind} resident memory, ${pods / 1000}k pods`, 'MB', 'lower', sample.rss, { label: 'idle node process with the same code loaded', value: idle.rss }, {
          text: `value < ${TARGETS[kind]} MB`,
          test: (_, value) => value < TARGETS[kind],
        }),
      );
      notes.push(`${kind}, ${pods / 1000}k pods: ${(sample.rss - idle.rss).toFixed(1)} MB above idle (${((sample.rss - idle.rss) * MB / pods).toFixed(0)} bytes per pod), heap ${sample.heapUsed.toFixed(1)} MB (idle heap ${idle.heapUsed.toFixed(1)} MB).`);
    }
  }
  return Promise.resolve({
    name: 'memory',
    description:
      'Resident set size (process.memoryUsage().rss after three forced GCs) of a node process holding the processor state (ClusterState with every node and pod object, 30 pods per node, a third of pods with a sidecar, three labels each; PriceHistory with 40 instance types: on-demand plus 24 hourly spot prices in 3 zones) or the exporter CostStore (two windows of PodCost and NodeCost records read: the first served as every pod and node series, the second held whole until it can be sealed, as the exporter holds them between two seals), each in its own child process.',
    figures,
    notes: [
      ...notes,
      'The ratio is idle RSS / measured RSS (lower is better, so a ratio near 1 means the state costs little over an empty process). The RSS includes the V8 heap the collector has not returned to the OS, which is what a container memory limit sees.',
      'The processor figure covers its cluster state and price history only: windows being assembled (one window of samples per container until it closes) and the anomaly detector history come on top.',
    ],
  });
};

export default bench;
