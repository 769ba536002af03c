import type { ContainerSpec, UsageProfile } from './cluster-plan.js';
import { hashNormal, hashUnit } from './prng.js';

const HOUR = 3_600_000;

/** The daily swing of a workload: 1 ± amplitude, peaking at peakHour (UTC). */
export function diurnalFactor(profile: UsageProfile, atMillis: number): number {
  const hour = (((atMillis / HOUR) % 24) + 24) % 24;
  return 1 + profile.diurnalAmplitude * Math.cos((2 * Math.PI * (hour - profile.peakHour)) / 24);
}

/** One container's usage over one window. */
export interface ContainerUsage {
  readonly cpuCores: number;
  readonly memoryAvgBytes: number;
  readonly memoryMaxBytes: number;
}

export interface UsageInput {
  readonly seed: number;
  readonly profile: UsageProfile;
  readonly container: ContainerSpec;
  /** A stable number for the container (pod sequence and container index), so its noise is its own. */
  readonly noiseKey: number;
  readonly windowIndex: number;
  readonly windowStartMillis: number;
  readonly windowMillis: number;
  /** Anomaly multiplier in effect (1 when none). */
  readonly factor: number;
  /** Multiplies CPU only: an autoscaled workload's share of its load per replica, relative to its nominal replica count (1 when not autoscaled). */
  readonly cpuShare?: number;
  /** The node's allocatable CPU and memory: a container never uses more than its machine has. */
  readonly nodeCpuCores: number;
  readonly nodeMemoryBytes: number;
}

/**
 * Usage of one container in one window: request × utilisation × the daily
 * sinusoid (taken at mid-window) × noise × any anomaly factor, capped by the
 * node. Memory swings a quarter as much as CPU. Pure: the same input always
 * gives the same usage, whatever order windows are computed in.
 */
export function containerUsage(input: UsageInput): ContainerUsage {
  const { profile, container } = input;
  const mid = input.windowStartMillis + input.windowMillis / 2;
  const swing = diurnalFactor(profile, mid) - 1;
  const cpuNoise = 1 + profile.noise * hashNormal(input.seed, input.noiseKey, input.windowIndex);
  const memNoise = 1 + 0.3 * profile.noise * hashNormal(input.seed ^ 0x27d4eb2f, input.noiseKey, input.windowIndex);
  const cpuCores = clamp(container.cpuRequestCores * profile.cpuUtilisation * (1 + swing) * cpuNoise * input.factor * (input.cpuShare ?? 1), 0.0005, input.nodeCpuCores);
  const memoryAvgBytes = clamp(container.memoryRequestBytes * profile.memoryUtilisation * (1 + swing / 4) * memNoise * input.factor, 1_048_576, input.nodeMemoryBytes);
  const peak = 1.02 + 0.08 * hashUnit(input.seed ^ 0x165667b1, input.noiseKey, input.windowIndex);
  return { cpuCores, memoryAvgBytes, memoryMaxBytes: Math.round(Math.min(memoryAvgBytes * peak, input.nodeMemoryBytes)) };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
