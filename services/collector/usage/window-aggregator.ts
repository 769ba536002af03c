import type { UsageSample } from '../../codec/records.generated.js';
import type { ContainerObservation, PodNetworkObservation, Scrape, UsageSourceName } from './usage-observation.js';

export interface WindowAggregatorOptions {
  readonly cluster: string;
  readonly windowSeconds: number;
  readonly source: UsageSourceName;
  /** Stop reporting gaps for a container after this many gap windows in a row (its pod is most likely gone). */
  readonly maxGapWindows: number;
}

interface Counter {
  readonly at: number;
  readonly value: number;
}

interface ContainerWindow {
  readonly latest: ContainerObservation;
  readonly cpuRates: number[];
  readonly memory: number[];
  firstTotal: Counter | undefined;
  lastTotal: Counter | undefined;
  readonly seen: Set<number>;
}

interface Known {
  readonly identity: ContainerObservation;
  readonly scope: string;
  gapWindows: number;
}

interface NetworkWindow {
  first: PodNetworkObservation;
  last: PodNetworkObservation;
}

const keyOf = (o: { podUid: string; container: string }): string => `${o.podUid}/${o.container}`;
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Turns point samples into one UsageSample per container per window. Metrics
 * are instants, so the collector samples several times per window and this
 * averages them: CPU from the cumulative counter where the source has one
 * (exact over the span it covers), else the mean of the sampled rates; memory
 * working set as mean and max; network as the growth of the pod's cumulative
 * counters since the last reading. A container whose scope (the cluster, or
 * its node) was never read successfully in a window gets a gap record, never
 * invented figures; one whose scope was read but which was absent is gone.
 */
export class WindowAggregator {
  private containers = new Map<string, ContainerWindow>();
  private networks = new Map<string, NetworkWindow>();
  private okScopes = new Set<string>();
  private readonly known = new Map<string, Known>();
  private readonly previousTotals = new Map<string, Counter>();
  private readonly previousNetworks = new Map<string, PodNetworkObservation>();

  constructor(private readonly options: WindowAggregatorOptions) {}

  /** Adds one scrape to the window now open. */
  record(scrape: Scrape): void {
    if (!scrape.ok) return;
    this.okScopes.add(scrape.scope);
    for (const observation of scrape.containers) this.addContainer(scrape.scope, observation);
    for (const network of scrape.networks) {
      const open = this.networks.get(network.podUid);
      if (!open) this.networks.set(network.podUid, { first: network, last: network });
      else if (network.sampledAt > open.last.sampledAt) open.last = network;
    }
  }

  /**
   * Closes the window that starts at `windowStart` and returns its samples;
   * the next record() opens the following window. `podExists` lets the caller
   * stop gaps for pods it knows are deleted.
   */
  close(windowStart: number, podExists: (podUid: string) => boolean = () => true): UsageSample[] {
    const samples: UsageSample[] = [];
    const firstContainerOfPod = new Map<string, string>();
    for (const key of [...this.containers.keys()].sort()) {
      const uid = this.containers.get(key)!.latest.podUid;
      if (!firstContainerOfPod.has(uid)) firstContainerOfPod.set(uid, key);
    }
    for (const [key, window] of this.containers) {
      const network = firstContainerOfPod.get(window.latest.podUid) === key ? this.networkDelta(window.latest.podUid, windowStart) : null;
      samples.push(this.sample(windowStart, window.latest, {
        cpuCoreSeconds: this.cpuCores(key, window) * this.options.windowSeconds,
        memoryWorkingSetAvgBytes: mean(window.memory),
        memoryWorkingSetMaxBytes: Math.max(...window.memory),
        networkRxBytes: network?.rx ?? null,
        networkTxBytes: network?.tx ?? null,
        gap: false,
      }));
      if (window.lastTotal) this.previousTotals.set(key, window.lastTotal);
    }
    for (const [key, known] of this.known) {
      if (this.containers.has(key)) continue;
      const scopeRead = this.okScopes.has(known.scope);
      known.gapWindows += 1;
      if (scopeRead || known.gapWindows > this.options.maxGapWindows || !podExists(known.identity.podUid)) {
        this.forget(key, known.identity.podUid);
        continue;
      }
      samples.push(this.sample(windowStart, known.identity, {
        cpuCoreSeconds: 0, memoryWorkingSetAvgBytes: 0, memoryWorkingSetMaxBytes: 0, networkRxBytes: null, networkTxBytes: null, gap: true,
      }));
    }
    for (const [uid, network] of this.networks) this.previousNetworks.set(uid, network.last);
    this.containers = new Map();
    this.networks = new Map();
    this.okScopes = new Set();
    return samples;
  }

