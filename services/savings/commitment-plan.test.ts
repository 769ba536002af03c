import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMITMENT_TERMS, defaultCommitmentTerm, planCommitment, quantileCommitmentLevel, type CommitmentTerm } from './commitment-plan.js';

const term = (discount: number, o: Partial<CommitmentTerm> = {}): CommitmentTerm => ({ name: `test-${discount}`, years: 1, discount, upfrontFraction: 0, ...o });

/** A week of hourly spend: 10 USD/h all the time, 16 USD/h from 09:00 to 15:00 every day. */
const baseWithDailyPeak: readonly number[] = Array.from({ length: 7 * 24 }, (_, h) => (h % 24 >= 9 && h % 24 < 15 ? 16 : 10));

/** The lookback cost of committing `level` the way the docs state it, written independently of the module. */
function lookbackSaving(hourly: readonly number[], level: number, discount: number): number {
  return hourly.reduce((sum, spend) => sum + spend - (level * (1 - discount) + Math.max(0, spend - level)), 0);
}

describe('planCommitment: the hand-computed week (10 USD/h base, +6 USD/h for 6 h a day, 7 days)', () => {
  // 168 hours: 126 at 10 USD and 42 at 16 USD, 1932 USD on-demand in all
  // (11.5 USD/h on average, 8395 USD per 730-hour month). 42 of 168 hours
  // (25 %) spend above the base.

  it('at 30 % off, commits the base: the peak hours would not pay for themselves', () => {
    // c = 10: the fee is 10 × 0.7 = 7 USD every hour, 1176 USD for the week;
    // the 42 peak hours add 6 USD each on-demand, 252 USD. 1428 USD in all,
    // 504 USD saved: 3 USD/h, 2190 USD a month. Committing 16 instead would
    // cost 16 × 0.7 × 168 = 1881.60 USD and save only 50.40 USD.
    // Utilization 1680 / 1680 = 1; coverage 1680 / 1932 = 0.869565…
    const plan = planCommitment(baseWithDailyPeak, term(0.3));
    expect(plan.coveredOnDemandUsdPerHour).toBe(10);
    expect(plan.commitmentUsdPerHour).toBeCloseTo(7, 2);
    expect(plan.netMonthlySavingUsd).toBeCloseTo(2190, 2);
    expect(plan.onDemandMonthlyUsd).toBeCloseTo(8395, 2);
    expect(plan.withCommitmentMonthlyUsd).toBeCloseTo(6205, 2);
    expect(plan.expectedUtilization).toBeCloseTo(1, 6);
    expect(plan.coverage).toBeCloseTo(1680 / 1932, 6);
    expect([plan.lookbackHours, plan.minimumHourlyUsd, plan.hoursAboveCommitment, plan.breakEvenMonth, plan.upfrontUsd]).toEqual([168, 10, 42, 1, 0]);
  });

  it('at 80 % off, rises to the peak: each peak dollar is used 25 % of the hours and costs only 20 %', () => {
    // c = 16: the fee is 16 × 0.2 = 3.20 USD every hour, 537.60 USD for the
    // week, nothing on-demand: 1394.40 USD saved, 8.30 USD/h, 6059 USD a
    // month (c = 10 would save 1344 USD). Utilization 1932 / 2688 = 0.71875.
    const plan = planCommitment(baseWithDailyPeak, term(0.8));
    expect(plan.coveredOnDemandUsdPerHour).toBe(16);
    expect(plan.commitmentUsdPerHour).toBeCloseTo(3.2, 2);
    expect(plan.netMonthlySavingUsd).toBeCloseTo(6059, 2);
    expect(plan.withCommitmentMonthlyUsd).toBeCloseTo(2336, 2);
    expect(plan.expectedUtilization).toBeCloseTo(0.71875, 6);
    expect([plan.coverage, plan.hoursAboveCommitment]).toEqual([1, 0]);
  });

  it('at exactly 75 % off, where base and peak save the same 5475 USD a month, keeps the smaller commitment', () => {
    // c = 10: 420 + 252 = 672 USD; c = 16: 16 × 0.25 × 168 = 672 USD. Both
    // save 1260 USD a week (7.50 USD/h, 5475 USD a month); less at risk wins.
    const plan = planCommitment(baseWithDailyPeak, term(0.75));
    expect(plan.coveredOnDemandUsdPerHour).toBe(10);
    expect(plan.netMonthlySavingUsd).toBeCloseTo(5475, 2);
  });

  it('with half paid upfront, breaks even in month 7 of the year', () => {
    // c = 10 at 30 % off, 1 year: upfront 0.5 × 7 × 730 × 12 = 30660 USD.
    // Each month pays 3.50 × 730 = 2555 USD of fee and 1095 USD on-demand
    // overage against 8395 USD on-demand: 4745 USD saved a month.
    // 30660 / 4745 = 6.46, so month 7. Amortized, still 2190 USD a month.
    const plan = planCommitment(baseWithDailyPeak, term(0.3, { upfrontFraction: 0.5 }));
    expect(plan.upfrontUsd).toBeCloseTo(30660, 2);
    expect(plan.breakEvenMonth).toBe(7);
    expect(plan.netMonthlySavingUsd).toBeCloseTo(2190, 2);
  });

  it('all upfront over 3 years breaks even where 36 months of saving first cover the payment', () => {
    // c = 10 at 30 % off: upfront 7 × 730 × 36 = 183960 USD; each month saves
    // 8395 − 1095 = 7300 USD; 183960 / 7300 = 25.2, so month 26.
    const plan = planCommitment(baseWithDailyPeak, term(0.3, { years: 3, upfrontFraction: 1 }));
    expect(plan.upfrontUsd).toBeCloseTo(183960, 2);
    expect(plan.breakEvenMonth).toBe(26);
  });
});

