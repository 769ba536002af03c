import type { Recommendation } from './recommendation.js';

/** A record for the recommendations topic: advice, or a tombstone (null) retiring the key. */
export interface Publication {
  readonly key: string;
  readonly recommendation: Recommendation | null;
}

/** One target an instance owns and what the rule says of it now: advice, or null when none applies. */
export interface Candidate {
  readonly key: string;
  readonly advice: Recommendation | null;
}

/**
 * Decides what to publish about the targets (claims, nodes) of one kind
 * that an instance owns, each time it looks: advice when a target first gets
 * some, when its figures change, and once per publish interval of event
 * time (each advice's generatedAt); a tombstone as soon as a target it
 * published gets none, or is no longer among the candidates (deleted and
 * forgotten). It remembers only what it published: after reset() (a new
 * assignment, where another instance may have published meanwhile, or a
 * failed publication) the next look also retires every candidate without
 * advice, as it cannot know which were published.
 */
export class AdviceLedger {
  private readonly published = new Map<string, { readonly interval: number; readonly figures: string }>();
  private sweep = true;

  constructor(private readonly publishIntervalMillis: number) {}

  hasPublished(key: string): boolean {
    return this.published.has(key);
  }

  reset(): void {
    this.published.clear();
    this.sweep = true;
  }

  evaluate(candidates: readonly Candidate[]): Publication[] {
    const out: Publication[] = [];
    const seen = new Set<string>();
    for (const { key, advice } of candidates) {
      seen.add(key);
      if (advice === null) {
        if (this.published.delete(key) || this.sweep) out.push({ key, recommendation: null });
        continue;
      }
      const interval = Math.floor(advice.generatedAt / this.publishIntervalMillis);
      // Confidence and generatedAt move with every look: only the figures, or a new interval, make a new version.
      const figures = JSON.stringify({ ...advice, generatedAt: 0, confidence: 0 });
      const previous = this.published.get(key);
      if (previous && previous.figures === figures && previous.interval >= interval) continue;
      this.published.set(key, { interval, figures });
      out.push({ key, recommendation: advice });
    }
    // Published but no longer a candidate (pruned once deleted): retire it. Ownership changes go through reset().
    for (const key of [...this.published.keys()]) {
      if (seen.has(key)) continue;
      this.published.delete(key);
      out.push({ key, recommendation: null });
    }
    this.sweep = false;
    return out;
  }
}
