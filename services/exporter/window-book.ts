import type { NodeCost, PodCost } from '../codec/records.generated.js';

/** One container's figures in one window, as rates: what the gauges are made of. */
export interface ContainerRates {
  readonly hourlyUsd: number;
  readonly storageMonthlyUsd: number;
  readonly spotSavingsHourlyUsd: number;
  /** The container's share of each persistent volume, USD per month. */
  readonly volumes: ReadonlyArray<{ readonly persistentVolume: string; readonly storageClass: string; readonly monthlyUsd: number }>;
}

/** Hours in the month that monthly prices are quoted for (730 = 8760 / 12, as the processor prices storage). */
export const HOURS_PER_MONTH = 730;

export interface PodWindow {
  readonly namespace: string;
  readonly podName: string;
  nodeName: string;
  readonly containers: Map<string, ContainerRates>;
}

/** Every pod and node cost of one cluster in one window, as read so far. */
export interface ClusterWindow {
  readonly cluster: string;
  readonly windowStart: number;
  readonly windowSeconds: number;
  /** By pod uid. */
  readonly pods: Map<string, PodWindow>;
  /** By node name. */
  readonly nodes: Map<string, NodeCost>;
  /** Earliest broker timestamp of the window's records read. */
  firstTimestamp: number;
}

interface ClusterState {
  /** The latest complete window: what the gauges show. */
  served: ClusterWindow | undefined;
  /** Windows after the served one, still being read, by window start. */
  readonly pending: Map<number, ClusterWindow>;
  /** Newest window start of any record of the cluster read so far. */
  newest: number;
  /** Windows before this one are complete once the read-position check in flight succeeds. */
  sealTarget: number | undefined;
  /** Exporter clock when the cluster's last record arrived. */
  seenAt: number;
}

/** A cluster whose served window changed (undefined: the cluster has no series any more). */
export interface ServedChange {
  readonly cluster: string;
  readonly window: ClusterWindow | undefined;
}

/**
 * The cost windows of every cluster, and which one is complete. A window is
 * complete once a record of a later window of the same cluster has been
 * read and, after that, every partition of the cost topics has been read up
 * to the end offsets looked up then: the processor publishes a window's
 * records no later than the next window's (in the same or an earlier
 * transaction), so by then all of them have been read. The exporter runs
 * that check (targets(), then seal()); the gauges show the latest complete
 * window of each cluster: all of its pods and nodes, and only those. A
 * window that lacks a node's cost is held back a window (see seal()).
 *
 * Only the served window and the newest windows that can still become it
 * are kept, so a replay of a whole day holds a few windows, not the day.
 */
export class WindowBook {
  private readonly clusters = new Map<string, ClusterState>();
  private readonly changed = new Set<string>();

  /**
   * @param servableFrom broker timestamp: a window with a record read from
   * before it may have others before the replay position, unread, so it is
   * never served.
   */
  constructor(private readonly servableFrom: number = Number.NEGATIVE_INFINITY) {}

  /** `timestamp` is the record's broker timestamp. */
  addPodCost(record: PodCost, timestamp: number, now: number): void {
    const window = this.windowFor(record.cluster, record.windowStart, record.windowSeconds, timestamp, now);
    if (!window) return;
    let pod = window.pods.get(record.podUid);
    if (!pod) {
      pod = { namespace: record.namespace, podName: record.podName, nodeName: record.nodeName, containers: new Map() };
      window.pods.set(record.podUid, pod);
    }
    pod.nodeName = record.nodeName;
    const perHour = 3600 / record.windowSeconds;
    // A record for a container the window already has replaces it: a redelivery adds nothing.
    pod.containers.set(record.container, {
      hourlyUsd: record.totalCostUsd * perHour,
      storageMonthlyUsd: record.storageCostUsd * perHour * HOURS_PER_MONTH,
      spotSavingsHourlyUsd: record.spotSavingsUsd * perHour,
      volumes: record.volumes.map((v) => ({ persistentVolume: v.persistentVolume, storageClass: v.storageClass, monthlyUsd: v.costUsd * perHour * HOURS_PER_MONTH })),
    });
  }

  /** Returns false for a node the window already had, or a window older than the one served. */
  addNodeCost(record: NodeCost, timestamp: number, now: number): boolean {
    const window = this.windowFor(record.cluster, record.windowStart, record.windowSeconds, timestamp, now);
    if (!window) return false;
    const known = window.nodes.has(record.nodeName);
    window.nodes.set(record.nodeName, record);
    return !known;
  }

  /**
   * The newest window of each cluster read so far, taken just before the
   * end offsets of a check are looked up: once the check succeeds, pass
   * them to seal().
   */
  targets(): Map<string, number> {
    const targets = new Map<string, number>();
    for (const [cluster, state] of this.clusters) {
      if (!Number.isFinite(state.newest)) continue;
      targets.set(cluster, state.newest);
      state.sealTarget = state.newest;
    }
    return targets;
  }

