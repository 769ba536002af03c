import { Prng } from '../../simulator/prng.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
export const MINUTES_PER_DAY = 24 * 60;

/** A container's spec as applied: requests, limits (null: unset), and the HPA's target where one scales the workload. */
export interface AppliedSpec {
  readonly cpuRequestCores: number;
  readonly cpuLimitCores: number | null;
  readonly memoryRequestBytes: number;
  readonly memoryLimitBytes: number | null;
  readonly hpaTargetUtilizationPercent: number | null;
}

/** An HPA on CPU utilization, as the bench simulates it. */
export interface HpaSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/**
 * A simulated workload whose true demand is known for every minute. Demand
 * is per replica (every replica of a workload is alike), except for an
 * HPA-scaled workload, whose CPU demand is the workload's total and is
 * shared by however many replicas the HPA runs.
 */
export interface Workload {
  readonly name: string;
  readonly description: string;
  readonly minutes: number;
  readonly initial: AppliedSpec;
  /** Fixed replica count (ignored where an HPA scales the workload). */
  readonly replicas: number;
  readonly hpa: HpaSpec | null;
  /** CPU demand in cores per minute: per replica, or the total under an HPA. */
  readonly cpuDemand: Float64Array;
  /** Memory demand in bytes per replica per minute; for an HPA workload, a base plus memoryPerCore × its replica's CPU. */
  readonly memoryDemand: Float64Array;
  readonly memoryPerCoreBytes: number;
  /** False where no pod exists (a CronJob between runs): no usage, no requests. */
  readonly running: Uint8Array;
  /** The pod a minute's usage comes from: a new one after a rollout or for each job run. */
  readonly podOf: (minute: number) => string;
}

/** Noise that moves smoothly from minute to minute (AR(1) with the given stationary deviation). */
function smoothNoise(prng: Prng, minutes: number, deviation: number, memory = 0.9): Float64Array {
  const out = new Float64Array(minutes);
  let x = 0;
  const innovation = deviation * Math.sqrt(1 - memory * memory);
  for (let m = 0; m < minutes; m++) {
    x = memory * x + innovation * gaussian(prng);
    out[m] = x;
  }
  return out;
}

function gaussian(prng: Prng): number {
  return Math.sqrt(-2 * Math.log(1 - prng.next())) * Math.cos(2 * Math.PI * prng.next());
}

const hourOf = (minute: number): number => (minute % MINUTES_PER_DAY) / 60;
const dayOf = (minute: number): number => Math.floor(minute / MINUTES_PER_DAY);
/** Business-day load shape: low at night, a broad peak in the afternoon; weekends at 60 %. */
function diurnal(minute: number): number {
  const day = Math.max(0, Math.sin((Math.PI * (hourOf(minute) - 7)) / 14));
  const weekend = dayOf(minute) % 7 >= 5 ? 0.6 : 1;
  return day * weekend;
}

function build(name: string, description: string, minutes: number, fill: (m: number) => { cpu: number; memory: number; running?: boolean }, rest: Omit<Workload, 'name' | 'description' | 'minutes' | 'cpuDemand' | 'memoryDemand' | 'running' | 'memoryPerCoreBytes' | 'podOf'> & Partial<Pick<Workload, 'memoryPerCoreBytes' | 'podOf'>>): Workload {
  const cpuDemand = new Float64Array(minutes);
  const memoryDemand = new Float64Array(minutes);
  const running = new Uint8Array(minutes);
  for (let m = 0; m < minutes; m++) {
    const d = fill(m);
    cpuDemand[m] = Math.max(0.001, d.cpu);
    memoryDemand[m] = Math.max(16 * MIB, d.memory);
    running[m] = d.running === false ? 0 : 1;
  }
  return { name, description, minutes, cpuDemand, memoryDemand, running, memoryPerCoreBytes: 0, podOf: () => `${name}-0`, ...rest };
}

const fixed = (cpu: number, cpuLimit: number | null, memory: number, memoryLimit: number | null): AppliedSpec => ({
  cpuRequestCores: cpu,
  cpuLimitCores: cpuLimit,
  memoryRequestBytes: memory,
  memoryLimitBytes: memoryLimit,
  hpaTargetUtilizationPercent: null,
});

/**
 * The eight archetypes of issue 15, `days` long, from one seed. Their
 * starting specs are what teams typically set (generous requests, memory
 * limit = request); sizes are fixed here, before any strategy ran.
 */
