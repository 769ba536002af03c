import { addWeight, CPU_BUCKETS, MEMORY_BUCKETS, percentileOf, type SparseWeights } from './histogram.js';

const HOUR = 3_600_000;

/** How a container's usage is aggregated; derived from a strategy (historyOptionsOf). */
export interface HistoryOptions {
  /** Length of one aggregation interval: memory peaks are taken per pod and interval (VPA: 24 h). */
  readonly intervalHours: number;
  /** Intervals kept; a strategy's window reads the newest of them. */
  readonly retainIntervals: number;
  /** A sample loses half its weight every halfLifeHours (VPA: 24 h); null keeps every sample at full weight. */
  readonly halfLifeHours: number | null;
  /** 'request': a CPU sample weighs its container's CPU request (at least 0.1), as in VPA; 'uniform': every sample weighs 1. */
  readonly cpuSampleWeighting: 'request' | 'uniform';
  /** After an OOM kill the memory peak becomes max(basis × ratio, basis + minBump) (VPA: 1.2 and 100 MiB); ratio 1 and 0 turn it off. */
  readonly oomBumpRatio: number;
  readonly oomMinBumpBytes: number;
  /** What an OOM kill says the container needed at least: its memory request (VPA) or its limit, which is where it was killed. */
  readonly oomBasis: 'request' | 'limit';
}

/** One usage window of one container of one pod (a UsageSample reduced to what the model reads). */
export interface UsageObservation {
  readonly podUid: string;
  readonly windowStart: number;
  readonly windowSeconds: number;
  readonly cpuCores: number;
  readonly memoryPeakBytes: number;
  /** The container's CPU request while the sample was taken (weights the sample under 'request' weighting). */
  readonly cpuRequestCores: number;
}

/** An OOM kill of one container instance, from its pod's last termination state. */
export interface OomObservation {
  readonly podUid: string;
  readonly finishedAt: number;
  readonly memoryRequestBytes: number | null;
  readonly memoryLimitBytes: number | null;
}

export type Admission = 'accepted' | 'duplicate' | 'too-old' | 'invalid';

interface Interval {
  readonly start: number;
  /** CPU bucket → weight × 2^((sample time − interval start) / half-life). */
  readonly cpu: SparseWeights;
  samples: number;
  observedSeconds: number;
  cpuMaxCores: number;
  /** Start of the first and the last sample in this interval (null before the first). */
  firstSampleAt: number | null;
  lastSampleAt: number | null;
  /** podUid → the largest working set seen in this interval. */
  readonly memoryPeaks: Map<string, number>;
  /** podUid → what an OOM kill in this interval says the pod needed. */
  readonly oomPeaks: Map<string, number>;
  ooms: number;
}

/** A ContainerHistory as plain JSON, for a compacted changelog topic. */
export interface HistorySnapshot {
  readonly version: 1;
  readonly options: HistoryOptions;
  readonly intervals: ReadonlyArray<{
    readonly start: number;
    readonly cpu: ReadonlyArray<readonly [number, number]>;
    readonly samples: number;
    readonly observedSeconds: number;
    readonly cpuMaxCores: number;
    readonly firstSampleAt: number | null;
    readonly lastSampleAt: number | null;
    readonly memoryPeaks: ReadonlyArray<readonly [string, number]>;
    readonly oomPeaks: ReadonlyArray<readonly [string, number]>;
    readonly ooms: number;
  }>;
  readonly lastSampleByPod: ReadonlyArray<readonly [string, number]>;
  readonly seenOoms: readonly string[];
}

/** What a window of history says, for a strategy to turn into requests and limits. */
export interface WindowSummary {
  readonly firstSampleAt: number | null;
  readonly lastSampleAt: number | null;
  readonly samples: number;
  readonly observedSeconds: number;
  readonly oomKills: number;
  readonly cpuMaxCores: number;
  readonly memoryMaxBytes: number;
  /** Percentile (0..1) of the decayed CPU sample distribution, in cores. */
  cpuPercentile(p: number): number;
  /** Percentile (0..1) of the decayed distribution of per-pod interval peaks, in bytes; 1 is the exact maximum. */
  memoryPercentile(p: number): number;
}