describe('planCommitment: when not to commit', () => {
  it('advises nothing for spend that drops to zero most hours, and has no break-even', () => {
    const spiky = [0, 0, 0, 0, 0, 0, 0, 0, 0, 50];
    const plan = planCommitment(spiky, term(0.3));
    expect([plan.coveredOnDemandUsdPerHour, plan.commitmentUsdPerHour, plan.netMonthlySavingUsd, plan.breakEvenMonth, plan.expectedUtilization, plan.coverage]).toEqual([0, 0, 0, null, 0, 0]);
  });

  it('advises nothing at a zero discount', () => {
    expect(planCommitment(baseWithDailyPeak, term(0)).coveredOnDemandUsdPerHour).toBe(0);
  });

  it.each([
    { name: 'an empty series', hourly: [], t: term(0.3), message: /series is empty/ },
    { name: 'a negative hour', hourly: [1, -2], t: term(0.3), message: /hour 1 has spend -2/ },
    { name: 'a NaN hour', hourly: [Number.NaN], t: term(0.3), message: /hour 0 has spend NaN/ },
    { name: 'a discount of 100 %', hourly: [1], t: term(1), message: /discount 1 is not a fraction/ },
    { name: 'an upfront share above 1', hourly: [1], t: term(0.3, { upfrontFraction: 1.5 }), message: /upfrontFraction 1.5/ },
  ])('rejects $name with a one-line error', ({ hourly, t, message }) => {
    expect(() => planCommitment(hourly, t)).toThrow(message);
  });
});

const cents = fc.integer({ min: 0, max: 5000 }).map((c) => c / 100);
const discounts = fc.integer({ min: 0, max: 95 }).map((p) => p / 100);

