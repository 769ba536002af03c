import { placeOne, roomLeft, type ClusterPlan, type PodSlot, type UsageProfile, type Workload } from './cluster-plan.js';
import { autoscaledReplicas, type AutoscalerSpec } from './hpa-model.js';
import type { MemoryLeak } from './oom-model.js';
import { diurnalFactor } from './usage-model.js';

const MiB = 1024 ** 2;

/** An HPA of the simulated cluster and the replicas it keeps per window. */
export interface AutoscalerPlan {
  readonly workload: Workload;
  readonly spec: AutoscalerSpec;
  /** Replicas that carry the demand the usage model gives `nominalReplicas` pods: each of n replicas gets nominal ÷ n of it. */
  readonly nominalReplicas: number;
  /** Replicas per window of the run. */
  readonly replicas: readonly number[];
}

/** Workloads added to the planned cluster for right-sizing's inputs: an autoscaled one and a leaking one. */
export interface ExtraWorkloads {
  readonly workloads: readonly Workload[];
  readonly slots: readonly PodSlot[];
  /** One slot per replica (an autoscaled replica has a slot per stretch it runs): the room they take, for placing more beside them. */
  readonly replicaSlots: readonly PodSlot[];
  readonly autoscalers: readonly AutoscalerPlan[];
  readonly leaks: ReadonlyMap<Workload, MemoryLeak>;
}

interface Range {
  readonly startMillis: number;
  readonly endMillis: number;
  readonly windowMillis: number;
}

const STOREFRONT_PROFILE: UsageProfile = { cpuUtilisation: 0.5, memoryUtilisation: 0.6, diurnalAmplitude: 0.5, peakHour: 14, noise: 0.05 };
const SESSION_CACHE_PROFILE: UsageProfile = { cpuUtilisation: 0.4, memoryUtilisation: 1, diurnalAmplitude: 0.1, peakHour: 12, noise: 0.03 };

/**
 * Adds two fixed workloads to a planned cluster, placed in the room its
 * slots leave, before anomalies are planned (their extra replicas then go
 * where these leave room, so nothing overcommits), and without drawing from
 * the plan's random streams, so the rest of the cluster stays as it was and
 * these are the same whatever anomalies a run has:
 * - `storefront`, a Deployment under an HPA on CPU at 60 % (2 to 6
 *   replicas), whose demand follows the day: the HPA scales it, and each
 *   running replica carries its share of the demand;
 * - `session-cache`, one replica whose memory leaks until its limit
 *   OOM-kills it, every 2.4 hours.
 * A workload that does not fit is left out (the HPA keeps as many replicas
 * as fit, at least min + 1).
 */
export function planExtraWorkloads(plan: ClusterPlan, range: Range): ExtraWorkloads {
  const rooms = roomLeft(plan.positions, plan.slots);
  const namespace = plan.namespaces.find((n) => n !== 'kube-system') ?? 'default';
  let nextWorkloadId = Math.max(plan.workloads.length, ...plan.workloads.map((w) => w.id + 1));
  let nextSlotId = plan.slots.length;
  const workloads: Workload[] = [];
  const slots: PodSlot[] = [];
  const autoscalers: AutoscalerPlan[] = [];
  const leaks = new Map<Workload, MemoryLeak>();
  const place = (w: Workload, count: number): number[] => {
    const positions: number[] = [];
    for (let i = 0; i < count; i++) {
      const position = placeOne(w, plan.positions, rooms);
      if (position === null) break;
      positions.push(position);
    }
    return positions;
  };

  const spec: AutoscalerSpec = { minReplicas: 2, maxReplicas: 6, targetUtilizationPercent: 60, cpuRequestCores: 0.25 };
  const storefront: Workload = {
    id: nextWorkloadId++, namespace, kind: 'Deployment', name: 'storefront', replicas: spec.maxReplicas,
    containers: [{ name: 'app', cpuRequestCores: spec.cpuRequestCores, cpuLimitCores: null, memoryRequestBytes: 256 * MiB, memoryLimitBytes: 512 * MiB, gpuRequest: 0 }],
    usage: STOREFRONT_PROFILE, gpu: false, cron: null, claimBytes: null,
  };
  const positions = place(storefront, spec.maxReplicas);
  if (positions.length > spec.minReplicas) {
    const fitted: AutoscalerSpec = { ...spec, maxReplicas: positions.length };
    const nominalReplicas = 4;
    const windows = Math.round((range.endMillis - range.startMillis) / range.windowMillis);
    // What the HPA reads: the day's demand without the per-pod noise, at each window's start.
    const demand = Array.from({ length: windows }, (_, k) =>
      nominalReplicas * spec.cpuRequestCores * STOREFRONT_PROFILE.cpuUtilisation * diurnalFactor(STOREFRONT_PROFILE, range.startMillis + k * range.windowMillis));
    const replicas = autoscaledReplicas(fitted, demand, range.windowMillis);
    const workload = { ...storefront, replicas: fitted.maxReplicas };
    workloads.push(workload);
    autoscalers.push({ workload, spec: fitted, nominalReplicas, replicas });
    positions.forEach((position, ordinal) => {
      if (ordinal < fitted.minReplicas) {
        slots.push({ id: nextSlotId++, workload, ordinal, position, onlyDuring: null });
        return;
      }
      // Replica `ordinal` runs while the HPA keeps more than `ordinal` replicas: one slot per such stretch.
      for (let k = 0; k < replicas.length; k++) {
        if ((replicas[k] ?? 0) <= ordinal) continue;
        const from = k;
        while (k < replicas.length && (replicas[k] ?? 0) > ordinal) k++;
        slots.push({ id: nextSlotId++, workload, ordinal, position, onlyDuring: { startMillis: range.startMillis + from * range.windowMillis, endMillis: range.startMillis + k * range.windowMillis } });
      }
    });
  }

  const sessionCache: Workload = {
    id: nextWorkloadId++, namespace, kind: 'Deployment', name: 'session-cache', replicas: 1,
    containers: [{ name: 'cache', cpuRequestCores: 0.1, cpuLimitCores: null, memoryRequestBytes: 256 * MiB, memoryLimitBytes: 384 * MiB, gpuRequest: 0 }],
    usage: SESSION_CACHE_PROFILE, gpu: false, cron: null, claimBytes: null,
  };
  const [cachePosition] = place(sessionCache, 1);
  if (cachePosition !== undefined) {
    workloads.push(sessionCache);
    slots.push({ id: nextSlotId++, workload: sessionCache, ordinal: 0, position: cachePosition, onlyDuring: null });
    leaks.set(sessionCache, { baseBytes: 192 * MiB, bytesPerHour: 80 * MiB });
  }
  const replicaSlots = slots.filter((slot, i) => slots.findIndex((s) => s.workload === slot.workload && s.ordinal === slot.ordinal) === i);
  return { workloads, slots, replicaSlots, autoscalers, leaks };
}
