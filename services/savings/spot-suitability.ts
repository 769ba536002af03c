import { KcostError } from '../errors/kcost-error.js';
import { HOURS_PER_MONTH } from './commitment-plan.js';

/** A PodDisruptionBudget covering the workload's pods: its spec and its live status. */
export interface SpotDisruptionBudget {
  readonly name: string;
  /** status.disruptionsAllowed: what the budget allows right now. */
  readonly disruptionsAllowed: number;
  /** spec.maxUnavailable as written: "1" or "25%"; null when unset. */
  readonly maxUnavailable: string | null;
  /** spec.minAvailable as written: "2" or "50%"; null when unset. */
  readonly minAvailable: string | null;
}

/** A workload as the spot rules see it. */
export interface SpotCandidate {
  readonly workloadKind: string;
  readonly namespace: string;
  readonly name: string;
  /** Desired replicas. */
  readonly replicas: number;
  readonly pods: readonly { readonly name: string; readonly node: string; readonly capacityType: string; readonly usesLocalStorage: boolean }[];
  readonly disruptionBudgets: readonly SpotDisruptionBudget[];
}

export type SpotRule = 'CONTROLLER_KIND' | 'REPLICAS' | 'NO_LOCAL_STORAGE' | 'DISRUPTION_BUDGET' | 'NOT_ALREADY_SPOT';

export interface SpotRuleResult {
  readonly rule: SpotRule;
  readonly passed: boolean;
  /** One sentence a platform team can act on. */
  readonly detail: string;
}

export interface SpotVerdict {
  /** True when every rule passed. */
  readonly suitable: boolean;
  /** Every rule, passed or failed, in a fixed order. */
  readonly rules: readonly SpotRuleResult[];
}

const SPOT_CONTROLLERS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet']);

function controllerKind(c: SpotCandidate): SpotRuleResult {
  if (SPOT_CONTROLLERS.has(c.workloadKind)) return { rule: 'CONTROLLER_KIND', passed: true, detail: `${c.workloadKind} replicas are interchangeable: a reclaimed one is recreated elsewhere.` };
  const why =
    c.workloadKind === 'StatefulSet' ? 'StatefulSet pods keep an identity and their own volumes, so a reclaim is an outage of that member'
    : c.workloadKind === 'DaemonSet' ? 'a DaemonSet runs on every node already, spot or not'
    : `only Deployments and ReplicaSets are advised, not a ${c.workloadKind || 'bare Pod'}`;
  return { rule: 'CONTROLLER_KIND', passed: false, detail: `${why}.` };
}

function replicas(c: SpotCandidate): SpotRuleResult {
  return c.replicas > 1 ?
      { rule: 'REPLICAS', passed: true, detail: `${c.replicas} replicas: the others serve while a reclaimed one is replaced.` }
    : { rule: 'REPLICAS', passed: false, detail: `${c.replicas} replica${c.replicas === 1 ? '' : 's'}: a spot reclaim would take the whole workload down until it is rescheduled.` };
}

function noLocalStorage(c: SpotCandidate): SpotRuleResult {
  const local = c.pods.filter((p) => p.usesLocalStorage).map((p) => p.name);
  return local.length === 0 ?
      { rule: 'NO_LOCAL_STORAGE', passed: true, detail: 'No pod keeps data on a local persistent volume.' }
    : { rule: 'NO_LOCAL_STORAGE', passed: false, detail: `${local.length} pod${local.length === 1 ? '' : 's'} (${local.join(', ')}) ${local.length === 1 ? 'keeps' : 'keep'} data on a local persistent volume, lost with a reclaimed node.` };
}

/** Whole number or percentage of `replicas`, rounded up as the disruption controller does; null when unreadable. */
function scaled(value: string, replicas: number): number | null {
  const percent = /^(\d+)%$/.exec(value.trim());
  if (percent) return Math.ceil((Number(percent[1]) * replicas) / 100);
  return /^\d+$/.test(value.trim()) ? Number(value) : null;
}

/** How many pods the budget lets go at once with every desired replica healthy (its spec, not its status). */
function allowedBySpec(budget: SpotDisruptionBudget, replicas: number): number | null {
  if (budget.maxUnavailable !== null) return scaled(budget.maxUnavailable, replicas);
  if (budget.minAvailable !== null) {
    const min = scaled(budget.minAvailable, replicas);
    return min === null ? null : Math.max(0, replicas - min);
  }
  return null;
}

/**
 * A budget must exist and let at least one pod go: spot reclaims come with
 * two minutes' notice (AWS; 30 seconds on GCP and Azure), and only a budget
 * makes the drain that follows graceful. No budget at all fails the rule:
 * nothing then stops one reclaim from evicting every replica at once.
 */
