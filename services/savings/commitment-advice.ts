import type { Recommendation } from '../codec/records.generated.js';
import { savingsRecord } from './advice-envelope.js';
import { planCommitment, type CommitmentTerm } from './commitment-plan.js';
import { instanceFamily } from './instance-family.js';
import { compare } from './node-pools.js';
import { HOUR_MILLIS, HOURS_PER_MONTH, type ClusterSavingsInput } from './savings-inputs.js';

/** A term to simulate and where its discount comes from (kcost's documented assumption, or the configuration). */
export interface SourcedTerm extends CommitmentTerm {
  readonly source: string;
}

export interface CommitmentOptions {
  /** The 1- and 3-year terms of a provider; none (a provider without defaults) skips the commitment advice. */
  readonly termsFor: (provider: string) => readonly SourcedTerm[];
}

/**
 * COMMITMENT advice per instance family of the cluster's on-demand spend and
 * term: the commitment that maximizes the net saving, simulated hour by hour
 * over the lookback (commitment-plan.ts). The spend is the stored hourly
 * on-demand node cost (spot and reserved nodes excluded); hours of the
 * lookback with no stored cost count as zero spend, so a short history never
 * makes a base look steadier than it is, and confidence says how much of the
 * lookback was stored.
 */
export function adviseCommitments(input: ClusterSavingsInput, options: CommitmentOptions): Recommendation[] {
  const spend = input.onDemandSpend;
  const onDemandNodes = input.nodes.filter((n) => n.capacityType === 'ON_DEMAND');
  const where = onDemandNodes[0] ?? input.nodes[0];
  if (!where || spend.hours === 0) return [];
  const families = new Map<string, number[]>();
  for (const [instanceType, hourly] of spend.byInstanceType) {
    const family = instanceFamily(where.provider, instanceType);
    const total = families.get(family) ?? new Array<number>(spend.hours).fill(0);
    hourly.forEach((usd, i) => (total[i] = (total[i] ?? 0) + usd));
    families.set(family, total);
  }
  const out: Recommendation[] = [];
  for (const [family, hourly] of [...families.entries()].sort(([a], [b]) => compare(a, b))) {
    if (hourly.every((usd) => usd <= 0)) continue;
    for (const term of options.termsFor(where.provider)) {
      const plan = planCommitment(hourly, term, HOURS_PER_MONTH);
      const average = hourly.reduce((a, b) => a + b, 0) / hourly.length;
      out.push(
        savingsRecord(
          {
            kind: 'COMMITMENT',
            key: `${input.cluster}/Commitment/${where.provider}/${where.region}/${family}/${term.years}y`,
            cluster: input.cluster,
            generatedAt: input.hourStart + HOUR_MILLIS,
            confidence: Math.min(1, spend.coveredHours / spend.lookbackHours),
            risk: term.years === 3 ? 'HIGH' : 'MEDIUM',
            reasons: plan.coveredOnDemandUsdPerHour > 0 ? ['STEADY_ON_DEMAND_BASE'] : [],
            strategy: { name: 'kcost-commitment', parameters: { offer: term.name, lookbackHours: spend.lookbackHours, termYears: term.years, discount: term.discount, upfrontFraction: term.upfrontFraction, hoursPerMonth: HOURS_PER_MONTH } },
          },
          { currentUsd: plan.onDemandMonthlyUsd / HOURS_PER_MONTH, recommendedUsd: plan.withCommitmentMonthlyUsd / HOURS_PER_MONTH, priceSources: [...new Set(where.priceSources)] },
          {
            commitment: {
              target: { cluster: input.cluster, provider: where.provider, region: where.region, instanceFamily: family, term: `${term.years}y` },
              discount: term.discount,
              discountSource: term.source,
              upfrontFraction: term.upfrontFraction,
              lookbackHours: spend.hours,
              commitmentUsdPerHour: plan.commitmentUsdPerHour,
              coveredOnDemandUsdPerHour: plan.coveredOnDemandUsdPerHour,
              minimumHourlyUsd: Math.min(...hourly),
              averageHourlyUsd: average,
              expectedUtilization: plan.expectedUtilization,
              coverage: plan.coverage,
              breakEvenMonth: plan.breakEvenMonth,
            },
          },
        ),
      );
    }
  }
  return out;
}
