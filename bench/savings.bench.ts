// Node-pool right-sizing (issue 16): kcost's packer against a one-shape
// first-fit node group and against today's fleet, on simulated clusters of
// 50 and 500 nodes whose waste is known (bench/savings-cluster.ts), and
// against the exhaustive optimum on sub-problems of the small cluster (the
// whole cluster is far beyond exhaustive search). Pure computation: it needs
// neither Kafka nor PostgreSQL (run it with KAFKA_BROKERS set so the runner
// starts none). Times are reported next to the baseline's, never judged alone.
import { performance } from 'node:perf_hooks';
import { SAMPLE_AWS_SHAPES, US_EAST_1_ZONES, WIDE_SAMPLE_AWS_SHAPES } from '../services/savings/aws-catalog.js';
import { exhaustivePack } from '../services/savings/exhaustive-pack.js';
import { firstFitPack } from '../services/savings/first-fit.js';
import { packNodePool, type PackResult, type PodDemand } from '../services/savings/node-packer.js';
import { planViolations } from '../services/savings/plan-check.js';
import { Prng } from '../services/simulator/prng.js';
import { compared, type Benchmark, type Figure } from './bench-types.js';
import { BENCH_OPTIONS, simulateCluster, SMALL_SHAPES, type SimulatedCluster } from './savings-cluster.js';

const HOURS_PER_MONTH = 730;
const SUB_PROBLEMS = 200;

function timed<T>(run: () => T): { result: T; millis: number } {
  const started = performance.now();
  const result = run();
  return { result, millis: performance.now() - started };
}

/** The median time of three runs (the plan is the same each time): one run on shared cores is noisy. */
function timedMedian<T>(run: () => T): { result: T; millis: number } {
  const runs = [timed(run), timed(run), timed(run)].sort((a, b) => a.millis - b.millis);
  return runs[1] as { result: T; millis: number };
}

function mix(types: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([t, n]) => `${n}× ${t}`).join(', ');
}

function clusterFigures(label: string, cluster: SimulatedCluster, notes: string[]): Figure[] {
  const shapes = SAMPLE_AWS_SHAPES;
  const firstFit = timed(() => firstFitPack(cluster.pods, shapes, BENCH_OPTIONS));
  const kcost = timed(() => packNodePool(cluster.pods, shapes, BENCH_OPTIONS));
  const violations = planViolations(cluster.pods, shapes, BENCH_OPTIONS, kcost.result);
  const placed = (r: PackResult) => r.nodes.reduce((n, node) => n + node.podIds.length, 0);
  const today = cluster.todayHourlyUsd;
  notes.push(
    `${label}: ${cluster.nodes.length} nodes today (${cluster.fragmentedNodes} built half empty, ${cluster.oversizedNodes} oversized), ${cluster.pods.length} pods, ${today.toFixed(2)} USD/h. Today: ${mix(cluster.nodes.map((n) => n.shape.instanceType))}.`,
    `${label}: kcost proposes ${kcost.result.nodes.length} nodes, ${kcost.result.hourlyUsd.toFixed(2)} USD/h (saves ${((today - kcost.result.hourlyUsd) * HOURS_PER_MONTH).toFixed(0)} USD/month): ${mix(kcost.result.nodes.map((n) => n.instanceType))}. First-fit: ${firstFit.result.nodes.length} nodes of ${mix(firstFit.result.nodes.map((n) => n.instanceType))}.`,
    ...(violations.length > 0 ? [`${label}: plan violations: ${violations.slice(0, 5).join('; ')}`] : []),
    ...(kcost.result.unplaced.length > 0 ? [`${label}: unplaced: ${kcost.result.unplaced.slice(0, 3).map((u) => `${u.podId} (${u.reason})`).join('; ')}`] : []),
  );
  return [
    compared(`${label}: kcost plan vs first-fit`, 'USD/h', 'lower', kcost.result.hourlyUsd, { label: 'first-fit, one shape per group', value: firstFit.result.hourlyUsd }, { text: 'ratio ≥ 1', test: (r) => r >= 1 }),
    compared(`${label}: kcost plan vs today's nodes`, 'USD/h', 'lower', kcost.result.hourlyUsd, { label: "today's fleet", value: today }),
    compared(`${label}: first-fit vs today's nodes`, 'USD/h', 'lower', firstFit.result.hourlyUsd, { label: "today's fleet", value: today }),
    { metric: `${label}: pods placed by kcost`, value: placed(kcost.result), unit: 'pods', better: 'higher', baseline: { label: 'pods', value: cluster.pods.length }, ratio: placed(kcost.result) / cluster.pods.length, target: { text: 'every pod, none unplaced', met: placed(kcost.result) === cluster.pods.length } },
    { metric: `${label}: plan violations (capacity, headroom, GPU, arch, zones)`, value: violations.length, unit: 'violations', better: 'lower', target: { text: '0', met: violations.length === 0 } },
    compared(`${label}: time to pack`, 'ms', 'lower', kcost.millis, { label: 'first-fit, same run', value: firstFit.millis }),
  ];
}

