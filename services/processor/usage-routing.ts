import type { UsageSample } from '../codec/records.generated.js';
import { nodeKey, podKey } from '../kafka/topics.js';
import type { ClusterState } from './cluster-state.js';

const HOUR = 3_600_000;

/**
 * Key of a usage sample on the by-node topic: `cluster/node`, so that all the
 * pods of a node are priced by one instance. The sample's own node comes
 * first (collectors report where the pod ran in that window); else the pod's
 * state. A sample whose node is not known yet keeps its pod key; the pricing
 * stage sends it on to its node's partition once it knows the node.
 */
export function routingKey(sample: UsageSample, state: ClusterState): string {
  return routingKeyOn(sample, sampleNodeName(sample, state));
}

/** The node a sample ran on: its own, else its pod's in the state; null while neither is known. */
export function sampleNodeName(sample: UsageSample, state: ClusterState): string | null {
  return sample.nodeName ?? state.pod(sample.cluster, sample.podUid)?.pod.nodeName ?? null;
}

/** routingKey for a sample whose node (sampleNodeName) is already looked up. */
export function routingKeyOn(sample: UsageSample, nodeName: string | null): string {
  return nodeName ? nodeKey({ cluster: sample.cluster, nodeName }) : podKey(sample);
}

/**
 * Remembers, per usage partition, which clusters' windows a router has
 * already announced with window ticks, so that each is announced once. After
 * a restart a window may be announced again; the pricing stage takes a
 * repeated tick as a no-op. Windows more than `horizonMillis` behind the
 * newest one of their partition are forgotten.
 */
export class TickMemory {
  private readonly seen = new Map<number, { newest: number; windows: Set<string> }>();

  constructor(private readonly horizonMillis = 2 * HOUR) {}

  /** True the first time a (cluster, window) is seen on a usage partition. */
  firstSight(source: number, cluster: string, windowStart: number, windowSeconds: number): boolean {
    let memory = this.seen.get(source);
    if (!memory) {
      memory = { newest: windowStart, windows: new Set() };
      this.seen.set(source, memory);
    }
    const id = `${windowStart}/${windowSeconds}/${cluster}`;
    if (memory.windows.has(id)) return false;
    memory.windows.add(id);
    if (windowStart > memory.newest + this.horizonMillis / 2) {
      memory.newest = windowStart;
      for (const old of memory.windows) if (Number(old.slice(0, old.indexOf('/'))) < windowStart - this.horizonMillis) memory.windows.delete(old);
    }
    return true;
  }

  /** Forgets a partition this router no longer reads. */
  forget(source: number): void {
    this.seen.delete(source);
  }

  get size(): number {
    let n = 0;
    for (const memory of this.seen.values()) n += memory.windows.size;
    return n;
  }
}
