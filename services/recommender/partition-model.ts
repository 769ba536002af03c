import type { Admission, HistorySnapshot } from './container-history.js';
import type { CostSample } from './cost-samples.js';
import { Lanes, type LaneState } from './lanes.js';
import type { ContainerState } from './recommend.js';
import { recommendationKey, type Recommendation, type WorkloadContainerRef } from './recommendation.js';
import { Recommender, type Termination } from './recommender.js';
import type { Strategy } from './strategy.js';
import { addToRates, pruneRates, ratesOf, type RateBucket } from './workload-rates.js';

/** How a partition's models publish (see recommend-settings.ts). */
export interface ModelOptions {
  readonly strategy: Strategy;
  /** A recommendation per container each time its history crosses a multiple of this in event time. */
  readonly publishIntervalMillis: number;
  /** How far past a boundary every lane must be before it is published: costs arrive a little out of window order. */
  readonly graceMillis: number;
  /** How much event time the per-resource rates are averaged over. */
  readonly rateWindowMillis: number;
  /** Partitions of the costs topic: the lanes whose ticks make the event time. */
  readonly lanes: number;
}

/** A workload container's spec and replicas at an event time, from the pod state; null where the state knows none of its pods. */
export type StateLookup = (target: WorkloadContainerRef, atMillis: number) => ContainerState | null;

/** Everything the stage keeps of one workload container, as JSON for the changelog. */
export interface KeySnapshot {
  readonly version: 1;
  readonly target: WorkloadContainerRef;
  readonly history: HistorySnapshot | null;
  readonly openBoundary: number | null;
  readonly emittedThrough: number | null;
  readonly pending: readonly CostSample[];
  readonly rates: readonly RateBucket[];
  readonly lastSpec: SpecSeen | null;
}

/** A record to publish on the recommendations topic: advice, or null (a tombstone) for a container that is gone. */
export interface Publication {
  readonly key: string;
  readonly recommendation: Recommendation | null;
  readonly cause: 'boundary' | 'oom' | 'expired';
}

export interface Drained {
  readonly publications: readonly Publication[];
  /** Changelog records: each changed container's snapshot, or null once it is forgotten. */
  readonly changed: ReadonlyMap<string, KeySnapshot | null>;
  /** Whether the lanes moved (their snapshot is written to the changelog too). */
  readonly lanesChanged: boolean;
}

interface KeyState {
  readonly target: WorkloadContainerRef;
  /** The next boundary to publish; null while no sample waits for one. */
  openBoundary: number | null;
  emittedThrough: number | null;
  /** Samples at or past openBoundary: they join the history only once that boundary is published. */
  pending: CostSample[];
  rates: RateBucket[];
  /** Requests of the newest sample admitted: the spec to go by where the pod state has none. */
  lastSpec: SpecSeen | null;
}

interface SpecSeen {
  readonly windowStart: number;
  readonly cpuRequestCores: number;
  readonly memoryRequestBytes: number;
}

/**
 * The right-sizing models of one by-container partition, on event time only:
 * pure, so the stage around it only decodes, publishes and commits.
 *
 * A container's recommendation at boundary B rests on exactly its samples
 * with windows before B: later ones are held back until B is published, and
 * B is published once the partition's lanes have all passed B + grace. So
 * the records published do not depend on how the costs partitions were
 * interleaved on the way here, or on how many instances read them. A
 * sample arriving after its boundary was published (later than the grace)
 * counts from the next boundary on. An OOM kill publishes at once.
 */