// Usage beyond these is not a measurement (VPA's histogram ranges).
const MAX_CPU_CORES = CPU_BUCKETS.maxValue;
const MAX_MEMORY_BYTES = MEMORY_BUCKETS.maxValue;

/**
 * The usage history of one workload container (all its pods feed it), kept
 * the way the VPA recommender keeps it — a decaying histogram of CPU samples
 * and one of memory peaks per pod and interval — but bucketed by interval so
 * that a strategy can also read a hard window (KRR's 14 days). Weights inside
 * an interval are decayed relative to its start; scaling each interval by
 * 2^((its start − newest start) / half-life) when read makes the decay exact.
 */
export class ContainerHistory {
  private readonly intervals = new Map<number, Interval>();
  private readonly lastSampleByPod = new Map<string, number>();
  private readonly seenOoms = new Set<string>();
  /** Start of the newest interval seen. */
  private newestStart = Number.NEGATIVE_INFINITY;
  /** The cutoff of the last prune, so that pruning runs once per new interval. */
  private prunedThrough = Number.NEGATIVE_INFINITY;

  constructor(readonly options: HistoryOptions) {}

  /** Adds one usage window; duplicates, windows older than the kept history and impossible values are refused. */
  addUsage(sample: UsageObservation): Admission {
    if (!isValidObservation(sample)) return 'invalid';
    const last = this.lastSampleByPod.get(sample.podUid);
    if (last !== undefined && sample.windowStart <= last) return 'duplicate';
    const interval = this.intervalFor(sample.windowStart);
    if (!interval) return 'too-old';
    this.lastSampleByPod.set(sample.podUid, sample.windowStart);
    const weight = this.options.cpuSampleWeighting === 'request' ? Math.max(sample.cpuRequestCores, 0.1) : 1;
    addWeight(interval.cpu, CPU_BUCKETS, sample.cpuCores, weight * this.decay(sample.windowStart - interval.start));
    interval.samples += 1;
    interval.observedSeconds += sample.windowSeconds;
    interval.cpuMaxCores = Math.max(interval.cpuMaxCores, sample.cpuCores);
    interval.memoryPeaks.set(sample.podUid, Math.max(interval.memoryPeaks.get(sample.podUid) ?? 0, sample.memoryPeakBytes));
    interval.firstSampleAt = interval.firstSampleAt === null ? sample.windowStart : Math.min(interval.firstSampleAt, sample.windowStart);
    interval.lastSampleAt = interval.lastSampleAt === null ? sample.windowStart : Math.max(interval.lastSampleAt, sample.windowStart);
    this.prune();
    return 'accepted';
  }

  /**
   * Records an OOM kill once (by pod and time), as VPA does: an artificial
   * peak of max(basis × ratio, basis + minimum bump) in the kill's interval,
   * where basis is the larger of the pod's request (or limit) and its peak
   * observed so far in that interval.
   */
  recordOom(oom: OomObservation): Admission {
    if (!Number.isFinite(oom.finishedAt)) return 'invalid';
    const id = `${oom.podUid}@${oom.finishedAt}`;
    if (this.seenOoms.has(id)) return 'duplicate';
    const interval = this.intervalFor(oom.finishedAt);
    if (!interval) return 'too-old';
    this.seenOoms.add(id);
    const configured = this.options.oomBasis === 'limit' ? (oom.memoryLimitBytes ?? oom.memoryRequestBytes) : oom.memoryRequestBytes;
    const basis = Math.max(finiteOrZero(configured), interval.memoryPeaks.get(oom.podUid) ?? 0);
    const needed = Math.min(MAX_MEMORY_BYTES, Math.max(basis * this.options.oomBumpRatio, basis + this.options.oomMinBumpBytes));
    interval.oomPeaks.set(oom.podUid, Math.max(interval.oomPeaks.get(oom.podUid) ?? 0, needed));
    interval.ooms += 1;
    this.prune();
    return 'accepted';
  }

