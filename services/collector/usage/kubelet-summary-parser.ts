import { messageOf } from '../../errors/kcost-error.js';
import type { ContainerObservation, PodNetworkObservation } from './usage-observation.js';

interface Timed {
  readonly time?: string;
}
interface SummaryContainer {
  readonly name?: string;
  readonly cpu?: Timed & { readonly usageNanoCores?: number; readonly usageCoreNanoSeconds?: number };
  readonly memory?: Timed & { readonly workingSetBytes?: number };
}
interface SummaryPod {
  readonly podRef?: { readonly name?: string; readonly namespace?: string; readonly uid?: string };
  readonly containers?: readonly SummaryContainer[];
  readonly network?: Timed & { readonly rxBytes?: number; readonly txBytes?: number };
}

/** Observations read from one node's kubelet /stats/summary. */
export interface ParsedSummary {
  readonly containers: ContainerObservation[];
  readonly networks: PodNetworkObservation[];
  readonly malformed: string[];
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * Reads a kubelet Summary API document (/stats/summary through the API
 * server's node proxy): per container the CPU rate, cumulative CPU time and
 * working set; per pod the cumulative network counters of its interfaces.
 */
export function parseKubeletSummary(document: unknown, nodeName: string): ParsedSummary {
  const pods = (document as { pods?: unknown } | null)?.pods;
  if (!Array.isArray(pods)) return { containers: [], networks: [], malformed: [`node ${nodeName}: the summary has no pods array`] };
  const containers: ContainerObservation[] = [];
  const networks: PodNetworkObservation[] = [];
  const malformed: string[] = [];
  for (const pod of pods as SummaryPod[]) {
    const ref = pod.podRef;
    const label = `summary pod ${ref?.namespace ?? '?'}/${ref?.name ?? '?'} on ${nodeName}`;
    try {
      if (!ref?.uid || !ref.name || !ref.namespace) throw new Error('no podRef name, namespace and uid');
      for (const container of pod.containers ?? []) {
        const memory = container.memory?.workingSetBytes;
        // A container that has just started may have no stats yet; the next scrape will.
        if (!isCount(memory)) continue;
        const sampledAt = Date.parse(container.cpu?.time ?? container.memory?.time ?? '');
        if (!Number.isFinite(sampledAt)) throw new Error(`container ${container.name ?? ''} has no sample time`);
        const nanoCores = container.cpu?.usageNanoCores;
        const nanoSeconds = container.cpu?.usageCoreNanoSeconds;
        containers.push({
          namespace: ref.namespace,
          podName: ref.name,
          podUid: ref.uid,
          nodeName,
          container: container.name ?? '',
          cpuCores: isCount(nanoCores) ? nanoCores / 1e9 : null,
          cpuTotalCoreSeconds: isCount(nanoSeconds) ? nanoSeconds / 1e9 : null,
          memoryWorkingSetBytes: memory,
          sampledAt,
        });
      }
      const network = pod.network;
      const at = Date.parse(network?.time ?? '');
      if (network && isCount(network.rxBytes) && isCount(network.txBytes) && Number.isFinite(at)) {
        networks.push({ podUid: ref.uid, rxBytes: network.rxBytes, txBytes: network.txBytes, sampledAt: at });
      }
    } catch (error) {
      malformed.push(`${label}: ${messageOf(error)}`);
    }
  }
  return { containers, networks, malformed };
}
