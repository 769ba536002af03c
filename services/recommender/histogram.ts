/**
 * Exponential bucketing as the VPA recommender uses it: bucket 0 covers
 * [0, firstBucketSize), and bucket n ≥ 1 starts at
 * firstBucketSize × (ratio^n − 1) / (ratio − 1), so every bucket is `ratio`
 * times wider than the one before and a value is known to within that
 * relative error. The last bucket is open-ended.
 */
export interface BucketScheme {
  readonly firstBucketSize: number;
  readonly ratio: number;
  readonly maxValue: number;
}

/** CPU in cores: 0.01-core first bucket, 5 % growth, up to 1000 cores (VPA's CPU histogram). */
export const CPU_BUCKETS: BucketScheme = Object.freeze({ firstBucketSize: 0.01, ratio: 1.05, maxValue: 1000 });
/** Memory in bytes: 1e7-byte first bucket, 5 % growth, up to 1e12 bytes (VPA's memory histogram). */
export const MEMORY_BUCKETS: BucketScheme = Object.freeze({ firstBucketSize: 1e7, ratio: 1.05, maxValue: 1e12 });

/** Number of buckets, the last one starting at or above maxValue. */
export function bucketCount(scheme: BucketScheme): number {
  return Math.ceil(Math.log((scheme.maxValue * (scheme.ratio - 1)) / scheme.firstBucketSize + 1) / Math.log(scheme.ratio)) + 1;
}

/** The bucket a value falls into; values outside the range go to the first or the last bucket. */
export function bucketOf(scheme: BucketScheme, value: number): number {
  if (!(value >= scheme.firstBucketSize)) return 0;
  const bucket = Math.floor(Math.log((value * (scheme.ratio - 1)) / scheme.firstBucketSize + 1) / Math.log(scheme.ratio));
  return Math.min(bucket, bucketCount(scheme) - 1);
}

/** Where a bucket starts. */
export function bucketStart(scheme: BucketScheme, bucket: number): number {
  if (bucket <= 0) return 0;
  return (scheme.firstBucketSize * (scheme.ratio ** bucket - 1)) / (scheme.ratio - 1);
}

/** Bucket index → weight; only non-empty buckets are present. */
export type SparseWeights = Map<number, number>;

/** Adds `weight` to the bucket of `value`. */
export function addWeight(weights: SparseWeights, scheme: BucketScheme, value: number, weight: number): void {
  const bucket = bucketOf(scheme, value);
  weights.set(bucket, (weights.get(bucket) ?? 0) + weight);
}

/**
 * The value below which `percentile` (0..1) of the weight lies, answered as
 * VPA answers it: the end of the bucket in which the running weight reaches
 * the threshold (the start of the last, open-ended bucket when it is that
 * one). Empty histograms answer 0.
 */
export function percentileOf(weights: ReadonlyMap<number, number>, scheme: BucketScheme, percentile: number): number {
  const buckets = [...weights.entries()].filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
  if (buckets.length === 0) return 0;
  const total = buckets.reduce((sum, [, w]) => sum + w, 0);
  const threshold = Math.min(1, Math.max(0, percentile)) * total;
  let running = 0;
  let chosen = (buckets[buckets.length - 1] as [number, number])[0];
  for (const [bucket, weight] of buckets) {
    running += weight;
    if (running >= threshold) {
      chosen = bucket;
      break;
    }
  }
  const last = bucketCount(scheme) - 1;
  return chosen < last ? bucketStart(scheme, chosen + 1) : bucketStart(scheme, last);
}

/** Sum of the weights of all buckets. */
export function totalWeight(weights: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const w of weights.values()) if (w > 0) total += w;
  return total;
}
