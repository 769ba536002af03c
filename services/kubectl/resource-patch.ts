import { stringify } from 'yaml';
import type { HpaAdvice, Recommendation, ResourceAdvice, ResourceName } from '../recommender/recommendation.js';
import { cpuQuantity, memoryQuantity } from './quantity-format.js';

/** One YAML document of `-o yaml`: comment lines (the command to run first), then the patch. */
export interface PatchDocument {
  readonly comments: readonly string[];
  readonly patch: Record<string, unknown>;
}

/** Where each kind keeps the pod template whose containers a patch changes. */
const POD_SPEC_PATH: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const QUANTITY: Readonly<Record<ResourceName, (value: number) => string>> = { cpu: cpuQuantity, memory: memoryQuantity };

/**
 * The strategic merge patches that apply a list of recommendations, one per
 * workload (its containers by name under the pod template), in the order the
 * workloads first appear, then one for its HorizontalPodAutoscaler where a
 * target should move. Only resources whose action is CHANGE are set; a limit
 * the advice drops (recommended null, current set) is deleted with null, as
 * a strategic merge patch deletes a map key. `skipped` says which
 * recommendations no patch can apply, and why.
 */
export function resourcePatches(recommendations: readonly Recommendation[]): { documents: PatchDocument[]; skipped: string[] } {
  const workloads = new Map<string, Recommendation[]>();
  for (const r of recommendations) {
    const target = r.workloadResources?.target;
    if (!target) continue;
    const id = [target.cluster, target.namespace, target.workloadKind, target.workloadName].join('/');
    workloads.set(id, [...(workloads.get(id) ?? []), r]);
  }
  const documents: PatchDocument[] = [];
  const skipped: string[] = [];
  for (const [id, group] of workloads) {
    const { target } = (group[0] as Recommendation).workloadResources as NonNullable<Recommendation['workloadResources']>;
    const path = POD_SPEC_PATH[target.workloadKind];
    if (!path) {
      skipped.push(`${id}: no patch for ${target.workloadKind === '' ? 'a bare pod' : `a ${target.workloadKind}`} (kcost patches the pod templates of ${Object.keys(POD_SPEC_PATH).join(', ')})`);
      continue;
    }
    const containers = group.flatMap((r) => {
      const resources = containerResources(r);
      return resources ? [{ name: (r.workloadResources as NonNullable<Recommendation['workloadResources']>).target.container, resources }] : [];
    });
    const saving = group.reduce((sum, r) => sum + r.saving.monthlySavingsUsd, 0);
    const risks = [...new Set(group.map((r) => r.risk))].join(', ');
    const resource = target.workloadKind.toLowerCase();
    if (containers.length > 0) {
      documents.push({
        comments: [
          `kubectl patch ${resource} ${target.workloadName} -n ${target.namespace} --type strategic --patch-file <this document>`,
          `cluster ${target.cluster}: ${containers.map((c) => c.name).join(', ')}; saves ${saving.toFixed(2)} USD/month; risk ${risks}`,
        ],
        patch: nest(path, { containers }),
      });
    }
    const metrics = hpaMetrics(group.flatMap((r) => r.workloadResources?.hpa ?? []));
    if (metrics) {
      documents.push({
        comments: [
          `kubectl patch horizontalpodautoscalers.v2.autoscaling ${target.workloadName} -n ${target.namespace} --type strategic --patch-file <this document>`,
          `cluster ${target.cluster}: the HPA of ${resource}/${target.workloadName} (named ${target.workloadName} here: use its own name if it differs), so it keeps the same replicas for the same load with the new requests.`,
          'spec.metrics is replaced whole: it lists every resource metric kcost saw; add the HPA\'s other metrics, if it has any.',
        ],
        patch: { spec: { metrics } },
      });
    }
  }
  return { documents, skipped };
}

/** `resources` of one container's patch, or undefined when neither resource is to change. */
function containerResources(r: Recommendation): { requests?: Record<string, string>; limits?: Record<string, string | null> } | undefined {
  const requests: Record<string, string> = {};
  const limits: Record<string, string | null> = {};
  const advice = r.workloadResources;
  if (!advice) return undefined;
  for (const a of [advice.cpu, advice.memory] as ResourceAdvice[]) {
    if (a.action !== 'CHANGE') continue;
    const quantity = QUANTITY[a.resource];
    if (a.recommendedRequest !== null) requests[a.resource] = quantity(a.recommendedRequest);
    if (a.recommendedLimit !== null) limits[a.resource] = quantity(a.recommendedLimit);
    else if (a.currentLimit !== null) limits[a.resource] = null;
  }
  const resources = {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
  return Object.keys(resources).length > 0 ? resources : undefined;
}

/**
 * The HPA's resource metrics with their new targets, or undefined when no
 * target moves. Where containers disagree, the lower target wins: it scales
 * out sooner, never later than either asked for.
 */
function hpaMetrics(advice: readonly HpaAdvice[]): Array<Record<string, unknown>> | undefined {
  const targets = new Map<ResourceName, { current: number; recommended: number | null }>();
  for (const a of advice) {
    const seen = targets.get(a.resource);
    const recommended = a.recommendedTargetUtilizationPercent;
    const lower = seen?.recommended === null || seen === undefined ? recommended : recommended === null ? seen.recommended : Math.min(seen.recommended, recommended);
    targets.set(a.resource, { current: a.currentTargetUtilizationPercent, recommended: lower });
  }
  if (![...targets.values()].some((t) => t.recommended !== null && t.recommended !== t.current)) return undefined;
  return [...targets].map(([name, t]) => ({
    type: 'Resource',
    resource: { name, target: { type: 'Utilization', averageUtilization: Math.floor(t.recommended ?? t.current) } },
  }));
}

function nest(path: readonly string[], leaf: Record<string, unknown>): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), leaf);
}

/** The documents as one YAML stream: each starts with its comment lines and is separated from the next by `---`. */
export function renderPatches(documents: readonly PatchDocument[]): string {
  return documents.map((d) => `${d.comments.map((c) => `# ${c}`).join('\n')}\n${stringify(d.patch)}`).join('---\n');
}
