import type { ContainerResources, PodState } from '../../codec/records.generated.js';
import type { KubeResource, KubeTime, ResourceMap } from './kube-json.js';
import { toMillis } from './kube-json.js';
import { resolveWorkload, type OwnerLookup } from './owner-resolver.js';
import { parseBytes, parseCores } from './quantity.js';

interface KubeContainer {
  readonly name?: string;
  readonly resources?: { readonly requests?: ResourceMap; readonly limits?: ResourceMap } | null;
}

interface KubeTermination {
  readonly reason?: string | null;
  readonly finishedAt?: KubeTime;
}

interface KubeContainerStatus {
  readonly name?: string;
  readonly restartCount?: number | null;
  readonly state?: { readonly terminated?: KubeTermination | null } | null;
  readonly lastState?: { readonly terminated?: KubeTermination | null } | null;
}

/** The Pod fields the mapper reads. */
export interface KubePod extends KubeResource {
  readonly spec?: {
    readonly nodeName?: string | null;
    readonly containers?: readonly KubeContainer[] | null;
    readonly volumes?: ReadonlyArray<{ readonly persistentVolumeClaim?: { readonly claimName?: string } | null }> | null;
  } | null;
  readonly status?: {
    readonly phase?: string | null;
    readonly startTime?: KubeTime;
    readonly containerStatuses?: readonly KubeContainerStatus[] | null;
  } | null;
}

const GPU_RESOURCES = ['nvidia.com/gpu', 'amd.com/gpu'];

function gpuSum(resources: ResourceMap, what: string): number | null {
  let total: number | null = null;
  for (const name of GPU_RESOURCES) {
    const raw = resources?.[name];
    if (raw !== undefined) total = (total ?? 0) + parseCores(raw, `${what}[${name}]`);
  }
  return total;
}

/** Restart count and last termination of a container, from its status (none yet: zero and null). */
function restartHistory(status: KubeContainerStatus | undefined, what: string): Pick<ContainerResources, 'restartCount' | 'lastTerminationReason' | 'lastTerminatedAt'> {
  // A container terminated now (a finished Job, a crash not yet restarted) has its termination in state; once restarted, in lastState.
  const last = status?.state?.terminated ?? status?.lastState?.terminated ?? null;
  const count = status?.restartCount;
  return {
    restartCount: typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : 0,
    lastTerminationReason: last?.reason || (last ? 'Unknown' : null),
    lastTerminatedAt: last ? toMillis(last.finishedAt, `${what} last termination finishedAt`) : null,
  };
}

function containerResources(container: KubeContainer, status: KubeContainerStatus | undefined, label: string): ContainerResources {
  const name = container.name ?? '';
  const what = `${label} container ${name}`;
  const requests = container.resources?.requests;
  const limits = container.resources?.limits;
  const cpuLimit = limits?.cpu;
  const memoryLimit = limits?.memory;
  return {
    name,
    cpuRequestCores: requests?.cpu === undefined ? 0 : parseCores(requests.cpu, `${what} requests.cpu`),
    cpuLimitCores: cpuLimit === undefined ? null : parseCores(cpuLimit, `${what} limits.cpu`),
    memoryRequestBytes: requests?.memory === undefined ? 0 : parseBytes(requests.memory, `${what} requests.memory`),
    memoryLimitBytes: memoryLimit === undefined ? null : parseBytes(memoryLimit, `${what} limits.memory`),
    // Kubernetes defaults an extended resource's request to its limit, so a GPU limit alone is a request too.
    gpuRequest: gpuSum(requests, `${what} requests`) ?? gpuSum(limits, `${what} limits`) ?? 0,
    gpuLimit: gpuSum(limits, `${what} limits`),
    ...restartHistory(status, what),
  };
}

/** When the last app container of a finished pod terminated, or null while any still runs. */
function finishedAt(pod: KubePod, label: string): number | null {
  const phase = pod.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Failed') return null;
  let latest: number | null = null;
  for (const status of pod.status?.containerStatuses ?? []) {
    const at = toMillis(status.state?.terminated?.finishedAt, `${label} container ${status.name ?? ''} finishedAt`);
    if (at !== null && (latest === null || at > latest)) latest = at;
  }
  return latest;
}

/**
 * Pod state that costing needs. `deletedAt` (from the watch or
 * metadata.deletionTimestamp) ends the pod when no container finish time does.
 */
export function mapPodState(
  pod: KubePod,
  meta: { readonly namespace: string | null; readonly labels: Readonly<Record<string, string>>; readonly deletedAt: number | null },
  owners: OwnerLookup,
  label: string,
): PodState {
  const claimNames = (pod.spec?.volumes ?? [])
    .map((volume) => volume.persistentVolumeClaim?.claimName)
    .filter((name): name is string => typeof name === 'string' && name !== '');
  return {
    nodeName: pod.spec?.nodeName || null,
    phase: pod.status?.phase ?? 'Unknown',
    startedAt: toMillis(pod.status?.startTime, `${label} status.startTime`),
    endedAt: finishedAt(pod, label) ?? meta.deletedAt,
    workload: resolveWorkload(meta.namespace, pod.metadata?.ownerReferences, meta.labels, owners),
    containers: (pod.spec?.containers ?? []).map((container) =>
      containerResources(
        container,
        (pod.status?.containerStatuses ?? []).find((status) => status.name === container.name),
        label,
      ),
    ),
    claimNames: [...new Set(claimNames)],
  };
}