  private addContainer(scope: string, observation: ContainerObservation): void {
    const key = keyOf(observation);
    this.known.set(key, { identity: observation, scope, gapWindows: 0 });
    let window = this.containers.get(key);
    if (window?.seen.has(observation.sampledAt)) return; // the source had no newer sample than the last scrape
    if (!window) {
      window = { latest: observation, cpuRates: [], memory: [], firstTotal: undefined, lastTotal: undefined, seen: new Set() };
      this.containers.set(key, window);
    }
    window.seen.add(observation.sampledAt);
    if (observation.cpuCores !== null) window.cpuRates.push(observation.cpuCores);
    window.memory.push(observation.memoryWorkingSetBytes);
    if (observation.cpuTotalCoreSeconds !== null) {
      const total = { at: observation.sampledAt, value: observation.cpuTotalCoreSeconds };
      window.firstTotal ??= total;
      if (!window.lastTotal || total.at > window.lastTotal.at) window.lastTotal = total;
    }
  }

  /** Average cores over the window: counter growth over its span where it spans time, else the mean sampled rate. */
  private cpuCores(key: string, window: ContainerWindow): number {
    const from = this.previousTotals.get(key) ?? window.firstTotal;
    const to = window.lastTotal;
    // A counter that went down means the container restarted; its growth is unknown, so use the rates.
    if (from && to && to.at > from.at && to.value >= from.value) return (to.value - from.value) / ((to.at - from.at) / 1000);
    return window.cpuRates.length > 0 ? mean(window.cpuRates) : 0;
  }

  /** Bytes the pod moved in the window; a reading older than the previous window would pull a gap's traffic in, so it is not used. */
  private networkDelta(podUid: string, windowStart: number): { rx: number; tx: number } | null {
    const window = this.networks.get(podUid);
    if (!window) return null;
    const previous = this.previousNetworks.get(podUid);
    const from = previous && previous.sampledAt >= windowStart - this.options.windowSeconds * 1000 ? previous : window.first;
    if (from.sampledAt >= window.last.sampledAt) return null;
    const rx = window.last.rxBytes - from.rxBytes;
    const tx = window.last.txBytes - from.txBytes;
    return rx >= 0 && tx >= 0 ? { rx, tx } : null;
  }

  private forget(key: string, podUid: string): void {
    this.known.delete(key);
    this.previousTotals.delete(key);
    if (![...this.known.values()].some((k) => k.identity.podUid === podUid)) this.previousNetworks.delete(podUid);
  }

  private sample(
    windowStart: number,
    identity: ContainerObservation,
    figures: Pick<UsageSample, 'cpuCoreSeconds' | 'memoryWorkingSetAvgBytes' | 'memoryWorkingSetMaxBytes' | 'networkRxBytes' | 'networkTxBytes' | 'gap'>,
  ): UsageSample {
    return {
      cluster: this.options.cluster,
      namespace: identity.namespace,
      podUid: identity.podUid,
      podName: identity.podName,
      container: identity.container,
      nodeName: identity.nodeName,
      windowStart,
      windowSeconds: this.options.windowSeconds,
      ...figures,
      source: this.options.source,
    };
  }
}