export function archetypes(days: number, seed: number): Workload[] {
  const minutes = days * MINUTES_PER_DAY;
  const prng = new Prng(seed);
  const noise = (deviation: number, memory?: number) => smoothNoise(prng, minutes, deviation, memory);

  const steadyCpu = noise(0.04);
  const steadyMemory = noise(10 * MIB, 0.99);
  const steady = build('steady', 'flat 0.4 cores and 600 MiB with small noise', minutes, (m) => ({ cpu: 0.4 + (steadyCpu[m] ?? 0), memory: 600 * MIB + (steadyMemory[m] ?? 0) }), {
    initial: fixed(1, null, GIB, GIB),
    replicas: 3,
    hpa: null,
  });

  const diurnalCpu = noise(0.05);
  const diurnalWorkload = build('diurnal', 'business-hours cycle 0.2-0.8 cores, weekends at 60 %, memory following load', minutes, (m) => {
    const load = diurnal(m);
    return { cpu: 0.2 + 0.6 * load + (diurnalCpu[m] ?? 0), memory: 500 * MIB + 250 * MIB * load };
  }, { initial: fixed(1.5, null, 1.5 * GIB, 1.5 * GIB), replicas: 4, hpa: null });

  const bursts = new Float64Array(minutes);
  for (let m = 0; m < minutes; m++) {
    // About four bursts a day of 5-20 minutes at 1.2-2 cores.
    if (prng.chance(4 / MINUTES_PER_DAY)) {
      const length = prng.int(5, 20);
      const height = prng.range(1.2, 2);
      for (let k = m; k < Math.min(minutes, m + length); k++) bursts[k] = Math.max(bursts[k] ?? 0, height);
    }
  }
  const burstyCpu = noise(0.03);
  const bursty = build('bursty', 'idle at 0.15 cores with ~4 bursts a day of 5-20 min at 1.2-2 cores; CPU limit 2', minutes, (m) => {
    const burst = bursts[m] ?? 0;
    return { cpu: (burst > 0 ? burst : 0.15) + (burstyCpu[m] ?? 0), memory: 400 * MIB + (burst > 0 ? 300 * MIB : 0) };
  }, { initial: fixed(2, 2, GIB, GIB), replicas: 2, hpa: null });

  const jobCpu = noise(0.08);
  const cronjob = build('cronjob', 'nightly job 02:00-02:40: CPU ramps to 1.5 cores, memory to 1.2 GiB; no pod in between', minutes, (m) => {
    const into = m % MINUTES_PER_DAY - 120;
    if (into < 0 || into >= 40) return { cpu: 0, memory: 0, running: false };
    const progress = into / 40;
    return { cpu: 0.3 + 1.2 * Math.min(1, progress * 3) + (jobCpu[m] ?? 0), memory: 200 * MIB + GIB * progress };
  }, { initial: fixed(2, null, 4 * GIB, 4 * GIB), replicas: 1, hpa: null, podOf: (m) => `cronjob-${dayOf(m)}` });

  const leakCpu = noise(0.03);
  // Rolled out every 7 days at 10:00, which restarts the leak.
  const rolloutOf = (m: number): number => Math.floor((m - 10 * 60) / (7 * MINUTES_PER_DAY));
  const leak = build('leak', 'slow memory leak of 150 MiB/day from 400 MiB, reset by a weekly rollout; CPU flat 0.3', minutes, (m) => {
    const since = m - (rolloutOf(m) * 7 * MINUTES_PER_DAY + 10 * 60);
    return { cpu: 0.3 + (leakCpu[m] ?? 0), memory: 400 * MIB + (150 * MIB * Math.max(0, since)) / MINUTES_PER_DAY };
  }, { initial: fixed(0.5, null, 2 * GIB, 2 * GIB), replicas: 2, hpa: null, podOf: (m) => `leak-${rolloutOf(m) + 1}` });

  const jvmCpu = noise(0.03);
  const jvm = build('jvm', 'JVM-like: heap flat near 1.6 GiB (GC sawtooth), 0.25 cores with a 1-core GC minute every 30 min', minutes, (m) => {
    const saw = (m % 45) / 45;
    return { cpu: (m % 30 === 0 ? 1 : 0.25) + (jvmCpu[m] ?? 0), memory: 1.45 * GIB + 0.25 * GIB * saw };
  }, { initial: fixed(1, null, 3 * GIB, 3 * GIB), replicas: 2, hpa: null });

  const stepCpu = noise(0.03);
  const stepAt = Math.floor(days * 0.6) * MINUTES_PER_DAY + 9 * 60;
  const step = build('step', `steps from 0.3 to 0.6 cores and 500 to 800 MiB on day ${Math.floor(days * 0.6)} at 09:00 (new traffic)`, minutes, (m) => {
    const after = m >= stepAt;
    return { cpu: (after ? 0.6 : 0.3) + (stepCpu[m] ?? 0), memory: (after ? 800 : 500) * MIB };
  }, { initial: fixed(0.5, null, GIB, GIB), replicas: 2, hpa: null });

  const hpaCpu = noise(0.3);
  const hpaScaled = build('hpa', 'HPA on CPU at 60 %: total demand 1-9 cores on the business cycle; memory 300 MiB + 200 MiB per core of each replica', minutes, (m) => ({
    cpu: 1 + 8 * diurnal(m) + (hpaCpu[m] ?? 0),
    memory: 300 * MIB,
  }), {
    initial: { ...fixed(1, null, GIB, GIB), hpaTargetUtilizationPercent: 60 },
    replicas: 2,
    hpa: { minReplicas: 2, maxReplicas: 40 },
    memoryPerCoreBytes: 200 * MIB,
  });

  return [steady, diurnalWorkload, bursty, cronjob, leak, jvm, step, hpaScaled];
}