function disruptionBudget(c: SpotCandidate): SpotRuleResult {
  const budgets = c.disruptionBudgets;
  const [only] = budgets;
  if (!only) return { rule: 'DISRUPTION_BUDGET', passed: false, detail: 'No PodDisruptionBudget: nothing stops a reclaim from evicting every replica at once; add one with maxUnavailable: 1.' };
  if (budgets.length > 1) return { rule: 'DISRUPTION_BUDGET', passed: false, detail: `${budgets.length} PodDisruptionBudgets (${budgets.map((b) => b.name).join(', ')}) select these pods, and the eviction API refuses pods with more than one.` };
  const bySpec = allowedBySpec(only, c.replicas);
  if (only.disruptionsAllowed >= 1 || (bySpec !== null && bySpec >= 1)) {
    const allowed = Math.max(only.disruptionsAllowed, bySpec ?? 0);
    return { rule: 'DISRUPTION_BUDGET', passed: true, detail: `PodDisruptionBudget ${only.name} lets ${allowed} pod${allowed === 1 ? '' : 's'} go at a time, so a reclaimed node drains gracefully.` };
  }
  const spec = only.maxUnavailable !== null ? `maxUnavailable ${only.maxUnavailable}` : only.minAvailable !== null ? `minAvailable ${only.minAvailable}` : 'no maxUnavailable or minAvailable';
  return { rule: 'DISRUPTION_BUDGET', passed: false, detail: `PodDisruptionBudget ${only.name} (${spec} of ${c.replicas} replicas) lets no pod go, so a reclaimed node cannot drain.` };
}

function notAlreadySpot(c: SpotCandidate): SpotRuleResult {
  const movable = c.pods.filter((p) => isMovable(p.capacityType)).length;
  if (movable > 0) return { rule: 'NOT_ALREADY_SPOT', passed: true, detail: `${movable} of ${c.pods.length} pods run on on-demand capacity.` };
  if (c.pods.length === 0) return { rule: 'NOT_ALREADY_SPOT', passed: false, detail: 'No running pods to move.' };
  return { rule: 'NOT_ALREADY_SPOT', passed: false, detail: `All ${c.pods.length} pods already run on spot or reserved capacity: nothing on on-demand to move.` };
}

/**
 * Pods on spot already saved; pods on reserved capacity are paid for either
 * way. Everything else (ON_DEMAND, and UNKNOWN, which the processor prices
 * at on-demand) would be cheaper on spot.
 */
function isMovable(capacityType: string): boolean {
  const type = capacityType.toUpperCase();
  return type !== 'SPOT' && type !== 'RESERVED';
}

/** Judges a workload against every spot rule of issue #16; see docs/savings.md, "Spot suitability". */
export function judgeSpot(c: SpotCandidate): SpotVerdict {
  const rules = [controllerKind(c), replicas(c), noLocalStorage(c), disruptionBudget(c), notAlreadySpot(c)];
  return { suitable: rules.every((r) => r.passed), rules };
}

/** One pod of the workload and what its node costs. */
export interface SpotPodCost {
  readonly pod: string;
  readonly instanceType: string;
  /** The node's zone; null when unknown (then every zone's spot history counts). */
  readonly zone: string | null;
  readonly capacityType: string;
  /** The pod's share of its node's hourly cost, 0..1 (the processor's allocation). */
  readonly nodeShare: number;
  /** The node's on-demand price, USD per hour. */
  readonly onDemandHourlyUsd: number;
  readonly onDemandPriceSource: string;
}

/** One point of spot price history: the price in effect from `effectiveFrom` until the next point of the same type and zone. */
export interface SpotPricePoint {
  readonly instanceType: string;
  readonly zone: string | null;
  readonly effectiveFrom: number;
  readonly hourlyUsd: number;
  readonly source: string;
}

export interface SpotSavingInput {
  readonly pods: readonly SpotPodCost[];
  readonly spotPrices: readonly SpotPricePoint[];
  /** The lookback the spot price is averaged over, epoch millis, [from, to). */
  readonly fromMillis: number;
  readonly toMillis: number;
  readonly hoursPerMonth?: number;
}

export interface SpotSaving {
  /** What the on-demand pods' share of their nodes costs per month today. */
  readonly currentMonthlyUsd: number;
  /** The same shares of the same instance shapes at the average spot price. */
  readonly spotMonthlyUsd: number;
  readonly monthlySavingsUsd: number;
  /** Node-share-weighted spot price per node-hour, averaged over the lookback (0 when every share is 0). */
  readonly spotPriceUsd: number;
  /** Node-share-weighted on-demand price per node-hour. */
  readonly onDemandPriceUsd: number;
  readonly priceSources: readonly string[];
  /** On-demand pods whose shape has no spot history in the lookback: left out of both figures. */
  readonly unpricedPods: readonly string[];
}

