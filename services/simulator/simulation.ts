import type { KubeObject, PriceUpdate } from '../codec/records.generated.js';
import type { OutgoingRecord } from '../kafka/batching-producer.js';
import { TOPICS, kubeObjectKey, podKey, priceKey } from '../kafka/topics.js';
import { groundTruthOf, planAnomalies, type GroundTruthEntry, type InjectedAnomaly } from './anomalies.js';
import { planCluster, type ClusterPlan } from './cluster-plan.js';
import type { InstanceType } from './instance-catalog.js';
import { Prng } from './prng.js';
import { namespaceObject, nodeObject, type Meta, nodePrice, podObject, storagePrice, usageSample, volumeObjects } from './sim-records.js';
import { buildTimeline, type PodIncarnation, type Timeline } from './timeline.js';
import { containerUsage } from './usage-model.js';

/** What to simulate. Only the first block is required; the rest have defaults. */
export interface SimulationOptions {
  readonly cluster: string;
  readonly seed: number;
  readonly nodes: number;
  readonly pods: number;
  readonly startMillis: number;
  readonly durationMillis: number;
  readonly windowSeconds: number;
  readonly region?: string;
  /** Injected anomalies; default one per 8 hours of run, at least one. */
  readonly anomalies?: number;
  readonly topics?: { readonly kube?: string; readonly usage?: string; readonly prices?: string };
  readonly spotInterruptionsPerNodeDay?: number;
  readonly restartsPerPodDay?: number;
  readonly rolloutsPerWorkloadDay?: number;
  readonly spotPriceChangesPerDay?: number;
}

/** A record to publish, with the simulated time it is observed at (pacing uses it). */
export type SimulationEvent = OutgoingRecord & { readonly atMillis: number };

