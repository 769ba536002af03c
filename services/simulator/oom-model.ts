const HOUR = 3_600_000;

/** A container whose memory grows steadily from its start until its limit kills it. */
export interface MemoryLeak {
  readonly baseBytes: number;
  readonly bytesPerHour: number;
}

/** A container's restart history, as the pod's container status reports it. */
export interface RestartHistory {
  readonly restartCount: number;
  readonly lastTerminationReason: string | null;
  readonly lastTerminatedAt: number | null;
}

export const NO_RESTARTS: RestartHistory = { restartCount: 0, lastTerminationReason: null, lastTerminatedAt: null };

// The kubelet's restart back-off is capped at 5 minutes: a container whose
// demand stays above its limit is killed again at most that often.
const OOM_BACKOFF_MILLIS = 5 * 60_000;

/** Memory of a leaking container `sinceStartMillis` after it (re)started. */
export function leakedBytes(leak: MemoryLeak, sinceStartMillis: number): number {
  return leak.baseBytes + (leak.bytesPerHour * Math.max(0, sinceStartMillis)) / HOUR;
}

/**
 * OOM kills of a leaking container up to `untilMillis`: each time its memory
 * reaches the limit it is killed and restarts from its base. Returns the
 * history after them and when the running container started.
 */
export function leakKills(leak: MemoryLeak, limitBytes: number, startedAt: number, history: RestartHistory, untilMillis: number): { history: RestartHistory; startedAt: number } {
  const lifetime = ((limitBytes - leak.baseBytes) / leak.bytesPerHour) * HOUR;
  // A leak that starts above its limit, or never reaches it, kills nothing here.
  if (!(lifetime > 0) || !Number.isFinite(lifetime)) return { history, startedAt };
  let start = startedAt;
  let next = history;
  while (start + lifetime < untilMillis) {
    start = Math.floor(start + lifetime);
    next = { restartCount: next.restartCount + 1, lastTerminationReason: 'OOMKilled', lastTerminatedAt: start };
  }
  return { history: next, startedAt: start };
}

/**
 * The history after one window of a container whose peak memory demand was
 * `peakBytes`: killed at `atMillis` when the demand passed its limit, unless
 * the last kill was less than the back-off ago. Without a limit nothing kills it.
 */
export function demandKill(peakBytes: number, limitBytes: number | null, atMillis: number, history: RestartHistory): RestartHistory {
  if (limitBytes === null || peakBytes <= limitBytes) return history;
  if (history.lastTerminationReason === 'OOMKilled' && history.lastTerminatedAt !== null && atMillis - history.lastTerminatedAt < OOM_BACKOFF_MILLIS) return history;
  return { restartCount: history.restartCount + 1, lastTerminationReason: 'OOMKilled', lastTerminatedAt: atMillis };
}