  /** The newest `intervals` intervals up to `nowMillis`, decayed to the newest. */
  window(nowMillis: number, intervals: number): WindowSummary {
    const newest = this.intervalStart(nowMillis);
    const oldest = newest - (Math.max(1, intervals) - 1) * this.intervalMillis();
    const chosen = [...this.intervals.values()].filter((i) => i.start >= oldest && i.start <= newest);
    const cpu = new Map<number, number>();
    const peaks = new Map<number, number>();
    let samples = 0;
    let observedSeconds = 0;
    let oomKills = 0;
    let cpuMaxCores = 0;
    let memoryMaxBytes = 0;
    let firstSampleAt: number | null = null;
    let lastSampleAt: number | null = null;
    for (const interval of chosen) {
      if (interval.firstSampleAt !== null) firstSampleAt = firstSampleAt === null ? interval.firstSampleAt : Math.min(firstSampleAt, interval.firstSampleAt);
      if (interval.lastSampleAt !== null) lastSampleAt = lastSampleAt === null ? interval.lastSampleAt : Math.max(lastSampleAt, interval.lastSampleAt);
      const scale = this.decay(interval.start - newest);
      for (const [bucket, w] of interval.cpu) cpu.set(bucket, (cpu.get(bucket) ?? 0) + w * scale);
      const pods = new Set([...interval.memoryPeaks.keys(), ...interval.oomPeaks.keys()]);
      for (const pod of pods) {
        const peak = Math.max(interval.memoryPeaks.get(pod) ?? 0, interval.oomPeaks.get(pod) ?? 0);
        addWeight(peaks, MEMORY_BUCKETS, peak, scale);
        memoryMaxBytes = Math.max(memoryMaxBytes, peak);
      }
      samples += interval.samples;
      observedSeconds += interval.observedSeconds;
      oomKills += interval.ooms;
      cpuMaxCores = Math.max(cpuMaxCores, interval.cpuMaxCores);
    }
    return {
      firstSampleAt,
      lastSampleAt,
      samples,
      observedSeconds,
      oomKills,
      cpuMaxCores,
      memoryMaxBytes,
      cpuPercentile: (p) => (p >= 1 ? cpuMaxCores : percentileOf(cpu, CPU_BUCKETS, p)),
      memoryPercentile: (p) => (p >= 1 ? memoryMaxBytes : percentileOf(peaks, MEMORY_BUCKETS, p)),
    };
  }

  /** Start of the newest sample kept, or null when nothing is kept. */
  lastSampleAt(): number | null {
    let last: number | null = null;
    for (const interval of this.intervals.values()) if (interval.lastSampleAt !== null && (last === null || interval.lastSampleAt > last)) last = interval.lastSampleAt;
    return last;
  }

