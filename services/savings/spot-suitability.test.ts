import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeSpot, spotSaving, type SpotCandidate, type SpotPodCost, type SpotPricePoint, type SpotRule } from './spot-suitability.js';

const pod = (name: string, o: Partial<SpotCandidate['pods'][number]> = {}): SpotCandidate['pods'][number] => ({ name, node: `node-${name}`, capacityType: 'ON_DEMAND', usesLocalStorage: false, ...o });
const budget = (o: Partial<SpotCandidate['disruptionBudgets'][number]> = {}): SpotCandidate['disruptionBudgets'][number] => ({ name: 'checkout-pdb', disruptionsAllowed: 1, maxUnavailable: '1', minAvailable: null, ...o });

/** A Deployment of 3 replicas on on-demand nodes with maxUnavailable 1: every rule passes. */
function candidate(o: Partial<SpotCandidate> = {}): SpotCandidate {
  return { workloadKind: 'Deployment', namespace: 'shop', name: 'checkout', replicas: 3, pods: [pod('a'), pod('b'), pod('c')], disruptionBudgets: [budget()], ...o };
}

function failed(c: SpotCandidate): Array<{ rule: SpotRule; detail: string }> {
  return judgeSpot(c).rules.filter((r) => !r.passed).map(({ rule, detail }) => ({ rule, detail }));
}