/** A deterministic synthetic cluster. */
export interface Simulation {
  readonly plan: ClusterPlan;
  readonly timeline: Timeline;
  /** Every record in event-time order: state and prices as they change, usage as each window closes. */
  events(): Generator<SimulationEvent>;
  /** The injected anomalies, for scoring a detector. */
  groundTruth(): GroundTruthEntry[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GP3_GIB_MONTH_USD = 0.08;

/**
 * Plans a cluster from a seed and returns its event stream. The same
 * options always give the same records, byte for byte.
 */
export function createSimulation(options: SimulationOptions): Simulation {
  validate(options);
  const windowMillis = options.windowSeconds * 1000;
  const region = options.region ?? 'us-east-1';
  const zones = ['a', 'b', 'c'].map((z) => `${region}${z}`);
  const range = { startMillis: options.startMillis, endMillis: options.startMillis + options.durationMillis, windowMillis };
  // Separate streams, so adding churn does not reshuffle the cluster's layout.
  const planPrng = new Prng(options.seed);
  const plan = planCluster({ nodes: options.nodes, pods: options.pods, zones }, planPrng);
  const anomalies = planAnomalies(plan, { count: options.anomalies ?? Math.max(1, Math.round(options.durationMillis / (8 * HOUR))), startMillis: range.startMillis, durationMillis: options.durationMillis, windowMillis }, new Prng(options.seed ^ 0x9e3779b9));
  const timeline = buildTimeline(
    plan,
    anomalies,
    {
      spotInterruptionsPerNodeDay: options.spotInterruptionsPerNodeDay ?? 0.5,
      restartsPerPodDay: options.restartsPerPodDay ?? 0.2,
      rolloutsPerWorkloadDay: options.rolloutsPerWorkloadDay ?? 0.5,
    },
    range,
    new Prng(options.seed ^ 0x85ebca6b),
  );
  const prices = priceSchedule(plan, region, range, options.spotPriceChangesPerDay ?? 6, new Prng(options.seed ^ 0xc2b2ae35));
  const topics = { kube: options.topics?.kube ?? TOPICS.kube.name, usage: options.topics?.usage ?? TOPICS.usage.name, prices: options.topics?.prices ?? TOPICS.prices.name };
  return {
    plan,
    timeline,
    events: () => streamEvents({ options, region, range, plan, timeline, anomalies, prices, topics }),
    groundTruth: () => groundTruthOf(options.cluster, anomalies),
  };
}

function validate(o: SimulationOptions): void {
  const bad = (what: string): never => {
    throw new RangeError(`simulation option ${what}`);
  };
  if (!Number.isInteger(o.nodes) || o.nodes < 1) bad(`nodes must be a whole number ≥ 1, got ${o.nodes}`);
  if (!Number.isInteger(o.pods) || o.pods < 1) bad(`pods must be a whole number ≥ 1, got ${o.pods}`);
  if (!Number.isInteger(o.windowSeconds) || o.windowSeconds < 1) bad(`windowSeconds must be a whole number ≥ 1, got ${o.windowSeconds}`);
  if (o.durationMillis < o.windowSeconds * 1000) bad(`durationMillis must cover at least one window, got ${o.durationMillis}`);
  if (o.durationMillis % (o.windowSeconds * 1000) !== 0) bad(`durationMillis must be a whole number of windows, got ${o.durationMillis}`);
}

/** Node prices at the start, then spot price moves (a bounded random walk) on their own effective times. */
function priceSchedule(plan: ClusterPlan, region: string, range: { startMillis: number; endMillis: number; windowMillis: number }, changesPerDay: number, prng: Prng): Map<number, PriceUpdate[]> {
  const byTime = new Map<number, PriceUpdate[]>();
  const at = (t: number, p: PriceUpdate): void => {
    const list = byTime.get(t);
    if (list) list.push(p);
    else byTime.set(t, [p]);
  };
  const types = new Map<string, InstanceType>();
  const spotKeys = new Map<string, { type: InstanceType; zone: string }>();
  for (const p of plan.positions) {
    types.set(p.type.name, p.type);
    if (p.capacityType === 'SPOT') spotKeys.set(`${p.type.name}/${p.zone}`, { type: p.type, zone: p.zone });
  }
  for (const type of [...types.values()].sort((a, b) => a.name.localeCompare(b.name))) at(range.startMillis, nodePrice(type, region, null, 'ON_DEMAND', type.onDemandHourlyUsd, range.startMillis));
  if (plan.workloads.some((w) => w.claimBytes !== null)) at(range.startMillis, storagePrice(region, 'gp3', GP3_GIB_MONTH_USD, range.startMillis));
  for (const key of [...spotKeys.keys()].sort()) {
    const { type, zone } = spotKeys.get(key) as { type: InstanceType; zone: string };
    const od = type.onDemandHourlyUsd;
    let price = od * prng.range(0.28, 0.45);
    at(range.startMillis, nodePrice(type, region, zone, 'SPOT', round6(price), range.startMillis));
    let t = range.startMillis;
    for (;;) {
      t = range.startMillis + Math.ceil((t + prng.exponential(DAY / changesPerDay) - range.startMillis) / range.windowMillis) * range.windowMillis;
      if (t >= range.endMillis) break;
      price = Math.min(0.9 * od, Math.max(0.2 * od, price * prng.range(0.88, 1.12)));
      at(t, nodePrice(type, region, zone, 'SPOT', round6(price), t));
    }
  }
  return byTime;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** A state change at one instant; `order` sorts changes of the same instant as a watcher sees them. */
interface KubeChange {
  readonly order: number;
  readonly make: (meta: Meta) => KubeObject;
  readonly pod?: PodIncarnation;
  readonly starts?: boolean;
}

interface StreamInput {
  readonly options: SimulationOptions;
  readonly region: string;
  readonly range: { startMillis: number; endMillis: number; windowMillis: number };
  readonly plan: ClusterPlan;
  readonly timeline: Timeline;
  readonly anomalies: readonly InjectedAnomaly[];
  readonly prices: Map<number, PriceUpdate[]>;
  readonly topics: { kube: string; usage: string; prices: string };
}

function* streamEvents(input: StreamInput): Generator<SimulationEvent> {
  const { options, region, range, timeline, topics } = input;
  const { cluster, seed, windowSeconds } = options;
  const windowMillis = range.windowMillis;
  const windows = Math.round((range.endMillis - range.startMillis) / windowMillis);
  const index = (t: number): number => Math.round((t - range.startMillis) / windowMillis);
  // Kube changes by window index, in the order a watcher would see them at one instant.
  const changes = new Map<number, KubeChange[]>();
  const add = (t: number, change: KubeChange): void => {
    const k = index(t);
    const list = changes.get(k);
    if (list) list.push(change);
    else changes.set(k, [change]);
  };
  const setup = new Prng(seed ^ 0x27d4eb2f);
  for (const ns of input.plan.namespaces) {
    const uid = setup.uuid();
    add(range.startMillis, { order: 0, make: (m) => namespaceObject(m, uid, ns, range.startMillis - 30 * DAY) });
  }
  for (const v of timeline.volumes) for (const obj of [0, 1] as const) add(range.startMillis, { order: 1, make: (m) => volumeObjects(m, v, region)[obj] });
  for (const node of timeline.nodes) {
    add(Math.max(node.upFrom, range.startMillis), { order: 2, make: (m) => nodeObject(m, node, region, null) });
    if (node.deletedAt !== null) add(node.deletedAt, { order: 5, make: (m) => nodeObject(m, node, region, node.deletedAt) });
  }
  for (const pod of timeline.pods) {
    add(pod.startMillis, { order: 4, make: (m) => podObject(m, pod, false), pod, starts: true });
    if (pod.endMillis !== null) add(pod.endMillis, { order: 3, make: (m) => podObject(m, pod, true), pod, starts: false });
  }

  let resourceVersion = 1000;
  const active = new Set<PodIncarnation>();
  for (let k = 0; k <= windows; k++) {
    const t = range.startMillis + k * windowMillis;
    if (k > 0) yield* usageOf(k - 1, t - windowMillis, active);
    if (k === windows) break;
    for (const price of input.prices.get(t) ?? []) yield { topic: topics.prices, key: priceKey(price), schema: 'PriceUpdate', value: price, atMillis: t };
    const now = (changes.get(k) ?? []).sort((a, b) => a.order - b.order);
    for (const change of now) {
      resourceVersion += 1;
      const value = change.make({ cluster, resourceVersion: String(resourceVersion), observedAt: t });
      yield { topic: topics.kube, key: kubeObjectKey(value), schema: 'KubeObject', value, atMillis: t };
      if (change.pod && change.pod.node) {
        if (change.starts) active.add(change.pod);
        else active.delete(change.pod);
      }
    }
  }

  function* usageOf(k: number, windowStart: number, pods: ReadonlySet<PodIncarnation>): Generator<SimulationEvent> {
    const factors = new Map<number, number>();
    for (const a of input.anomalies) {
      if (a.kind === 'REPLICAS' || windowStart < a.startMillis || windowStart >= a.endMillis) continue;
      for (const w of a.workloads) factors.set(w.id, a.factor);
    }
    for (const pod of pods) {
      const w = pod.slot.workload;
      const node = pod.node;
      if (!node) continue;
      let podCores = 0;
      const samples = w.containers.map((container, ci) => {
        const usage = containerUsage({
          seed,
          profile: w.usage,
          container,
          noiseKey: pod.seq * 8 + ci,
          windowIndex: k,
          windowStartMillis: windowStart,
          windowMillis,
          factor: factors.get(w.id) ?? 1,
          nodeCpuCores: node.position.cpuAllocatableCores,
          nodeMemoryBytes: node.position.memoryAllocatableBytes,
        });
        podCores += usage.cpuCores;
        return { container, usage };
      });
      for (const [ci, { container, usage }] of samples.entries()) {
        // Network is measured per pod; like the kubelet summary, it rides on the first container.
        const network = ci === 0 ? { rx: Math.round(podCores * 1.5e6 * windowSeconds), tx: Math.round(podCores * 0.6e6 * windowSeconds) } : null;
        const value = usageSample(cluster, pod, container.name, windowStart, windowSeconds, usage, network);
        yield { topic: topics.usage, key: podKey(value), schema: 'UsageSample', value, atMillis: windowStart + windowMillis };
      }
    }
  }
}
