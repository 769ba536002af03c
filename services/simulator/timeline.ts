import type { InjectedAnomaly } from './anomalies.js';
import type { ClusterPlan, NodePosition, PodSlot, Workload } from './cluster-plan.js';
import type { Prng } from './prng.js';

const DAY = 86_400_000;

/** One machine behind a node position, from its creation until it is interrupted (or the run ends). */
export interface NodeIncarnation {
  readonly position: NodePosition;
  readonly uid: string;
  readonly name: string;
  readonly providerId: string;
  readonly createdAt: number;
  /** First instant it runs pods in the simulated range. */
  readonly upFrom: number;
  /** When it was interrupted; null when it lives past the end. */
  readonly deletedAt: number | null;
}

/** One pod: a slot's replica between two churn events, on one node incarnation. */
export interface PodIncarnation {
  readonly seq: number;
  readonly slot: PodSlot;
  readonly uid: string;
  readonly name: string;
  readonly node: NodeIncarnation | null;
  readonly createdAt: number;
  /** When it starts running in the simulated range (and is published). */
  readonly startMillis: number;
  /** When it stops (deleted, or its job ended); null when it runs past the end. */
  readonly endMillis: number | null;
  readonly endPhase: 'Running' | 'Succeeded' | 'Failed';
  /** The volume claim a StatefulSet replica mounts. */
  readonly claimName: string | null;
}

/** A persistent volume and its claim, created before the StatefulSet pods that mount them. */
export interface VolumePair {
  readonly workload: Workload;
  readonly claimName: string;
  readonly claimUid: string;
  readonly volumeName: string;
  readonly volumeUid: string;
  readonly sizeBytes: number;
  readonly createdAt: number;
}

export interface Timeline {
  readonly nodes: readonly NodeIncarnation[];
  readonly pods: readonly PodIncarnation[];
  readonly volumes: readonly VolumePair[];
}

/** Churn rates; each is the mean number of events per day. */
export interface ChurnRates {
  readonly spotInterruptionsPerNodeDay: number;
  readonly restartsPerPodDay: number;
  readonly rolloutsPerWorkloadDay: number;
}

interface Range {
  readonly startMillis: number;
  readonly endMillis: number;
  readonly windowMillis: number;
}

const alignUp = (t: number, r: Range): number => r.startMillis + Math.ceil((t - r.startMillis) / r.windowMillis) * r.windowMillis;

/** Times of a Poisson process over the range, aligned to window starts, strictly inside it. */
function poissonTimes(perDay: number, r: Range, prng: Prng): number[] {
  const times: number[] = [];
  if (perDay <= 0) return times;
  let t = r.startMillis;
  for (;;) {
    t = alignUp(t + prng.exponential(DAY / perDay), r);
    if (t >= r.endMillis) return times;
    if (t > r.startMillis && times.at(-1) !== t) times.push(t);
  }
}

function nodeIncarnations(plan: ClusterPlan, rates: ChurnRates, r: Range, prng: Prng): NodeIncarnation[][] {
  return plan.positions.map((position) => {
    const make = (createdAt: number, upFrom: number, deletedAt: number | null): NodeIncarnation => {
      const ip = `10-0-${prng.int(0, 255)}-${prng.int(1, 254)}`;
      const instance = `i-0${Array.from({ length: 16 }, () => prng.int(0, 15).toString(16)).join('')}`;
      return { position, uid: prng.uuid(), name: `ip-${ip}.ec2.internal`, providerId: `aws:///${position.zone}/${instance}`, createdAt, upFrom, deletedAt };
    };
    const interruptions = position.capacityType === 'SPOT' ? poissonTimes(rates.spotInterruptionsPerNodeDay, r, prng) : [];
    const out: NodeIncarnation[] = [];
    let createdAt = r.startMillis - prng.int(2, 72) * 3_600_000 - prng.int(0, 3599) * 1000;
    let upFrom = r.startMillis;
    for (const t of interruptions) {
      if (t < upFrom) continue;
      out.push(make(createdAt, upFrom, t));
      // The replacement joins two windows later: long enough to show a gap, short like a real node launch.
      createdAt = t + 2 * r.windowMillis;
      upFrom = createdAt;
    }
    if (upFrom < r.endMillis) out.push(make(createdAt, upFrom, null));
    return out;
  });
}