describe('judgeSpot', () => {
  it('passes a replicated Deployment with a budget, and reports every rule with a sentence', () => {
    expect(judgeSpot(candidate())).toEqual({
      suitable: true,
      rules: [
        { rule: 'CONTROLLER_KIND', passed: true, detail: 'Deployment replicas are interchangeable: a reclaimed one is recreated elsewhere.' },
        { rule: 'REPLICAS', passed: true, detail: '3 replicas: the others serve while a reclaimed one is replaced.' },
        { rule: 'NO_LOCAL_STORAGE', passed: true, detail: 'No pod keeps data on a local persistent volume.' },
        { rule: 'DISRUPTION_BUDGET', passed: true, detail: 'PodDisruptionBudget checkout-pdb lets 1 pod go at a time, so a reclaimed node drains gracefully.' },
        { rule: 'NOT_ALREADY_SPOT', passed: true, detail: '3 of 3 pods run on on-demand capacity.' },
      ],
    });
  });

  it.each([
    { name: 'a StatefulSet', c: candidate({ workloadKind: 'StatefulSet' }), fails: [{ rule: 'CONTROLLER_KIND', detail: 'StatefulSet pods keep an identity and their own volumes, so a reclaim is an outage of that member.' }] },
    { name: 'a DaemonSet', c: candidate({ workloadKind: 'DaemonSet' }), fails: [{ rule: 'CONTROLLER_KIND', detail: 'a DaemonSet runs on every node already, spot or not.' }] },
    { name: 'a Job', c: candidate({ workloadKind: 'Job' }), fails: [{ rule: 'CONTROLLER_KIND', detail: 'only Deployments and ReplicaSets are advised, not a Job.' }] },
    { name: 'a ReplicaSet passes', c: candidate({ workloadKind: 'ReplicaSet' }), fails: [] },
    {
      name: 'a single replica (whose budget of 1 lets it go)',
      c: candidate({ replicas: 1, pods: [pod('a')] }),
      fails: [{ rule: 'REPLICAS', detail: '1 replica: a spot reclaim would take the whole workload down until it is rescheduled.' }],
    },
    { name: 'a pod on a local persistent volume', c: candidate({ pods: [pod('a'), pod('b', { usesLocalStorage: true }), pod('c')] }), fails: [{ rule: 'NO_LOCAL_STORAGE', detail: '1 pod (b) keeps data on a local persistent volume, lost with a reclaimed node.' }] },
    { name: 'no budget at all (kcost requires one)', c: candidate({ disruptionBudgets: [] }), fails: [{ rule: 'DISRUPTION_BUDGET', detail: 'No PodDisruptionBudget: nothing stops a reclaim from evicting every replica at once; add one with maxUnavailable: 1.' }] },
    {
      name: 'a budget of maxUnavailable 0',
      c: candidate({ disruptionBudgets: [budget({ disruptionsAllowed: 0, maxUnavailable: '0' })] }),
      fails: [{ rule: 'DISRUPTION_BUDGET', detail: 'PodDisruptionBudget checkout-pdb (maxUnavailable 0 of 3 replicas) lets no pod go, so a reclaimed node cannot drain.' }],
    },
    {
      name: 'a budget of minAvailable 100%',
      c: candidate({ disruptionBudgets: [budget({ disruptionsAllowed: 0, maxUnavailable: null, minAvailable: '100%' })] }),
      fails: [{ rule: 'DISRUPTION_BUDGET', detail: 'PodDisruptionBudget checkout-pdb (minAvailable 100% of 3 replicas) lets no pod go, so a reclaimed node cannot drain.' }],
    },
    { name: 'maxUnavailable 10% of 3 rounds up to 1, though a pod is unhealthy right now', c: candidate({ disruptionBudgets: [budget({ disruptionsAllowed: 0, maxUnavailable: '10%' })] }), fails: [] },
    { name: 'minAvailable 50% of 3 leaves 1', c: candidate({ disruptionBudgets: [budget({ disruptionsAllowed: 0, maxUnavailable: null, minAvailable: '50%' })] }), fails: [] },
    { name: 'minAvailable 2 of 3 leaves 1', c: candidate({ disruptionBudgets: [budget({ disruptionsAllowed: 0, maxUnavailable: null, minAvailable: '2' })] }), fails: [] },
    {
      name: 'two budgets on the same pods',
      c: candidate({ disruptionBudgets: [budget(), budget({ name: 'legacy-pdb' })] }),
      fails: [{ rule: 'DISRUPTION_BUDGET', detail: '2 PodDisruptionBudgets (checkout-pdb, legacy-pdb) select these pods, and the eviction API refuses pods with more than one.' }],
    },
    { name: 'every pod already on spot', c: candidate({ pods: ['a', 'b', 'c'].map((n) => pod(n, { capacityType: 'SPOT' })) }), fails: [{ rule: 'NOT_ALREADY_SPOT', detail: 'All 3 pods already run on spot or reserved capacity: nothing on on-demand to move.' }] },
    { name: 'a mix of spot and on-demand passes', c: candidate({ pods: [pod('a', { capacityType: 'SPOT' }), pod('b'), pod('c', { capacityType: 'RESERVED' })] }), fails: [] },
    { name: 'no running pods', c: candidate({ pods: [] }), fails: [{ rule: 'NOT_ALREADY_SPOT', detail: 'No running pods to move.' }] },
  ])('$name', ({ c, fails }) => {
    expect(failed(c)).toEqual(fails);
    expect(judgeSpot(c).suitable).toBe(fails.length === 0);
    expect(judgeSpot(c).rules.map((r) => r.rule)).toEqual(['CONTROLLER_KIND', 'REPLICAS', 'NO_LOCAL_STORAGE', 'DISRUPTION_BUDGET', 'NOT_ALREADY_SPOT']);
  });
});

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1);