/** Time-weighted average of one series of price steps over [from, to); null when no step is in effect in it. */
function timeWeightedAverage(points: readonly SpotPricePoint[], from: number, to: number): number | null {
  const sorted = [...points].sort((a, b) => a.effectiveFrom - b.effectiveFrom);
  let weighted = 0;
  let covered = 0;
  sorted.forEach((point, i) => {
    const start = Math.max(point.effectiveFrom, from);
    const end = Math.min(sorted[i + 1]?.effectiveFrom ?? to, to);
    if (end <= start) return;
    weighted += point.hourlyUsd * (end - start);
    covered += end - start;
  });
  // Before the first step the price is unknown: average over the part of the lookback that has one.
  return covered === 0 ? null : weighted / covered;
}

/**
 * The average spot price of a shape over the lookback: of its zone's history
 * where the zone is known and has one, else the mean of every zone's average.
 */
function averageSpotPrice(input: SpotSavingInput, instanceType: string, zone: string | null): { usd: number; sources: string[] } | null {
  const ofType = input.spotPrices.filter((p) => p.instanceType === instanceType);
  const byZone = new Map<string, SpotPricePoint[]>();
  for (const p of ofType) byZone.set(p.zone ?? '', [...(byZone.get(p.zone ?? '') ?? []), p]);
  const averageOf = (points: readonly SpotPricePoint[]): number | null => timeWeightedAverage(points, input.fromMillis, input.toMillis);
  const own = zone === null ? null : averageOf(byZone.get(zone) ?? []);
  if (own !== null) return { usd: own, sources: [...new Set((byZone.get(zone ?? '') ?? []).map((p) => p.source))] };
  const zones = [...byZone.values()].map((points) => ({ usd: averageOf(points), points })).filter((z): z is { usd: number; points: SpotPricePoint[] } => z.usd !== null);
  if (zones.length === 0) return null;
  return { usd: zones.reduce((sum, z) => sum + z.usd, 0) / zones.length, sources: [...new Set(zones.flatMap((z) => z.points.map((p) => p.source)))] };
}

/** The average spot price of a shape over [from, to), as spotSaving prices it: its zone's history, else the mean over the zones; null without any. */
export function averageSpotPriceOf(spotPrices: readonly SpotPricePoint[], instanceType: string, zone: string | null, fromMillis: number, toMillis: number): { usd: number; sources: string[] } | null {
  return averageSpotPrice({ pods: [], spotPrices, fromMillis, toMillis }, instanceType, zone);
}

/**
 * Prices moving a workload's on-demand pods to spot nodes of the same
 * instance shapes: each pod's share of its node's hourly cost at on-demand
 * today against the same share at the shape's average spot price over the
 * lookback. Null when no on-demand pod has a spot price to compare with.
 */
export function spotSaving(input: SpotSavingInput): SpotSaving | null {
  const hoursPerMonth = input.hoursPerMonth ?? HOURS_PER_MONTH;
  if (!(input.toMillis > input.fromMillis)) throw new KcostError('INVALID_SAVINGS_INPUT', `spot saving: lookback [${input.fromMillis}, ${input.toMillis}) is empty`);
  let current = 0;
  let spot = 0;
  let shares = 0;
  let priced = 0;
  const sources = new Set<string>();
  const unpriced: string[] = [];
  for (const pod of input.pods) {
    if (!isMovable(pod.capacityType)) continue;
    if (!(pod.nodeShare >= 0 && pod.nodeShare <= 1)) throw new KcostError('INVALID_SAVINGS_INPUT', `spot saving: pod ${pod.pod} has node share ${pod.nodeShare}, not in [0, 1]`);
    const price = averageSpotPrice(input, pod.instanceType, pod.zone);
    if (price === null) {
      unpriced.push(pod.pod);
      continue;
    }
    current += pod.nodeShare * pod.onDemandHourlyUsd;
    spot += pod.nodeShare * price.usd;
    shares += pod.nodeShare;
    priced += 1;
    sources.add(`on-demand:${pod.onDemandPriceSource}`);
    for (const s of price.sources) sources.add(`spot:${s}`);
  }
  if (priced === 0) return null;
  return {
    currentMonthlyUsd: current * hoursPerMonth,
    spotMonthlyUsd: spot * hoursPerMonth,
    monthlySavingsUsd: (current - spot) * hoursPerMonth,
    spotPriceUsd: shares === 0 ? 0 : spot / shares,
    onDemandPriceUsd: shares === 0 ? 0 : current / shares,
    priceSources: [...sources].sort(),
    unpricedPods: unpriced,
  };
}
