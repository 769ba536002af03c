// What one scrape of a usage source saw, as plain values: the input of the
// window aggregator. Sources differ in what they measure: the metrics API
// gives a CPU rate and a working set per container; the kubelet summary adds
// cumulative CPU time and the pod's cumulative network counters.

/** One container's usage at one instant. */
export interface ContainerObservation {
  readonly namespace: string;
  readonly podName: string;
  readonly podUid: string;
  readonly nodeName: string | null;
  readonly container: string;
  /** CPU in cores, averaged by the source over its own short window; null when not given. */
  readonly cpuCores: number | null;
  /** Cumulative CPU time in core-seconds since the container started; null when not given. */
  readonly cpuTotalCoreSeconds: number | null;
  readonly memoryWorkingSetBytes: number;
  /** The source's own timestamp of the sample, to drop a sample read twice. */
  readonly sampledAt: number;
}

/** A pod's cumulative network counters at one instant (the kubelet measures them per pod, not per container). */
export interface PodNetworkObservation {
  readonly podUid: string;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly sampledAt: number;
}

/**
 * One attempt to read one scope: the whole cluster for the metrics API, one
 * node for the kubelet summary. A failed attempt (ok false) carries no
 * observations; a window in which a scope never succeeded is a gap for the
 * containers last seen there.
 */
export interface Scrape {
  readonly scope: string;
  readonly ok: boolean;
  readonly containers: readonly ContainerObservation[];
  readonly networks: readonly PodNetworkObservation[];
}

/** Where usage figures come from, as written into UsageSample.source. */
export type UsageSourceName = 'metrics-api' | 'kubelet-summary';