const podCost = (name: string, o: Partial<SpotPodCost> = {}): SpotPodCost => ({ pod: name, instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', nodeShare: 0.5, onDemandHourlyUsd: 0.192, onDemandPriceSource: 'aws-pricing', ...o });
const spotPoint = (zone: string | null, hoursFromStart: number, hourlyUsd: number, instanceType = 'm5.xlarge'): SpotPricePoint => ({ instanceType, zone, effectiveFrom: T0 + hoursFromStart * HOUR, hourlyUsd, source: 'aws-spot' });

describe('spotSaving', () => {
  it('prices on-demand pods at their shape’s spot price averaged over the lookback, per zone where known', () => {
    // Lookback: 24 h from T0.
    // us-east-1a: 0.06 for 12 h, then 0.08 for 12 h (a 5.00 step after the
    // lookback does not count): 0.07 on average.
    // us-east-1c: 0.09 since before the lookback: 0.09.
    // Pod a (1a, half a node): 0.5 × 0.192 = 0.096 → 0.5 × 0.07 = 0.035.
    // Pod b (1b has no history: mean of 1a and 1c, 0.08; a quarter node):
    // 0.048 → 0.02. Pod c is on spot already; pod d's c5.large has no spot
    // history and is left out.
    // Today 0.144 USD/h = 105.12 USD a month; on spot 0.055 USD/h = 40.15;
    // 64.97 saved. Spot per node-hour: 0.055 / 0.75 = 0.07333.
    const saving = spotSaving({
      pods: [podCost('a'), podCost('b', { zone: 'us-east-1b', nodeShare: 0.25 }), podCost('c', { capacityType: 'SPOT' }), podCost('d', { instanceType: 'c5.large' })],
      spotPrices: [spotPoint('us-east-1a', 0, 0.06), spotPoint('us-east-1a', 12, 0.08), spotPoint('us-east-1a', 30, 5), spotPoint('us-east-1c', -5, 0.09)],
      fromMillis: T0,
      toMillis: T0 + 24 * HOUR,
    });
    expect(saving).not.toBeNull();
    expect(saving?.currentMonthlyUsd).toBeCloseTo(105.12, 2);
    expect(saving?.spotMonthlyUsd).toBeCloseTo(40.15, 2);
    expect(saving?.monthlySavingsUsd).toBeCloseTo(64.97, 2);
    expect(saving?.spotPriceUsd).toBeCloseTo(0.055 / 0.75, 6);
    expect(saving?.onDemandPriceUsd).toBeCloseTo(0.192, 6);
    expect([saving?.priceSources, saving?.unpricedPods]).toEqual([['on-demand:aws-pricing', 'spot:aws-spot'], ['d']]);
  });

  it('has nothing to say when no on-demand pod has spot history in the lookback', () => {
    const lookback = { fromMillis: T0, toMillis: T0 + 24 * HOUR };
    expect(spotSaving({ pods: [podCost('a')], spotPrices: [spotPoint('us-east-1a', 25, 0.05)], ...lookback })).toBeNull();
    expect(spotSaving({ pods: [podCost('a', { capacityType: 'SPOT' })], spotPrices: [spotPoint('us-east-1a', 0, 0.05)], ...lookback })).toBeNull();
  });

  it('rejects an empty lookback and a node share outside [0, 1]', () => {
    expect(() => spotSaving({ pods: [], spotPrices: [], fromMillis: T0, toMillis: T0 })).toThrow(/lookback .* is empty/);
    expect(() => spotSaving({ pods: [podCost('a', { nodeShare: 1.5 })], spotPrices: [spotPoint('us-east-1a', 0, 0.05)], fromMillis: T0, toMillis: T0 + HOUR })).toThrow('spot saving: pod a has node share 1.5, not in [0, 1]');
  });

  it('the average spot price lies between the lowest and highest price in effect during the lookback', () => {
    const steps = fc.array(fc.record({ at: fc.integer({ min: -48, max: 47 }), usd: fc.integer({ min: 1, max: 1000 }).map((c) => c / 1000) }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(steps, (points) => {
        const history = points.map((p) => spotPoint('us-east-1a', p.at, p.usd));
        const saving = spotSaving({ pods: [podCost('a', { nodeShare: 1 })], spotPrices: history, fromMillis: T0, toMillis: T0 + 48 * HOUR });
        // The steps in effect: the last at or before the start, and every later one.
        const sorted = [...history].sort((a, b) => a.effectiveFrom - b.effectiveFrom);
        const inEffect = sorted.filter((p, i) => p.effectiveFrom >= T0 || (sorted[i + 1]?.effectiveFrom ?? Infinity) > T0);
        const prices = inEffect.map((p) => p.hourlyUsd);
        expect(saving?.spotPriceUsd).toBeGreaterThanOrEqual(Math.min(...prices) - 1e-12);
        expect(saving?.spotPriceUsd).toBeLessThanOrEqual(Math.max(...prices) + 1e-12);
      }),
      { numRuns: 300 },
    );
  });
});
