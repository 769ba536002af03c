import { placeExtraReplicas, type ClusterPlan, type PodSlot, type Workload } from './cluster-plan.js';
import type { Prng } from './prng.js';

/** One injected cost anomaly as the benchmark reads it: what changed, where, when and by how much. */
export interface GroundTruthEntry {
  readonly cluster: string;
  readonly scope: 'WORKLOAD' | 'NAMESPACE';
  /** `namespace/kind/name` for a workload, the namespace for a namespace. */
  readonly key: string;
  readonly namespace: string;
  readonly startMillis: number;
  readonly endMillis: number;
  /** The multiplier applied to usage (or to replicas) during [startMillis, endMillis). */
  readonly factor: number;
}

/** An anomaly as the simulation applies it. */
export interface InjectedAnomaly {
  readonly kind: 'USAGE' | 'REPLICAS' | 'NAMESPACE';
  readonly namespace: string;
  readonly workloads: readonly Workload[];
  readonly startMillis: number;
  readonly endMillis: number;
  readonly factor: number;
  /** The extra replicas of a REPLICAS anomaly. */
  readonly extraSlots: readonly PodSlot[];
}

export const workloadKey = (w: Workload): string => `${w.namespace}/${w.kind}/${w.name}`;

/**
 * Picks `count` anomalies in the second half of the run (the first half is
 * the baseline a detector learns from), each in its own time segment so
 * they never overlap: a workload's usage ×3–6, its replicas ×2–3, or the
 * usage of a whole namespace ×3–5. Boundaries fall on whole hours when the
 * run is long enough for hourly scoring.
 */
export function planAnomalies(plan: ClusterPlan, options: { count: number; startMillis: number; durationMillis: number; windowMillis: number }, prng: Prng): InjectedAnomaly[] {
  const candidates = plan.workloads.filter((w) => (w.kind === 'Deployment' || w.kind === 'StatefulSet') && !w.gpu && plan.slots.some((s) => s.workload === w && s.position !== null));
  if (options.count === 0 || candidates.length === 0) return [];
  const align = options.durationMillis >= 6 * 3_600_000 ? 3_600_000 : options.windowMillis;
  const half = Math.ceil(options.durationMillis / 2 / align) * align;
  const segment = Math.floor((options.durationMillis - half) / options.count / align) * align;
  if (segment < 2 * align) return [];
  const anomalies: InjectedAnomaly[] = [];
  let nextSlotId = plan.slots.length;
  const used = new Set<Workload>();
  for (let i = 0; i < options.count; i++) {
    const segmentStart = options.startMillis + half + i * segment;
    const length = prng.int(1, Math.max(1, Math.min(3 * 3_600_000 / align, segment / align - 1))) * align;
    const startMillis = segmentStart + prng.int(0, segment / align - length / align - 1) * align;
    const during = { startMillis, endMillis: startMillis + length };
    const fresh = candidates.filter((w) => !used.has(w));
    const workload = prng.pick(fresh.length > 0 ? fresh : candidates);
    used.add(workload);
    // At most one namespace-wide anomaly: more would make most of the ground truth one namespace.
    const namespaceWeight = anomalies.some((a) => a.kind === 'NAMESPACE') ? 0 : 1;
    let kind = prng.weighted<InjectedAnomaly['kind']>([['USAGE', 3], ['REPLICAS', 2], ['NAMESPACE', namespaceWeight]]);
    // Only Deployments scale out: extra StatefulSet replicas would need volumes of their own.
    if (kind === 'REPLICAS' && workload.kind === 'Deployment') {
      const factor = prng.int(2, 3);
      const extra = placeExtraReplicas(plan, workload, workload.replicas * (factor - 1), during, nextSlotId);
      if (extra) {
        nextSlotId += extra.length;
        anomalies.push({ kind, namespace: workload.namespace, workloads: [workload], ...during, factor, extraSlots: extra });
        continue;
      }
      // Not enough room for the extra replicas: scale usage instead, so the ground truth stays true.
    }
    if (kind === 'REPLICAS') kind = 'USAGE';
    if (kind === 'NAMESPACE') {
      const members = candidates.filter((w) => w.namespace === workload.namespace);
      anomalies.push({ kind, namespace: workload.namespace, workloads: members, ...during, factor: Number(prng.range(3, 5).toFixed(1)), extraSlots: [] });
    } else {
      anomalies.push({ kind: 'USAGE', namespace: workload.namespace, workloads: [workload], ...during, factor: Number(prng.range(3, 6).toFixed(1)), extraSlots: [] });
    }
  }
  return anomalies;
}

/**
 * The ground truth of the injected anomalies: one WORKLOAD entry per
 * affected workload, plus a NAMESPACE entry when a whole namespace was scaled.
 */
export function groundTruthOf(cluster: string, anomalies: readonly InjectedAnomaly[]): GroundTruthEntry[] {
  return anomalies.flatMap((a) => [
    ...(a.kind === 'NAMESPACE' ? [{ cluster, scope: 'NAMESPACE' as const, key: a.namespace, namespace: a.namespace, startMillis: a.startMillis, endMillis: a.endMillis, factor: a.factor }] : []),
    ...a.workloads.map((w) => ({ cluster, scope: 'WORKLOAD' as const, key: workloadKey(w), namespace: w.namespace, startMillis: a.startMillis, endMillis: a.endMillis, factor: a.factor })),
  ]);
}
