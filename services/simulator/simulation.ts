import type { KubeObject, PriceUpdate, UsageSample } from '../codec/records.generated.js';
import type { OutgoingRecord } from '../kafka/batching-producer.js';
import { usageRecordsOf, type UsageTopics } from '../kafka/node-usage.js';
import { TOPICS, kubeObjectKey, priceKey, usageDestination } from '../kafka/topics.js';
import { groundTruthOf, planAnomalies, type GroundTruthEntry, type InjectedAnomaly } from './anomalies.js';
import { planCluster, type ClusterPlan, type Workload } from './cluster-plan.js';
import { planExtraWorkloads, type ExtraWorkloads } from './extra-workloads.js';
import { PRICE_CATALOG, type InstanceType } from './instance-catalog.js';
import { planDisruptionBudgets, type DisruptionBudgetPlan } from './disruption-budgets.js';
import { ContainerRestarts } from './container-restarts.js';
import { Prng } from './prng.js';
import { autoscalerObject, disruptionBudgetObject, LOCAL_STORAGE_CLASS, namespaceObject, nodeObject, type Meta, nodePrice, podObject, startedAtOf, storagePrice, usageSample, volumeObjects, workloadObject } from './sim-records.js';
import { buildTimeline, type PodIncarnation, type Timeline } from './timeline.js';
import { containerUsage } from './usage-model.js';
import { WorkloadStatus } from './workload-status.js';

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
  /**
   * usageByNode: samples that name their node go there keyed by it (usageDestination); usageNodeWindow: they go
   * there instead, one NodeUsage per node and window (usageRecordsOf); absent or empty: all to usage, keyed by pod.
   */
  readonly topics?: { readonly kube?: string; readonly usage?: string; readonly usageByNode?: string; readonly usageNodeWindow?: string; readonly prices?: string };
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
  // Added before the anomalies, whose extra replicas must find room beside them; but not as anomaly candidates, and with streams of their own.
  const extras = planExtraWorkloads(plan, range);
  const anomalies = planAnomalies({ ...plan, slots: [...plan.slots, ...extras.replicaSlots] }, { count: options.anomalies ?? Math.max(1, Math.round(options.durationMillis / (8 * HOUR))), startMillis: range.startMillis, durationMillis: options.durationMillis, windowMillis }, new Prng(options.seed ^ 0x9e3779b9));
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
    { workloads: extras.workloads, slots: extras.slots, prng: new Prng(options.seed ^ 0x1b873593) },
  );
  const cluster: ClusterPlan = { ...plan, workloads: [...plan.workloads, ...extras.workloads], slots: [...plan.slots, ...extras.slots] };
  const localVolumes = localVolumeWorkload(plan);
  const prices = priceSchedule(plan, region, range, options.spotPriceChangesPerDay ?? 6, new Prng(options.seed ^ 0xc2b2ae35), localVolumes !== null);
  addSpotHistory(prices, plan, region, range, new Prng(options.seed ^ 0x165667b1));
  const topics = {
    kube: options.topics?.kube ?? TOPICS.kube.name,
    usage: options.topics?.usage ?? TOPICS.usage.name,
    usageByNode: options.topics?.usageByNode ?? '',
    usageNodeWindow: options.topics?.usageNodeWindow ?? '',
    prices: options.topics?.prices ?? TOPICS.prices.name,
  };
  return {
    plan: cluster,
    timeline,
    events: () => streamEvents({ options, region, range, plan: cluster, timeline, anomalies, extras, prices, topics, localVolumes, budgets: planDisruptionBudgets(cluster.workloads) }),
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

/**
 * The StatefulSet whose claims are local persistent volumes (spec.local):
 * the first one with claims, in plan order, chosen without random draws.
 */
function localVolumeWorkload(plan: ClusterPlan): Workload | null {
  return plan.workloads.find((w) => w.kind === 'StatefulSet' && w.claimBytes !== null) ?? null;
}

type PriceBook = Map<number, PriceUpdate[]>;

function priceAt(byTime: PriceBook, t: number, p: PriceUpdate): void {
  const list = byTime.get(t);
  if (list) list.push(p);
  else byTime.set(t, [p]);
}

/**
 * Node prices at the start (every type of the price catalog, with its shape,
 * whether or not a node runs on it), then spot price moves (a bounded random
 * walk) on their own effective times for the spot nodes' types and zones.
 */
function priceSchedule(plan: ClusterPlan, region: string, range: { startMillis: number; endMillis: number; windowMillis: number }, changesPerDay: number, prng: Prng, localVolumes: boolean): PriceBook {
  const byTime: PriceBook = new Map();
  const at = (t: number, p: PriceUpdate): void => priceAt(byTime, t, p);
  const types = new Map<string, InstanceType>();
  const spotKeys = new Map<string, { type: InstanceType; zone: string }>();
  for (const p of plan.positions) {
    types.set(p.type.name, p.type);
    if (p.capacityType === 'SPOT') spotKeys.set(`${p.type.name}/${p.zone}`, { type: p.type, zone: p.zone });
  }
  const catalog = new Map<string, InstanceType>([...PRICE_CATALOG, ...types.values()].map((t) => [t.name, t]));
  for (const type of [...catalog.values()].sort((a, b) => a.name.localeCompare(b.name))) at(range.startMillis, nodePrice(type, region, null, 'ON_DEMAND', type.onDemandHourlyUsd, range.startMillis));
  if (plan.workloads.some((w) => w.claimBytes !== null)) at(range.startMillis, storagePrice(region, 'gp3', GP3_GIB_MONTH_USD, range.startMillis));
  // Local volumes are priced like gp3, so that making one StatefulSet's claims local leaves the cluster's costs as they were.
  if (localVolumes) at(range.startMillis, storagePrice(region, LOCAL_STORAGE_CLASS, GP3_GIB_MONTH_USD, range.startMillis));
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

/**
 * Spot price history for every type and zone the cluster's nodes run on
 * that no spot node does (on-demand nodes' types, GPU ones included), so a
 * spot move can be priced for the shapes in use: a price at the start, then
 * one an hour, within 25 % to 45 % of on-demand. From a stream of its own,
 * so the spot nodes' own prices stay as they were; no node is priced by it.
 */
function addSpotHistory(byTime: PriceBook, plan: ClusterPlan, region: string, range: { startMillis: number; endMillis: number; windowMillis: number }, prng: Prng): void {
  const spot = new Set(plan.positions.filter((p) => p.capacityType === 'SPOT').map((p) => `${p.type.name}/${p.zone}`));
  const onDemandOnly = new Map<string, { type: InstanceType; zone: string }>();
  for (const p of plan.positions) if (!spot.has(`${p.type.name}/${p.zone}`)) onDemandOnly.set(`${p.type.name}/${p.zone}`, { type: p.type, zone: p.zone });
  const hourly = Math.max(range.windowMillis, Math.round(HOUR / range.windowMillis) * range.windowMillis);
  for (const key of [...onDemandOnly.keys()].sort()) {
    const { type, zone } = onDemandOnly.get(key) as { type: InstanceType; zone: string };
    const od = type.onDemandHourlyUsd;
    let price = od * prng.range(0.28, 0.42);
    for (let t = range.startMillis; t < range.endMillis; t += hourly) {
      if (t > range.startMillis) price = Math.min(0.45 * od, Math.max(0.25 * od, price * prng.range(0.92, 1.08)));
      priceAt(byTime, t, nodePrice(type, region, zone, 'SPOT', round6(price), t));
    }
  }
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
  readonly extras: ExtraWorkloads;
  readonly prices: Map<number, PriceUpdate[]>;
  readonly topics: { kube: string; prices: string } & UsageTopics;
  /** The StatefulSet whose claims are local volumes; null when the cluster has none with claims. */
  readonly localVolumes: Workload | null;
  readonly budgets: readonly DisruptionBudgetPlan[];
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
  for (const v of timeline.volumes) for (const obj of [0, 1] as const) add(range.startMillis, { order: 1, make: (m) => volumeObjects(m, v, region, v.workload === input.localVolumes)[obj] });
  for (const node of timeline.nodes) {
    add(Math.max(node.upFrom, range.startMillis), { order: 2, make: (m) => nodeObject(m, node, region, null) });
    if (node.deletedAt !== null) add(node.deletedAt, { order: 5, make: (m) => nodeObject(m, node, region, node.deletedAt) });
  }
  const restarts = new ContainerRestarts(input.extras.leaks);
  for (const pod of timeline.pods) {
    add(pod.startMillis, { order: 4, make: (m) => podObject(m, pod, false), pod, starts: true });
    if (pod.endMillis !== null) add(pod.endMillis, { order: 3, make: (m) => podObject(m, pod, true, restarts.of(pod)), pod, starts: false });
  }
  // Workload and autoscaler uids from a stream of their own, so the objects above keep theirs.
  const scaling = new Prng(seed ^ 0x5bd1e995);
  const status = new WorkloadStatus(input.plan.workloads, [...input.plan.slots, ...input.anomalies.flatMap((a) => a.extraSlots)]);
  const workloadUids = new Map<Workload, string>(status.workloads.map((w) => [w, scaling.uuid()]));
  const autoscalers = input.extras.autoscalers.map((a) => ({ plan: a, uid: scaling.uuid(), lastScaleTime: null as number | null }));
  const createdAt = range.startMillis - 7 * DAY;
  // Budget uids from yet another stream, so the workloads' and autoscalers' uids stay as they were.
  const budgetUids = new Prng(seed ^ 0x2545f491);
  const budgets = new Map(input.budgets.map((b) => [b.workload, { plan: b, uid: budgetUids.uuid() }]));

  let resourceVersion = 1000;
  const kube = (make: (meta: Meta) => KubeObject, t: number): SimulationEvent => {
    resourceVersion += 1;
    const value = make({ cluster, resourceVersion: String(resourceVersion), observedAt: t });
    return { topic: topics.kube, key: kubeObjectKey(value), schema: 'KubeObject', value, atMillis: t };
  };
  const active = new Set<PodIncarnation>();
  for (let k = 0; k <= windows; k++) {
    const t = range.startMillis + k * windowMillis;
    if (k > 0) yield* usageOf(k - 1, t - windowMillis, active);
    if (k === windows) break;
    for (const price of input.prices.get(t) ?? []) yield { topic: topics.prices, key: priceKey(price), schema: 'PriceUpdate', value: price, atMillis: t };
    // An autoscaler decides first; its target's pods follow at the same instant, and the target's status after them.
    for (const a of autoscalers) {
      const replicas = a.plan.replicas[k] ?? 0;
      if (k > 0 && replicas === a.plan.replicas[k - 1]) continue;
      if (k > 0) a.lastScaleTime = t;
      yield kube((m) => autoscalerObject(m, a.plan, a.uid, createdAt, replicas, a.lastScaleTime), t);
    }
    const now = (changes.get(k) ?? []).sort((a, b) => a.order - b.order);
    for (const change of now) {
      yield kube(change.make, t);
      if (!change.pod) continue;
      if (change.starts) status.started(change.pod);
      else {
        status.ended(change.pod);
        restarts.forget(change.pod);
      }
      if (change.pod.node) {
        if (change.starts) active.add(change.pod);
        else active.delete(change.pod);
      }
    }
    for (const { workload, counts } of status.changes(t)) {
      yield kube((m) => workloadObject(m, workload, workloadUids.get(workload) ?? '', createdAt, counts), t);
      // The disruption controller follows the Deployment's replicas: its budget's status changes with them.
      const budget = budgets.get(workload);
      if (budget) yield kube((m) => disruptionBudgetObject(m, budget.plan, budget.uid, createdAt, counts), t);
    }
  }

  function* usageOf(k: number, windowStart: number, pods: ReadonlySet<PodIncarnation>): Generator<SimulationEvent> {
    const factors = new Map<number, number>();
    for (const a of input.anomalies) {
      if (a.kind === 'REPLICAS' || windowStart < a.startMillis || windowStart >= a.endMillis) continue;
      for (const w of a.workloads) factors.set(w.id, a.factor);
    }
    // An autoscaled workload's demand is shared by the replicas that run in the window.
    const cpuShares = new Map<Workload, number>();
    for (const a of input.extras.autoscalers) {
      let running = 0;
      for (const pod of pods) if (pod.slot.workload === a.workload) running++;
      cpuShares.set(a.workload, a.nominalReplicas / Math.max(1, running));
    }
    // A window's samples, kept to be grouped by node when they go out as NodeUsage records.
    const grouped: UsageSample[] | null = topics.usageNodeWindow === '' ? null : [];
    for (const pod of pods) {
      const w = pod.slot.workload;
      const node = pod.node;
      if (!node) continue;
      let podCores = 0;
      let killed = false;
      const samples = w.containers.map((container, ci) => {
        const demand = containerUsage({
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
          cpuShare: cpuShares.get(w) ?? 1,
        });
        const observed = restarts.observe(pod, container, demand, startedAtOf(pod), windowStart, windowMillis);
        killed ||= observed.killed;
        podCores += observed.usage.cpuCores;
        return { container, usage: observed.usage };
      });
      for (const [ci, { container, usage }] of samples.entries()) {
        // Network is measured per pod; like the kubelet summary, it rides on the first container.
        const network = ci === 0 ? { rx: Math.round(podCores * 1.5e6 * windowSeconds), tx: Math.round(podCores * 0.6e6 * windowSeconds) } : null;
        const value = usageSample(cluster, pod, container.name, windowStart, windowSeconds, usage, network);
        if (grouped) grouped.push(value);
        else yield { ...usageDestination(value, topics), schema: 'UsageSample', value, atMillis: windowStart + windowMillis };
      }
      // The kill shows as the pod's next status: restart count and last termination OOMKilled.
      if (killed) yield kube((m) => podObject(m, pod, false, restarts.of(pod)), windowStart + windowMillis);
    }
    if (grouped) for (const record of usageRecordsOf(grouped, topics)) yield { ...record, atMillis: windowStart + windowMillis };
  }
}
