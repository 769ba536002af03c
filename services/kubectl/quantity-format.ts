// Resource figures as Kubernetes quantities, the form a patch and a kubectl
// user expect, exact for the values the recommender produces (whole
// millicores, whole MiB) and rounded up otherwise, as the API server rounds.

const KI = 1024;
const BINARY_SUFFIXES: ReadonlyArray<readonly [string, number]> = [
  ['Ti', KI ** 4],
  ['Gi', KI ** 3],
  ['Mi', KI ** 2],
  ['Ki', KI],
];

/** Cores as a CPU quantity in whole millicores, rounded up: 2, 1500m, 450m. */
export function cpuQuantity(cores: number): string {
  // 0.45 × 1000 is 450.00000000000006 in binary; the epsilon keeps it at 450m.
  const milli = Math.max(0, Math.ceil(cores * 1000 - 1e-6));
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes as a memory quantity: the largest binary suffix that divides it (700Mi, 1Gi), else whole bytes. */
export function memoryQuantity(bytes: number): string {
  const whole = Math.max(0, Math.ceil(bytes - 1e-6));
  for (const [suffix, size] of BINARY_SUFFIXES) if (whole >= size && whole % size === 0) return `${whole / size}${suffix}`;
  return String(whole);
}