describe('planCommitment: properties', () => {
  it('the hour-by-hour simulation and the (1 − discount)-quantile rule choose the same level', () => {
    fc.assert(
      fc.property(fc.array(cents, { minLength: 1, maxLength: 300 }), discounts, (hourly, discount) => {
        expect(planCommitment(hourly, term(discount)).coveredOnDemandUsdPerHour).toBe(quantileCommitmentLevel(hourly, discount));
      }),
      { numRuns: 500 },
    );
  });

  it('no level, observed or not, saves more than the chosen one; the saving is never negative', () => {
    fc.assert(
      fc.property(fc.array(cents, { minLength: 1, maxLength: 200 }), discounts, fc.array(cents, { minLength: 1, maxLength: 20 }), (hourly, discount, others) => {
        const plan = planCommitment(hourly, term(discount));
        const chosen = lookbackSaving(hourly, plan.coveredOnDemandUsdPerHour, discount);
        expect(chosen).toBeGreaterThanOrEqual(-1e-9);
        for (const level of others) expect(chosen).toBeGreaterThanOrEqual(lookbackSaving(hourly, level, discount) - 1e-6);
        expect(plan.netMonthlySavingUsd).toBeCloseTo((chosen / hourly.length) * 730, 6);
      }),
      { numRuns: 300 },
    );
  });

  it('never commits above the minimum hourly spend when fewer than (1 − discount) of the hours spend above it', () => {
    const week = fc.record({
      base: cents,
      peaks: fc.array(fc.integer({ min: 1, max: 3000 }).map((c) => c / 100), { maxLength: 168 }),
      steadyHours: fc.integer({ min: 1, max: 168 }),
      discount: discounts,
    });
    let exercised = 0;
    fc.assert(
      fc.property(week, ({ base, peaks, steadyHours, discount }) => {
        const hourly = [...Array.from({ length: steadyHours }, () => base), ...peaks.map((p) => base + p)];
        fc.pre(peaks.length / hourly.length < 1 - discount);
        exercised += 1;
        const plan = planCommitment(hourly, term(discount));
        expect(plan.coveredOnDemandUsdPerHour).toBeLessThanOrEqual(plan.minimumHourlyUsd);
        expect(plan.minimumHourlyUsd).toBe(base);
      }),
      { numRuns: 500 },
    );
    expect(exercised).toBeGreaterThan(100);
  });

  it('utilization and coverage are shares, and the monthly figures add up', () => {
    fc.assert(
      fc.property(fc.array(cents, { minLength: 1, maxLength: 200 }), discounts, fc.constantFrom(0, 0.5, 1), fc.constantFrom(1 as const, 3 as const), (hourly, discount, upfrontFraction, years) => {
        const plan = planCommitment(hourly, term(discount, { upfrontFraction, years }));
        for (const share of [plan.expectedUtilization, plan.coverage]) {
          expect(share).toBeGreaterThanOrEqual(0);
          expect(share).toBeLessThanOrEqual(1 + 1e-12);
        }
        expect(plan.netMonthlySavingUsd).toBeCloseTo(plan.onDemandMonthlyUsd - plan.withCommitmentMonthlyUsd, 6);
        expect(plan.hoursAboveCommitment).toBe(hourly.filter((s) => s > plan.coveredOnDemandUsdPerHour).length);
        if (plan.breakEvenMonth !== null) expect(plan.breakEvenMonth).toBeLessThanOrEqual(12 * years);
        if (plan.netMonthlySavingUsd > 1e-6) expect(plan.breakEvenMonth).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

describe('default commitment discounts', () => {
  it('has a 1- and a 3-year term for every provider, the longer term deeper, all plannable', () => {
    for (const [provider, byTerm] of Object.entries(DEFAULT_COMMITMENT_TERMS)) {
      expect(byTerm[3].discount, provider).toBeGreaterThan(byTerm[1].discount);
      expect([byTerm[1].years, byTerm[3].years]).toEqual([1, 3]);
      expect(planCommitment(baseWithDailyPeak, byTerm[3]).coveredOnDemandUsdPerHour).toBe(10);
    }
  });

  it('looks a provider up case-insensitively and names the known ones for any other', () => {
    expect(defaultCommitmentTerm('AWS', 3)).toBe(DEFAULT_COMMITMENT_TERMS.aws[3]);
    expect(() => defaultCommitmentTerm('oracle', 1)).toThrow('no default commitment discount for provider oracle: give one in the price book (defaults exist for aws, gcp, azure)');
  });
});