/** When a slot wants to run: always, only during its anomaly, or during its CronJob's runs. */
function wantedRanges(slot: PodSlot, r: Range): Array<{ from: number; to: number; job: boolean }> {
  if (slot.onlyDuring) return [{ from: slot.onlyDuring.startMillis, to: slot.onlyDuring.endMillis, job: false }];
  const cron = slot.workload.cron;
  if (!cron) return [{ from: r.startMillis, to: r.endMillis, job: false }];
  const runs = [];
  for (let t = r.startMillis + cron.offsetMillis; t < r.endMillis; t += cron.periodMillis) {
    const from = alignUp(t, r);
    const to = Math.min(alignUp(t + cron.runMillis, r), r.endMillis);
    if (to > from) runs.push({ from, to, job: true });
  }
  return runs;
}

/** Workloads added after planning (extra-workloads.ts), expanded with their own random stream so the planned cluster's pods stay as they were. */
export interface ExtraSlots {
  readonly workloads: readonly Workload[];
  readonly slots: readonly PodSlot[];
  readonly prng: Prng;
}

/**
 * Expands the plan into what happens over the run: node machines (spot
 * positions are interrupted and replaced), and every pod each slot runs,
 * cut by node replacements, rollouts (all of a workload's pods get a new
 * ReplicaSet hash and new uids), restarts and CronJob schedules. Every
 * change falls on a window start, so windows never straddle two pods.
 * Extra workloads run on the same machines, after the planned ones.
 */
export function buildTimeline(plan: ClusterPlan, anomalies: readonly InjectedAnomaly[], rates: ChurnRates, r: Range, prng: Prng, extra?: ExtraSlots): Timeline {
  const nodesByPosition = nodeIncarnations(plan, rates, r, prng);
  const churn = workloadChurn(plan.workloads, rates, r, prng);
  const volumes: VolumePair[] = [];
  const claims = new Map<string, string>();
  for (const slot of plan.slots) {
    const w = slot.workload;
    if (w.claimBytes === null || slot.onlyDuring) continue;
    const claimName = `data-${w.name}-${slot.ordinal}`;
    claims.set(`${w.id}/${slot.ordinal}`, claimName);
    volumes.push({ workload: w, claimName, claimUid: prng.uuid(), volumeName: '', volumeUid: '', sizeBytes: w.claimBytes, createdAt: r.startMillis - prng.int(1, 30) * DAY });
  }
  const boundVolumes = volumes.map((v) => ({ ...v, volumeName: `pvc-${v.claimUid}`, volumeUid: prng.uuid() }));

  const pods: PodIncarnation[] = [];
  const planned = { nodesByPosition, churn, claims, rates, r, prng };
  expandSlots(plan.slots, planned, pods);
  // Before the anomalies' replicas, so the extra workloads' pods (and their noise) are the same with or without anomalies.
  if (extra) expandSlots(extra.slots, { ...planned, churn: workloadChurn(extra.workloads, rates, r, extra.prng), prng: extra.prng }, pods);
  expandSlots(anomalies.flatMap((a) => a.extraSlots), planned, pods);
  return { nodes: nodesByPosition.flat(), pods, volumes: boundVolumes };
}

/** Rollout times of each Deployment and StatefulSet, and the ReplicaSet hash of each generation. */
interface WorkloadChurn {
  readonly rollouts: Map<Workload, number[]>;
  readonly hashes: Map<Workload, string[]>;
}

