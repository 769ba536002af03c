import type { UsageSample } from '../codec/records.generated.js';
import { ContainerHistory, type Admission, type HistorySnapshot, type OomObservation, type UsageObservation } from './container-history.js';
import type { Rates } from './pricing.js';
import { recommend, type ContainerState } from './recommend.js';
import type { Recommendation } from './recommendation.js';
import { historyOptionsOf, windowIntervals, type Strategy } from './strategy.js';

/** A container's last termination, as a pod's status reports it. */
export interface Termination extends OomObservation {
  readonly reason: string;
}

/**
 * The right-sizing model of many workload containers under one strategy:
 * usage and terminations in, recommendations out, each container's history
 * as a snapshot to keep in a compacted changelog (keyed like the
 * recommendation) and to restore after a restart or rebalance.
 */
export class Recommender {
  private readonly histories = new Map<string, ContainerHistory>();

  constructor(readonly strategy: Strategy) {}

  observeUsage(key: string, sample: UsageObservation): Admission {
    return this.historyOf(key).addUsage(sample);
  }

  /** Records an OOM kill (other terminations say nothing about sizing and are ignored). */
  observeTermination(key: string, termination: Termination): Admission | 'ignored' {
    if (termination.reason !== 'OOMKilled') return 'ignored';
    return this.historyOf(key).recordOom(termination);
  }

  recommend(key: string, state: ContainerState, rates: Rates, nowMillis: number): Recommendation {
    const history = this.histories.get(key) ?? new ContainerHistory(historyOptionsOf(this.strategy));
    return recommend({ history: history.window(nowMillis, windowIntervals(this.strategy)), state, rates, strategy: this.strategy, nowMillis });
  }

  /**
   * Forgets every container with no sample within the strategy's window
   * before `nowMillis` (a deleted or renamed workload) and returns their
   * keys, for the stage to write tombstones for, in its changelog and on the
   * recommendations topic.
   */
  expire(nowMillis: number): string[] {
    const horizon = nowMillis - windowIntervals(this.strategy) * this.strategy.intervalHours * 3_600_000;
    const expired: string[] = [];
    for (const [key, history] of this.histories) {
      const last = history.lastSampleAt();
      if (last === null || last < horizon) expired.push(key);
    }
    for (const key of expired) this.histories.delete(key);
    return expired;
  }

  keys(): string[] {
    return [...this.histories.keys()];
  }

  snapshot(key: string): HistorySnapshot | null {
    return this.histories.get(key)?.toSnapshot() ?? null;
  }

  /** Replaces a container's history with a snapshot read back from the changelog; null (a tombstone) forgets it. */
  restore(key: string, snapshot: HistorySnapshot | null): void {
    if (snapshot === null) this.histories.delete(key);
    else this.histories.set(key, ContainerHistory.fromSnapshot(snapshot));
  }

  private historyOf(key: string): ContainerHistory {
    let history = this.histories.get(key);
    if (!history) {
      history = new ContainerHistory(historyOptionsOf(this.strategy));
      this.histories.set(key, history);
    }
    return history;
  }
}

/** A UsageSample as the model reads it (null for a gap window, which is not zero usage). */
export function usageObservationOf(sample: UsageSample, cpuRequestCores: number): UsageObservation | null {
  if (sample.gap || !(sample.windowSeconds > 0)) return null;
  return {
    podUid: sample.podUid,
    windowStart: sample.windowStart,
    windowSeconds: sample.windowSeconds,
    cpuCores: sample.cpuCoreSeconds / sample.windowSeconds,
    memoryPeakBytes: sample.memoryWorkingSetMaxBytes,
    cpuRequestCores,
  };
}