  toSnapshot(): HistorySnapshot {
    const byKey = <V>(entries: Iterable<[string, V]>): Array<[string, V]> => [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return {
      version: 1,
      options: { ...this.options },
      intervals: [...this.intervals.values()]
        .sort((a, b) => a.start - b.start)
        .map((i) => ({
          start: i.start,
          cpu: [...i.cpu.entries()].sort((a, b) => a[0] - b[0]),
          samples: i.samples,
          observedSeconds: i.observedSeconds,
          cpuMaxCores: i.cpuMaxCores,
          firstSampleAt: i.firstSampleAt,
          lastSampleAt: i.lastSampleAt,
          memoryPeaks: byKey(i.memoryPeaks.entries()),
          oomPeaks: byKey(i.oomPeaks.entries()),
          ooms: i.ooms,
        })),
      lastSampleByPod: byKey(this.lastSampleByPod.entries()),
      seenOoms: [...this.seenOoms].sort(),
    };
  }

  static fromSnapshot(snapshot: HistorySnapshot): ContainerHistory {
    if (snapshot.version !== 1) throw new Error(`unsupported container history snapshot version ${String(snapshot.version)}`);
    const history = new ContainerHistory({ ...snapshot.options });
    for (const i of snapshot.intervals) {
      history.newestStart = Math.max(history.newestStart, i.start);
      history.intervals.set(i.start, {
        start: i.start,
        cpu: new Map(i.cpu.map(([b, w]) => [b, w])),
        samples: i.samples,
        observedSeconds: i.observedSeconds,
        cpuMaxCores: i.cpuMaxCores,
        firstSampleAt: i.firstSampleAt,
        lastSampleAt: i.lastSampleAt,
        memoryPeaks: new Map(i.memoryPeaks.map(([p, v]) => [p, v])),
        oomPeaks: new Map(i.oomPeaks.map(([p, v]) => [p, v])),
        ooms: i.ooms,
      });
    }
    for (const [pod, at] of snapshot.lastSampleByPod) history.lastSampleByPod.set(pod, at);
    for (const id of snapshot.seenOoms) history.seenOoms.add(id);
    return history;
  }

  private intervalMillis(): number {
    return this.options.intervalHours * HOUR;
  }

  private intervalStart(atMillis: number): number {
    return Math.floor(atMillis / this.intervalMillis()) * this.intervalMillis();
  }

  /** The interval holding `atMillis`, created on first use; undefined when it is older than the kept history. */
  private intervalFor(atMillis: number): Interval | undefined {
    const start = this.intervalStart(atMillis);
    if (start <= this.newestStart - this.options.retainIntervals * this.intervalMillis()) return undefined;
    const existing = this.intervals.get(start);
    if (existing) return existing;
    this.newestStart = Math.max(this.newestStart, start);
    const created: Interval = { start, cpu: new Map(), samples: 0, observedSeconds: 0, cpuMaxCores: 0, firstSampleAt: null, lastSampleAt: null, memoryPeaks: new Map(), oomPeaks: new Map(), ooms: 0 };
    this.intervals.set(start, created);
    return created;
  }

  /** Drops intervals, per-pod marks and OOM marks older than the kept history. */
  private prune(): void {
    const cutoff = this.newestStart - (this.options.retainIntervals - 1) * this.intervalMillis();
    if (this.prunedThrough === cutoff) return;
    this.prunedThrough = cutoff;
    for (const start of this.intervals.keys()) if (start < cutoff) this.intervals.delete(start);
    for (const [pod, at] of this.lastSampleByPod) if (at < cutoff) this.lastSampleByPod.delete(pod);
    for (const id of this.seenOoms) if (Number(id.slice(id.lastIndexOf('@') + 1)) < cutoff) this.seenOoms.delete(id);
  }

  private decay(ageMillis: number): number {
    return this.options.halfLifeHours === null ? 1 : 2 ** (ageMillis / (this.options.halfLifeHours * HOUR));
  }
}

/**
 * Whether a usage window is a measurement at all: finite times, and usage
 * neither negative nor past the histograms' range (NaN fails every test).
 * addUsage refuses the others as 'invalid'; a stage that holds samples back
 * before adding them asks first, so it can refuse them at once.
 */
export function isValidObservation(sample: UsageObservation): boolean {
  return (
    Number.isFinite(sample.windowStart) &&
    sample.windowSeconds > 0 &&
    sample.cpuCores >= 0 &&
    sample.cpuCores <= MAX_CPU_CORES &&
    sample.memoryPeakBytes >= 0 &&
    sample.memoryPeakBytes <= MAX_MEMORY_BYTES &&
    Number.isFinite(sample.windowSeconds) &&
    Number.isFinite(sample.cpuRequestCores)
  );
}

function finiteOrZero(value: number | null): number {
  return value !== null && Number.isFinite(value) && value > 0 ? value : 0;
}
