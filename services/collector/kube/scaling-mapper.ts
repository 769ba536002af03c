import type { AutoscalerMetric, AutoscalerState, WorkloadState } from '../../codec/records.generated.js';
import type { KubeResource, KubeTime } from './kube-json.js';
import { MalformedObjectError, toMillis } from './kube-json.js';

// autoscaling/v2: each metric names its source in a field named after its type
// (resource, containerResource, pods, object, external).
interface MetricTarget {
  readonly type?: string | null;
  readonly averageUtilization?: number | null;
}

interface MetricSpec {
  readonly type?: string | null;
  readonly resource?: { readonly name?: string; readonly target?: MetricTarget | null } | null;
  readonly containerResource?: { readonly name?: string; readonly container?: string; readonly target?: MetricTarget | null } | null;
  readonly pods?: { readonly metric?: { readonly name?: string } | null; readonly target?: MetricTarget | null } | null;
  readonly object?: { readonly metric?: { readonly name?: string } | null; readonly target?: MetricTarget | null } | null;
  readonly external?: { readonly metric?: { readonly name?: string } | null; readonly target?: MetricTarget | null } | null;
}

/** The autoscaling/v2 HorizontalPodAutoscaler fields the mapper reads. */
export interface KubeHorizontalPodAutoscaler extends KubeResource {
  readonly spec?: {
    readonly scaleTargetRef?: { readonly kind?: string; readonly name?: string } | null;
    readonly minReplicas?: number | null;
    readonly maxReplicas?: number | null;
    readonly metrics?: readonly MetricSpec[] | null;
  } | null;
  readonly status?: {
    readonly currentReplicas?: number | null;
    readonly desiredReplicas?: number | null;
    readonly lastScaleTime?: KubeTime;
  } | null;
}

/** The apps/v1 Deployment and StatefulSet fields the mapper reads (both have the same). */
export interface KubeScalableWorkload extends KubeResource {
  readonly spec?: { readonly replicas?: number | null } | null;
  readonly status?: { readonly replicas?: number | null; readonly readyReplicas?: number | null } | null;
}

/** The workload kinds published as WORKLOAD. */
export type WorkloadController = 'Deployment' | 'StatefulSet';

// What the API server fills in when spec.metrics is empty (pkg/apis/autoscaling/v2/defaults.go).
const DEFAULT_CPU_UTILIZATION_PERCENT = 80;

/** A replica count as Kubernetes keeps them (int32 ≥ 0); absent is the fallback, anything else is malformed. */
function count(value: number | null | undefined, fallback: number, what: string): number {
  if (value === null || value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) throw new MalformedObjectError(`${what}: ${JSON.stringify(value)} is not a replica count`);
  return value;
}

function metricOf(spec: MetricSpec, label: string): AutoscalerMetric {
  const type = spec.type ?? '';
  const utilization = (target: MetricTarget | null | undefined): Pick<AutoscalerMetric, 'targetType' | 'targetAverageUtilizationPercent'> => ({
    targetType: target?.type ?? '',
    targetAverageUtilizationPercent:
      target?.type === 'Utilization' && target.averageUtilization !== null && target.averageUtilization !== undefined
        ? count(target.averageUtilization, 0, `${label} ${type} target.averageUtilization`)
        : null,
  });
  switch (type) {
    case 'Resource':
      return { type, name: spec.resource?.name ?? '', container: null, ...utilization(spec.resource?.target) };
    case 'ContainerResource':
      return { type, name: spec.containerResource?.name ?? '', container: spec.containerResource?.container ?? null, ...utilization(spec.containerResource?.target) };
    case 'Pods':
    case 'Object':
    case 'External': {
      // Only resource metrics have a utilization; for these the target is a value, whatever it is.
      const source = type === 'Pods' ? spec.pods : type === 'Object' ? spec.object : spec.external;
      return { type, name: source?.metric?.name ?? '', container: null, targetType: source?.target?.type ?? '', targetAverageUtilizationPercent: null };
    }
    default:
      // A metric type newer than this collector: listed by its type, so consumers still see it is there.
      return { type, name: '', container: null, targetType: '', targetAverageUtilizationPercent: null };
  }
}

/** HorizontalPodAutoscaler state that right-sizing needs. */
export function mapAutoscalerState(hpa: KubeHorizontalPodAutoscaler, label: string): AutoscalerState {
  const target = hpa.spec?.scaleTargetRef;
  if (!target?.kind || !target.name) throw new MalformedObjectError(`${label}: no spec.scaleTargetRef`);
  const maxReplicas = hpa.spec?.maxReplicas;
  if (maxReplicas === null || maxReplicas === undefined) throw new MalformedObjectError(`${label}: no spec.maxReplicas`);
  const metrics = hpa.spec?.metrics ?? [];
  return {
    targetKind: target.kind,
    targetName: target.name,
    minReplicas: count(hpa.spec?.minReplicas, 1, `${label} spec.minReplicas`),
    maxReplicas: count(maxReplicas, 0, `${label} spec.maxReplicas`),
    currentReplicas: count(hpa.status?.currentReplicas, 0, `${label} status.currentReplicas`),
    desiredReplicas: count(hpa.status?.desiredReplicas, 0, `${label} status.desiredReplicas`),
    lastScaleTime: toMillis(hpa.status?.lastScaleTime, `${label} status.lastScaleTime`),
    metrics:
      metrics.length === 0
        ? [{ type: 'Resource', name: 'cpu', container: null, targetType: 'Utilization', targetAverageUtilizationPercent: DEFAULT_CPU_UTILIZATION_PERCENT }]
        : metrics.map((metric) => metricOf(metric, label)),
  };
}

/** Replica counts of a Deployment or StatefulSet. */
export function mapWorkloadState(workload: KubeScalableWorkload, controllerKind: WorkloadController, label: string): WorkloadState {
  return {
    controllerKind,
    desiredReplicas: count(workload.spec?.replicas, 1, `${label} spec.replicas`),
    replicas: count(workload.status?.replicas, 0, `${label} status.replicas`),
    readyReplicas: count(workload.status?.readyReplicas, 0, `${label} status.readyReplicas`),
  };
}