  /** Whether a record of a window newer than the last check's target has been read since. */
  hasUnsealed(): boolean {
    for (const state of this.clusters.values()) if (state.newest > (state.sealTarget ?? Number.NEGATIVE_INFINITY) && Number.isFinite(state.newest)) return true;
    return false;
  }

  /**
   * Every window before its cluster's target is complete as far as the read
   * positions tell: each cluster serves the newest of them it holds, unless
   * that one lacks the cost of a node the served window (or, with none yet,
   * the window before) has. The processor publishes a NodeCost for every
   * node in every window, so such a window is either missing the records of
   * a processor instance that closes windows later than the others, or of a
   * node that is gone: the window before it is complete either way, so that
   * one is served, or the served window kept until there is one.
   */
  seal(targets: ReadonlyMap<string, number>): void {
    for (const [cluster, target] of targets) {
      const state = this.clusters.get(cluster);
      if (!state) continue;
      const [newest, older] = [...state.pending.values()].filter((w) => w.windowStart < target).sort((a, b) => b.windowStart - a.windowStart);
      if (!newest) continue;
      const reference = state.served ?? older;
      let chosen: ClusterWindow | undefined = newest;
      if (reference && !hasNodesOf(newest, reference)) chosen = older && (!state.served || older.windowStart > state.served.windowStart) ? older : undefined;
      if (!chosen) continue;
      const through = chosen.windowStart;
      for (const start of [...state.pending.keys()]) if (start <= through) state.pending.delete(start);
      // Partly before the replay position: the windows after it will do.
      if (chosen.firstTimestamp < this.servableFrom) continue;
      state.served = chosen;
      this.changed.add(cluster);
    }
  }

  /** Forgets clusters no record of which arrived for longer than `graceMillis`: their gauges go, rather than freeze. */
  expire(now: number, graceMillis: number): number {
    let dropped = 0;
    for (const [cluster, state] of this.clusters) {
      if (now - state.seenAt <= graceMillis) continue;
      this.clusters.delete(cluster);
      this.changed.add(cluster);
      dropped++;
    }
    return dropped;
  }

  /** Clusters whose served window changed since the last call, with that window. */
  takeChanges(): ServedChange[] {
    const changes = [...this.changed].map((cluster) => ({ cluster, window: this.clusters.get(cluster)?.served }));
    this.changed.clear();
    return changes;
  }

  /** Windows held: served and pending, over all clusters. */
  get size(): number {
    let size = 0;
    for (const state of this.clusters.values()) size += state.pending.size + (state.served ? 1 : 0);
    return size;
  }

  private windowFor(cluster: string, windowStart: number, windowSeconds: number, timestamp: number, now: number): ClusterWindow | undefined {
    let state = this.clusters.get(cluster);
    if (!state) {
      state = { served: undefined, pending: new Map(), newest: Number.NEGATIVE_INFINITY, sealTarget: undefined, seenAt: now };
      this.clusters.set(cluster, state);
    }
    state.seenAt = now;
    if (windowStart > state.newest) state.newest = windowStart;
    const served = state.served;
    if (served && windowStart < served.windowStart) return undefined;
    if (served && windowStart === served.windowStart) {
      // Read after its window was complete (a processor instance that closed it later than the others).
      this.changed.add(cluster);
      return served;
    }
    let window = state.pending.get(windowStart);
    if (!window) {
      window = { cluster, windowStart, windowSeconds, pods: new Map(), nodes: new Map(), firstTimestamp: timestamp };
      state.pending.set(windowStart, window);
      prune(state);
    }
    if (timestamp < window.firstTimestamp) window.firstTimestamp = timestamp;
    return state.pending.get(windowStart);
  }
}

/** Whether `window` has a cost for every node `reference` has. */
function hasNodesOf(window: ClusterWindow, reference: ClusterWindow): boolean {
  for (const node of reference.nodes.keys()) if (!window.nodes.has(node)) return false;
  return true;
}

/**
 * Keeps the pending windows that can still be served: the newest three (the
 * next check may seal the older two of them) and the newest two before the
 * target of the check in flight.
 */
function prune(state: ClusterState): void {
  if (state.pending.size <= 3) return;
  const starts = [...state.pending.keys()].sort((a, b) => b - a);
  const keep = new Set(starts.slice(0, 3));
  const target = state.sealTarget;
  if (target !== undefined) for (const start of starts.filter((s) => s < target).slice(0, 2)) keep.add(start);
  for (const start of starts) if (!keep.has(start)) state.pending.delete(start);
}
