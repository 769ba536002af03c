import type { KubeObject } from '../codec/records.generated.js';
import type { DisruptionBudget, WorkloadSpec } from './savings-inputs.js';

/**
 * The Kubernetes state cluster-savings advice needs and costs do not carry,
 * the latest per object of kcost.kube.v1: node labels (pools, architecture),
 * PodDisruptionBudgets, desired replicas, and which PersistentVolumes are
 * local. Deleted objects (deletedAt set, or a tombstone) leave it.
 */
export class KubeInventory {
  private readonly objects = new Map<string, KubeObject>();

  /** Applies one record of the topic: its key and value (null: a tombstone). */
  observe(key: string, object: KubeObject | null): void {
    if (object === null || object.deletedAt !== null) this.objects.delete(key);
    else this.objects.set(key, object);
  }

  get size(): number {
    return this.objects.size;
  }

  clusters(): string[] {
    return [...new Set([...this.objects.values()].map((o) => o.cluster))].sort();
  }

  nodeLabels(cluster: string): Map<string, Readonly<Record<string, string>>> {
    const out = new Map<string, Readonly<Record<string, string>>>();
    for (const o of this.of(cluster, 'NODE')) out.set(o.name, o.labels);
    return out;
  }

  workloads(cluster: string): WorkloadSpec[] {
    return this.of(cluster, 'WORKLOAD').flatMap((o) =>
      o.workload && o.namespace !== null ? [{ namespace: o.namespace, kind: o.workload.controllerKind, name: o.name, desiredReplicas: o.workload.desiredReplicas }] : [],
    );
  }

  budgets(cluster: string): DisruptionBudget[] {
    return this.of(cluster, 'POD_DISRUPTION_BUDGET').flatMap((o) => {
      const b = o.disruptionBudget;
      if (!b || o.namespace === null) return [];
      return [{ namespace: o.namespace, name: o.name, matchLabels: b.matchLabels, matchExpressions: b.matchExpressions, minAvailable: b.minAvailable, maxUnavailable: b.maxUnavailable, disruptionsAllowed: b.disruptionsAllowed }];
    });
  }

  localVolumes(cluster: string): Set<string> {
    return new Set(this.of(cluster, 'PERSISTENT_VOLUME').filter((o) => o.volume?.local === true).map((o) => o.name));
  }

  private of(cluster: string, kind: KubeObject['kind']): KubeObject[] {
    return [...this.objects.values()].filter((o) => o.cluster === cluster && o.kind === kind);
  }
}
