import { KcostError } from '../errors/kcost-error.js';
import { HOURS_PER_MONTH } from './commitment-plan.js';
import { architectureOf, armSiblings } from './instance-family.js';

export interface ArmCandidateInput {
  readonly provider: string;
  /** The x86 type the workload's pods run on today. */
  readonly instanceType: string;
  /** Its on-demand price, USD per node-hour. */
  readonly onDemandHourlyUsd: number;
  /** Hourly on-demand price of every instance type the price collector knows in the region. */
  readonly catalog: ReadonlyMap<string, number>;
  /** Node-equivalents the workload uses (its share of its nodes' cost, summed over its pods). */
  readonly workloadShareOfNodes: number;
  readonly hoursPerMonth?: number;
}

/** One priced ARM sibling. */
export interface ArmOption {
  readonly instanceType: string;
  readonly nodeHourlyUsd: number;
  readonly monthlySavingsUsd: number;
}

export interface ArmCandidate {
  /** The advised ARM type: the newest generation that is cheaper than today's type. */
  readonly armInstanceType: string;
  /** What the workload's share costs per hour today. */
  readonly currentHourlyUsd: number;
  /** What the same share costs per hour on the ARM type. */
  readonly armHourlyUsd: number;
  readonly monthlySavingsUsd: number;
  readonly currentNodeHourlyUsd: number;
  readonly armNodeHourlyUsd: number;
  /** Every ARM sibling with a price, newest generation first, cheaper or not. */
  readonly options: readonly ArmOption[];
}

/**
 * Prices moving a workload from an x86 type to an ARM sibling of the same
 * class and size (see instance-family.ts). Of the siblings cheaper than
 * today's type, the newest generation is advised: it is the better machine
 * per vCPU, and its saving is the smaller, safer figure to promise. Null for
 * a type that is ARM already or unknown, or when no sibling in the catalog
 * is cheaper. A candidate only: kcost cannot see whether the images are
 * multi-arch.
 */
export function armCandidate(input: ArmCandidateInput): ArmCandidate | null {
  const hoursPerMonth = input.hoursPerMonth ?? HOURS_PER_MONTH;
  if (!(input.onDemandHourlyUsd >= 0 && Number.isFinite(input.onDemandHourlyUsd))) throw new KcostError('INVALID_SAVINGS_INPUT', `ARM candidate: ${input.instanceType} has on-demand price ${input.onDemandHourlyUsd}, not a finite amount ≥ 0`);
  if (!(input.workloadShareOfNodes >= 0 && Number.isFinite(input.workloadShareOfNodes))) throw new KcostError('INVALID_SAVINGS_INPUT', `ARM candidate: workload share of nodes ${input.workloadShareOfNodes} is not a finite number ≥ 0`);
  if (architectureOf(input.provider, input.instanceType) !== 'amd64') return null;
  const share = input.workloadShareOfNodes;
  const options: ArmOption[] = [];
  for (const type of armSiblings(input.provider, input.instanceType, [...input.catalog.keys()])) {
    const price = input.catalog.get(type);
    if (price === undefined || !Number.isFinite(price) || price < 0) continue;
    options.push({ instanceType: type, nodeHourlyUsd: price, monthlySavingsUsd: (input.onDemandHourlyUsd - price) * share * hoursPerMonth });
  }
  const advised = options.find((o) => o.nodeHourlyUsd < input.onDemandHourlyUsd);
  if (!advised) return null;
  return {
    armInstanceType: advised.instanceType,
    currentHourlyUsd: input.onDemandHourlyUsd * share,
    armHourlyUsd: advised.nodeHourlyUsd * share,
    monthlySavingsUsd: advised.monthlySavingsUsd,
    currentNodeHourlyUsd: input.onDemandHourlyUsd,
    armNodeHourlyUsd: advised.nodeHourlyUsd,
    options,
  };
}
