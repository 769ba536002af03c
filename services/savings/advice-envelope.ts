import type { Recommendation } from '../codec/records.generated.js';
import { NO_DETAILS } from '../recommender/recommendation.js';
import { HOURS_PER_MONTH } from './savings-inputs.js';

type Details = 'workloadResources' | 'orphanedVolume' | 'daemonSetOnlyNode' | 'idleWorkload' | 'nodePool' | 'spotWorkload' | 'commitment' | 'armWorkload';
type Envelope = Omit<Recommendation, Details | 'saving'>;

/**
 * A cluster-savings Recommendation: the envelope, the saving from two hourly
 * figures (scaled to the 730-hour month every record uses) and exactly one
 * detail field set.
 */
export function savingsRecord(
  envelope: Envelope,
  hourly: { readonly currentUsd: number; readonly recommendedUsd: number; readonly priceSources: readonly string[] },
  detail: Partial<Pick<Recommendation, Details>>,
): Recommendation {
  const current = hourly.currentUsd * HOURS_PER_MONTH;
  const recommended = hourly.recommendedUsd * HOURS_PER_MONTH;
  return {
    ...envelope,
    saving: { currentMonthlyUsd: current, recommendedMonthlyUsd: recommended, monthlySavingsUsd: current - recommended, priceSources: [...new Set(hourly.priceSources)].sort() },
    ...NO_DETAILS,
    ...detail,
  };
}
