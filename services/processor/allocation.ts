/** What a container is charged for, per resource: its request, its measured usage, or the larger of the two. */
export type AllocationBasis = 'request' | 'usage' | 'max';

export const ALLOCATION_BASES: readonly AllocationBasis[] = ['request', 'usage', 'max'];

/** The basis per resource; GPUs are always charged on requests (their usage is not measured). */
export interface AllocationBases {
  readonly cpu: AllocationBasis;
  readonly memory: AllocationBasis;
}

export const DEFAULT_BASES: AllocationBases = { cpu: 'max', memory: 'max' };

/** Requests and measured usage of one container over one window. */
export interface ContainerMeasure {
  readonly cpuRequestCores: number;
  readonly cpuUsageCores: number;
  readonly memoryRequestBytes: number;
  readonly memoryUsageBytes: number;
  readonly gpuRequest: number;
  /** The collector could not observe the window: usage is unknown, not zero. */
  readonly gap: boolean;
}

/** Resources a container is charged for before any scaling to its node's capacity. */
export interface Demand {
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly gpus: number;
}

/** Applies the allocation basis per resource. A gap window is charged on requests, whatever the basis. */
export function allocate(measure: ContainerMeasure, bases: AllocationBases = DEFAULT_BASES): Demand {
  return {
    cpuCores: pick(bases.cpu, nonNegative(measure.cpuRequestCores), nonNegative(measure.cpuUsageCores), measure.gap),
    memoryBytes: pick(bases.memory, nonNegative(measure.memoryRequestBytes), nonNegative(measure.memoryUsageBytes), measure.gap),
    gpus: nonNegative(measure.gpuRequest),
  };
}

function pick(basis: AllocationBasis, request: number, usage: number, gap: boolean): number {
  if (gap || basis === 'request') return request;
  return basis === 'usage' ? usage : Math.max(request, usage);
}

/** Bad input (a negative or NaN figure) must not turn into negative or NaN money. */
function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