function workloadChurn(workloads: readonly Workload[], rates: ChurnRates, r: Range, prng: Prng): WorkloadChurn {
  const rollouts = new Map<Workload, number[]>();
  const hashes = new Map<Workload, string[]>();
  for (const w of workloads) {
    const times = w.kind === 'Deployment' || w.kind === 'StatefulSet' ? poissonTimes(rates.rolloutsPerWorkloadDay, r, prng) : [];
    rollouts.set(w, times);
    hashes.set(w, Array.from({ length: times.length + 1 }, () => prng.suffix(10)));
  }
  return { rollouts, hashes };
}

interface ExpandContext {
  readonly nodesByPosition: readonly NodeIncarnation[][];
  readonly churn: WorkloadChurn;
  readonly claims: ReadonlyMap<string, string>;
  readonly rates: ChurnRates;
  readonly r: Range;
  readonly prng: Prng;
}

/** Appends the pods each slot runs to `pods`, numbering them on. */
function expandSlots(slots: readonly PodSlot[], context: ExpandContext, pods: PodIncarnation[]): void {
  const { nodesByPosition, churn, claims, rates, r, prng } = context;
  const { rollouts, hashes } = churn;
  for (const slot of slots) {
    const w = slot.workload;
    const claimName = claims.get(`${w.id}/${slot.ordinal}`) ?? null;
    if (slot.position === null) {
      pods.push({ seq: pods.length, slot, uid: prng.uuid(), name: podName(w, slot, r.startMillis, hashes, rollouts, prng), node: null, createdAt: r.startMillis, startMillis: r.startMillis, endMillis: null, endPhase: 'Running', claimName });
      continue;
    }
    const restarts = w.kind === 'CronJob' ? [] : poissonTimes(rates.restartsPerPodDay, r, prng);
    const cuts = [...(rollouts.get(w) ?? []), ...restarts];
    for (const want of wantedRanges(slot, r)) {
      for (const node of nodesByPosition[slot.position] ?? []) {
        const from = Math.max(want.from, node.upFrom);
        const to = Math.min(want.to, node.deletedAt ?? r.endMillis);
        if (to <= from) continue;
        const inner = [...new Set(cuts.filter((t) => t > from && t < to))].sort((a, b) => a - b);
        const bounds = [from, ...inner, to];
        for (let i = 0; i + 1 < bounds.length; i++) {
          const start = bounds[i] as number;
          const end = bounds[i + 1] as number;
          const runsPastEnd = end >= r.endMillis && !want.job;
          const killedByNode = node.deletedAt !== null && end === node.deletedAt;
          pods.push({
            seq: pods.length,
            slot,
            uid: prng.uuid(),
            name: podName(w, slot, start, hashes, rollouts, prng),
            node,
            // Pods already running when the range starts were created a while before it.
            createdAt: start === r.startMillis ? Math.max(node.createdAt + 60_000, start - prng.int(5, 600) * 60_000) : start,
            startMillis: start,
            endMillis: runsPastEnd ? null : end,
            endPhase: want.job ? (killedByNode ? 'Failed' : 'Succeeded') : 'Running',
            claimName,
          });
        }
      }
    }
  }
}

function podName(w: Workload, slot: PodSlot, at: number, hashes: Map<Workload, string[]>, rollouts: Map<Workload, number[]>, prng: Prng): string {
  switch (w.kind) {
    case 'StatefulSet':
      return `${w.name}-${slot.ordinal}`;
    case 'Deployment': {
      const generation = (rollouts.get(w) ?? []).filter((t) => t <= at).length;
      return `${w.name}-${hashes.get(w)?.[generation] ?? 'x'}-${prng.suffix(5)}`;
    }
    case 'CronJob':
      // The CronJob controller names each Job after its scheduled time in minutes.
      return `${w.name}-${Math.floor(at / 60_000)}-${prng.suffix(5)}`;
    case 'DaemonSet':
      return `${w.name}-${prng.suffix(5)}`;
  }
}
