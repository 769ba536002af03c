import { orphanedVolumeKey, orphanedVolumeOf, type OrphanedVolumeOptions, type StoragePrice } from './orphaned-volumes.js';
import type { Recommendation } from './recommendation.js';
import type { ClaimUsage } from './volume-table.js';

/** A record for the recommendations topic: advice, or a tombstone (null) retiring the key. */
export interface VolumePublication {
  readonly key: string;
  readonly recommendation: Recommendation | null;
}

export interface VolumeAdvisorOptions extends OrphanedVolumeOptions {
  /** An orphaned claim's advice is published again each time its cluster's event time crosses a multiple of this. */
  readonly publishIntervalMillis: number;
}

/** What evaluate() reads: the claims, which of them this instance owns, each cluster's event time and the storage prices. */
export interface VolumeView {
  readonly usages: ReadonlyArray<{ readonly usage: ClaimUsage }>;
  readonly owns: (usage: ClaimUsage) => boolean;
  readonly eventTimeOf: (cluster: string) => number | null;
  readonly priceOf: (usage: ClaimUsage, atMillis: number) => StoragePrice;
}

/**
 * Decides what to publish about the claims an instance owns, each time it
 * looks: an orphaned claim's advice when it first becomes one, when its
 * figures change (size, price, phase, last mount), and once per publish
 * interval of its cluster's event time; a tombstone as soon as a claim it
 * published is mounted again, deleted or forgotten. Pure apart from what it
 * remembers having published; after reset() (a new assignment: another
 * instance may have published meanwhile) the next look retires every owned
 * claim that is not orphaned, as the instance cannot know which were.
 */
export class VolumeAdvisor {
  private readonly published = new Map<string, { readonly boundary: number; readonly figures: string }>();
  private sweep = true;

  constructor(private readonly options: VolumeAdvisorOptions) {}

  reset(): void {
    this.published.clear();
    this.sweep = true;
  }

  evaluate(view: VolumeView): VolumePublication[] {
    const out: VolumePublication[] = [];
    const seen = new Set<string>();
    for (const { usage } of view.usages) {
      if (!view.owns(usage)) continue;
      const { claim } = usage;
      const key = orphanedVolumeKey(claim.cluster, claim.namespace ?? '', claim.name);
      seen.add(key);
      const now = view.eventTimeOf(claim.cluster);
      if (now === null) continue;
      const advice = orphanedVolumeOf(usage, now, this.options, view.priceOf(usage, now));
      if (advice === null) {
        if (this.published.delete(key) || this.sweep) out.push({ key, recommendation: null });
        continue;
      }
      const boundary = Math.floor(now / this.options.publishIntervalMillis);
      // Confidence and generatedAt move with every look: only the figures, or a new interval, make a new version.
      const figures = JSON.stringify({ ...advice, generatedAt: 0, confidence: 0 });
      const previous = this.published.get(key);
      if (previous && previous.figures === figures && previous.boundary >= boundary) continue;
      this.published.set(key, { boundary, figures });
      out.push({ key, recommendation: advice });
    }
    // Published but no longer in the table (pruned once deleted): retire it. Ownership changes go through reset().
    for (const key of [...this.published.keys()]) {
      if (seen.has(key)) continue;
      this.published.delete(key);
      out.push({ key, recommendation: null });
    }
    this.sweep = false;
    return out;
  }
}