/** Random 8-pod draws from the small cluster onto 4 small shapes, 1-3 zones: small enough for the exhaustive search. */
function subProblems(cluster: SimulatedCluster, notes: string[]): Figure[] {
  const rng = new Prng(1616);
  const cpuPods = cluster.pods.filter((p) => p.gpus === 0);
  const ratios: number[] = [];
  const baseline: number[] = [];
  let millis = 0;
  for (let i = 0; i < SUB_PROBLEMS; i++) {
    const pods = new Map<string, PodDemand>();
    while (pods.size < 8) {
      const pod = rng.pick(cpuPods);
      pods.set(pod.id, pod);
    }
    const shapes = new Set<(typeof SMALL_SHAPES)[number]>();
    while (shapes.size < 4) shapes.add(rng.pick(SMALL_SHAPES));
    const options = { ...BENCH_OPTIONS, zones: US_EAST_1_ZONES.slice(0, rng.int(1, 3)) };
    const list = [...pods.values()];
    const optimum = timed(() => exhaustivePack(list, [...shapes], options));
    millis += optimum.millis;
    if (optimum.result.hourlyUsd <= 0) continue;
    ratios.push(packNodePool(list, [...shapes], options).hourlyUsd / optimum.result.hourlyUsd);
    baseline.push(firstFitPack(list, [...shapes], options).hourlyUsd / optimum.result.hourlyUsd);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const worst = Math.max(...ratios);
  const optimal = ratios.filter((r) => r <= 1 + 1e-9).length;
  notes.push(`50 nodes, sub-problems: ${ratios.length} draws of 8 pods onto 4 of the large/xlarge shapes; kcost optimal on ${optimal}, first-fit worst ${Math.max(...baseline).toFixed(3)}; exhaustive search took ${(millis / ratios.length).toFixed(1)} ms per draw.`);
  return [
    { metric: '50 nodes, sub-problems: worst kcost / optimum', value: worst, unit: '×', better: 'lower', target: { text: '≤ 1.10', met: worst <= 1.1 } },
    { metric: '50 nodes, sub-problems: mean kcost / optimum', value: mean(ratios), unit: '×', better: 'lower', baseline: { label: 'first-fit / optimum', value: mean(baseline) }, ratio: mean(baseline) / mean(ratios), target: { text: '≤ 1.03', met: mean(ratios) <= 1.03 } },
  ];
}

/** The large cluster again on a catalog of 110 shapes: what a region offers a pool, for the time it takes. */
function wideCatalog(cluster: SimulatedCluster, notes: string[]): Figure[] {
  const narrow = timedMedian(() => packNodePool(cluster.pods, SAMPLE_AWS_SHAPES, BENCH_OPTIONS));
  const wide = timedMedian(() => packNodePool(cluster.pods, WIDE_SAMPLE_AWS_SHAPES, BENCH_OPTIONS));
  const violations = planViolations(cluster.pods, WIDE_SAMPLE_AWS_SHAPES, BENCH_OPTIONS, wide.result);
  notes.push(`500 nodes on ${WIDE_SAMPLE_AWS_SHAPES.length} shapes: ${wide.result.nodes.length} nodes, ${wide.result.hourlyUsd.toFixed(2)} USD/h, ${violations.length} violations, ${wide.result.unplaced.length} unplaced: ${mix(wide.result.nodes.map((n) => n.instanceType))}.`);
  return [
    compared(`500 nodes: time to pack onto ${WIDE_SAMPLE_AWS_SHAPES.length} shapes (median of 3)`, 'ms', 'lower', wide.millis, { label: `${SAMPLE_AWS_SHAPES.length} shapes, median of 3, same run`, value: narrow.millis }),
    compared(`500 nodes: kcost plan on ${WIDE_SAMPLE_AWS_SHAPES.length} shapes`, 'USD/h', 'lower', wide.result.hourlyUsd, { label: `${SAMPLE_AWS_SHAPES.length} shapes`, value: narrow.result.hourlyUsd }),
  ];
}

const savingsBench: Benchmark = async (context) => {
  const started = Date.now();
  const notes: string[] = [];
  const small = simulateCluster(50, 50);
  const large = simulateCluster(500, 500);
  context.log(`simulated ${small.pods.length} and ${large.pods.length} pods`);
  const figures = [...clusterFigures('50 nodes', small, notes), ...subProblems(small, notes), ...clusterFigures('500 nodes', large, notes), ...wideCatalog(large, notes)];
  notes.push(
    `Shapes: the ${SAMPLE_AWS_SHAPES.length} types of services/savings/aws-catalog.ts (m5, c5, r5, m6g, c6g, r6g large..8xlarge, g4dn and g5), us-east-1 on-demand prices; headroom 80 %, DaemonSets 0.2 cores and 400 MiB per node, spread over 3 zones.`,
    'First-fit is what a node group of one instance type does: pods in arrival order onto the cheapest shape that holds the largest pod of their group (GPU model, architecture), docs/savings.md.',
    `Ran in ${((Date.now() - started) / 1000).toFixed(1)} s; no Kafka or PostgreSQL used.`,
  );
  return {
    name: 'savings',
    description: 'Node-pool right-sizing: kcost\'s packer against today\'s fleet and a one-shape first-fit node group on simulated clusters of 50 and 500 nodes with known waste (fragmented and oversized nodes), and against the exhaustive optimum on 8-pod sub-problems of the small cluster.',
    figures,
    notes,
  };
};

export default savingsBench;
