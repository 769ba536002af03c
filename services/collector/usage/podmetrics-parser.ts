import { messageOf } from '../../errors/kcost-error.js';
import { parseBytes, parseCores } from '../kube/quantity.js';
import type { PodDirectory } from './pod-directory.js';
import type { ContainerObservation } from './usage-observation.js';

interface PodMetrics {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly timestamp?: string;
  readonly containers?: ReadonlyArray<{ readonly name?: string; readonly usage?: { readonly cpu?: string; readonly memory?: string } }>;
}

/** Observations read from a PodMetricsList, and what could not be used. */
export interface ParsedPodMetrics {
  readonly containers: ContainerObservation[];
  /** Pods the directory does not know (yet): their usage cannot be keyed by uid. */
  readonly unknownPods: number;
  /** Items that lacked a name, a timestamp or readable quantities, with the reason. */
  readonly malformed: string[];
}

/**
 * Reads a metrics.k8s.io/v1beta1 PodMetricsList. Its items carry no pod uid,
 * so each is keyed through the directory by namespace and name.
 */
export function parsePodMetricsList(document: unknown, directory: PodDirectory): ParsedPodMetrics {
  const items = (document as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return { containers: [], unknownPods: 0, malformed: ['the document has no items array'] };
  const containers: ContainerObservation[] = [];
  const malformed: string[] = [];
  let unknownPods = 0;
  for (const item of items as PodMetrics[]) {
    const namespace = item.metadata?.namespace;
    const podName = item.metadata?.name;
    const label = `PodMetrics ${namespace ?? '?'}/${podName ?? '?'}`;
    try {
      if (!namespace || !podName) throw new Error('no metadata.namespace or metadata.name');
      const sampledAt = Date.parse(item.timestamp ?? '');
      if (!Number.isFinite(sampledAt)) throw new Error(`timestamp ${JSON.stringify(item.timestamp)} is not a timestamp`);
      const pod = directory.lookup(namespace, podName);
      if (!pod) {
        unknownPods += 1;
        continue;
      }
      const parsed = (item.containers ?? []).map((container) => ({
        namespace,
        podName,
        podUid: pod.uid,
        nodeName: pod.nodeName,
        container: container.name ?? '',
        cpuCores: parseCores(container.usage?.cpu ?? '', `${label} container ${container.name ?? ''} cpu`),
        cpuTotalCoreSeconds: null,
        memoryWorkingSetBytes: parseBytes(container.usage?.memory ?? '', `${label} container ${container.name ?? ''} memory`),
        sampledAt,
      }));
      containers.push(...parsed);
    } catch (error) {
      malformed.push(`${label}: ${messageOf(error)}`);
    }
  }
  return { containers, unknownPods, malformed };
}