export class PartitionModel {
  private readonly recommender: Recommender;
  private readonly keys = new Map<string, KeyState>();
  private readonly lanes: Lanes;
  private lanesDirty = false;
  private readonly dirty = new Set<string>();
  private readonly oomAt = new Map<string, number>();
  private expiredThrough = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ModelOptions) {
    this.recommender = new Recommender(options.strategy);
    this.lanes = new Lanes(options.lanes);
  }

  /** Adds a valid priced window (costSampleProblem said nothing): into the history, or held back until its boundary is published. */
  addCost(target: WorkloadContainerRef, sample: CostSample): Admission | 'held' {
    const key = recommendationKey(target);
    const state = this.stateOf(key, target);
    this.dirty.add(key);
    const at = sample.observation.windowStart;
    state.openBoundary ??= Math.max(this.boundaryAfter(at), (state.emittedThrough ?? Number.NEGATIVE_INFINITY) + this.options.publishIntervalMillis);
    if (at >= state.openBoundary) {
      state.pending.push(sample);
      return 'held';
    }
    return this.admit(key, state, sample);
  }

  /** Records a container's last termination; a newly seen OOM kill publishes the container's advice at once. */
  addTermination(target: WorkloadContainerRef, termination: Termination): Admission | 'ignored' {
    const key = recommendationKey(target);
    if (termination.reason !== 'OOMKilled') return 'ignored';
    const admission = this.recommender.observeTermination(key, termination);
    if (admission === 'accepted') {
      const state = this.stateOf(key, target);
      this.dirty.add(key);
      this.oomAt.set(key, Math.max(this.oomAt.get(key) ?? Number.NEGATIVE_INFINITY, termination.finishedAt, state.emittedThrough ?? Number.NEGATIVE_INFINITY));
    }
    return admission;
  }

  tick(source: number, windowStart: number): void {
    this.lanes.tick(source, windowStart);
    this.lanesDirty = true;
  }

  idle(source: number): void {
    this.lanes.idle(source);
    this.lanesDirty = true;
  }

  /** Publishes what is due (OOM kills, boundaries every lane has passed), forgets expired containers, and returns what changed. */
  drain(lookup: StateLookup): Drained {
    const publications: Publication[] = [];
    const watermark = this.lanes.watermark;
    const keys = new Set([...this.dirty, ...[...this.keys].filter(([, s]) => s.openBoundary !== null && s.openBoundary + this.options.graceMillis <= watermark).map(([k]) => k)]);
    for (const key of [...keys].sort()) {
      const state = this.keys.get(key);
      if (!state) continue;
      const oom = this.oomAt.get(key);
      if (oom !== undefined) {
        publications.push({ key, recommendation: this.recommendAt(key, state, oom, lookup), cause: 'oom' });
        this.dirty.add(key);
      }
      while (state.openBoundary !== null && state.openBoundary + this.options.graceMillis <= watermark) {
        const boundary = state.openBoundary;
        publications.push({ key, recommendation: this.recommendAt(key, state, boundary, lookup), cause: 'boundary' });
        this.advance(key, state, boundary);
        this.dirty.add(key);
      }
    }
    this.oomAt.clear();
    // Once per boundary of the partition's event time: containers with no sample in the strategy's window are gone.
    if (Number.isFinite(watermark) && this.boundaryAfter(watermark) > this.expiredThrough) {
      this.expiredThrough = this.boundaryAfter(watermark);
      for (const key of this.recommender.expire(watermark)) {
        const state = this.keys.get(key);
        if (state && state.pending.length > 0) continue;
        this.keys.delete(key);
        publications.push({ key, recommendation: null, cause: 'expired' });
        this.dirty.add(key);
      }
    }
    const changed = new Map<string, KeySnapshot | null>([...this.dirty].sort().map((key) => [key, this.snapshotOf(key)]));
    this.dirty.clear();
    const lanesChanged = this.lanesDirty;
    this.lanesDirty = false;
    return { publications, changed, lanesChanged };
  }

  snapshotOf(key: string): KeySnapshot | null {
    const state = this.keys.get(key);
    if (!state) return null;
    return {
      version: 1,
      target: state.target,
      history: this.recommender.snapshot(key),
      openBoundary: state.openBoundary,
      emittedThrough: state.emittedThrough,
      pending: state.pending,
      rates: state.rates,
      lastSpec: state.lastSpec,
    };
  }

  lanesSnapshot(): LaneState[] {
    return this.lanes.snapshot();
  }

  restore(key: string, snapshot: KeySnapshot | null): void {
    this.recommender.restore(key, snapshot?.history ?? null);
    if (snapshot === null) {
      this.keys.delete(key);
      return;
    }
    this.keys.set(key, {
      target: snapshot.target,
      openBoundary: snapshot.openBoundary,
      emittedThrough: snapshot.emittedThrough,
      pending: [...snapshot.pending],
      rates: snapshot.rates.map((b) => ({ ...b })),
      lastSpec: snapshot.lastSpec,
    });
  }

  restoreLanes(states: readonly LaneState[]): void {
    this.lanes.restore(states);
  }

  get size(): number {
    return this.keys.size;
  }

  private admit(key: string, state: KeyState, sample: CostSample): Admission {
    const admission = this.recommender.observeUsage(key, sample.observation);
    if (admission !== 'accepted') return admission;
    const { windowStart } = sample.observation;
    addToRates(state.rates, windowStart, sample.figures);
    if (state.lastSpec === null || windowStart >= state.lastSpec.windowStart) {
      state.lastSpec = { windowStart, cpuRequestCores: sample.figures.cpuRequestCores, memoryRequestBytes: sample.figures.memoryRequestBytes };
    }
    return admission;
  }

  /** After publishing `boundary`: the held samples up to the next boundary join the history. */
  private advance(key: string, state: KeyState, boundary: number): void {
    state.emittedThrough = boundary;
    state.rates = pruneRates(state.rates, boundary - this.options.rateWindowMillis);
    if (state.pending.length === 0) {
      state.openBoundary = null;
      return;
    }
    // A gap in the samples is skipped over: the next boundary is the one after the oldest held sample.
    const oldest = Math.min(...state.pending.map((s) => s.observation.windowStart));
    const next = Math.max(boundary + this.options.publishIntervalMillis, this.boundaryAfter(oldest));
    const due = state.pending.filter((s) => s.observation.windowStart < next);
    state.pending = state.pending.filter((s) => s.observation.windowStart >= next);
    // In one order whatever order they arrived in, so the history's sums come out the same to the last bit.
    due.sort((a, b) => a.observation.windowStart - b.observation.windowStart || (a.observation.podUid < b.observation.podUid ? -1 : a.observation.podUid > b.observation.podUid ? 1 : 0));
    for (const sample of due) this.admit(key, state, sample);
    state.openBoundary = next;
  }

  private recommendAt(key: string, state: KeyState, atMillis: number, lookup: StateLookup): Recommendation {
    const rates = ratesOf(state.rates, atMillis - this.options.rateWindowMillis, atMillis);
    const containerState = lookup(state.target, atMillis - 1) ?? this.fallbackState(state, atMillis);
    // As of the last moment before the boundary: a boundary at midnight still reads the day that just ended as the newest interval.
    const recommendation = this.recommender.recommend(key, containerState, rates, atMillis - 1);
    return { ...recommendation, generatedAt: atMillis };
  }

  /** Without pod state: the newest sample's requests, no limits, and as many replicas as pods reported in the newest hour before. */
  private fallbackState(state: KeyState, atMillis: number): ContainerState {
    const hour = [...state.rates].reverse().find((b) => b.hourStart < atMillis);
    return {
      target: state.target,
      replicas: Math.max(1, hour?.pods.length ?? 1),
      containersPerPod: 1,
      cpuRequestCores: state.lastSpec?.cpuRequestCores ?? null,
      cpuLimitCores: null,
      memoryRequestBytes: state.lastSpec?.memoryRequestBytes ?? null,
      memoryLimitBytes: null,
      restartCount: 0,
      hpa: null,
    };
  }

  private stateOf(key: string, target: WorkloadContainerRef): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { target, openBoundary: null, emittedThrough: null, pending: [], rates: [], lastSpec: null };
      this.keys.set(key, state);
    }
    return state;
  }

  /** The first boundary after `atMillis` (a window starting at a boundary belongs to the next one). */
  private boundaryAfter(atMillis: number): number {
    const interval = this.options.publishIntervalMillis;
    return Math.floor(atMillis / interval) * interval + interval;
  }
}
