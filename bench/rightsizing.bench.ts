// Right-sizing quality: kcost's default strategy against a VPA-default and
// a KRR-simple baseline on simulated workloads whose true demand is known
// (services/recommender/evaluation). Each workload runs 14 days on its
// starting spec, then 21 scored days in which every strategy is asked daily
// (and after each OOM kill) and its advice applied; the scored minutes are
// judged against the true demand. Pure computation: it needs neither Kafka
// nor PostgreSQL (run it with KAFKA_BROKERS set so the runner starts none).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PRICES } from '../services/processor/default-prices.js';
import { evaluate, plannersFor, pooled, totals, type Evaluation } from '../services/recommender/evaluation/evaluate.js';
import { goalChecks, KCOST, KRR, missedParts, VPA, type GoalCheck } from '../services/recommender/evaluation/goal.js';
import { DEFAULT_REPLAY } from '../services/recommender/evaluation/replay.js';
import { outcomeTable } from '../services/recommender/evaluation/report-table.js';
import { archetypes, MINUTES_PER_DAY } from '../services/recommender/evaluation/workloads.js';
import { KCOST_STRATEGY, KRR_SIMPLE_STRATEGY, VPA_STRATEGY } from '../services/recommender/strategy.js';
import type { Benchmark, Figure } from './bench-types.js';

const DAYS = 35;
/** Held out: kcost's defaults were chosen on seeds 1-3 (docs/rightsizing.md), never on these. */
const SEEDS = [42, 43, 44];
const RATES = { cpuCoreHourUsd: DEFAULT_PRICES.onDemand.cpuCoreHourUsd, memoryGibHourUsd: DEFAULT_PRICES.onDemand.memoryGibHourUsd };

/** A lower-is-better figure against a baseline; no ratio where the baseline is 0. */
function versus(metric: string, unit: string, value: number, baseline: { label: string; value: number }, target?: { text: string; met: boolean }): Figure {
  const ratio = baseline.value > 0 && value > 0 ? baseline.value / value : undefined;
  return { metric, value, unit, better: 'lower', baseline, ...(ratio === undefined ? {} : { ratio }), ...(target ? { target } : {}) };
}

function goalFigures(check: GoalCheck): Figure[] {
  const scope = check.scope;
  const best = Math.min(check.vpa.cpuStarvedMinutes, check.krr.cpuStarvedMinutes);
  return [
    versus(`${scope}: requested core-hours`, 'core-h', check.kcost.coreHours, { label: KRR, value: check.krr.coreHours }, { text: '≥ 20 % fewer than KRR', met: check.fewerCoreHours }),
    versus(`${scope}: OOM kills`, 'kills', check.kcost.oomKills, { label: VPA, value: check.vpa.oomKills }, { text: '≤ VPA', met: check.noMoreOoms }),
    versus(`${scope}: CPU-starved container-minutes`, 'min', check.kcost.cpuStarvedMinutes, { label: check.vpa.cpuStarvedMinutes <= check.krr.cpuStarvedMinutes ? VPA : KRR, value: best }, { text: '≤ the better of VPA and KRR', met: check.noMoreStarvation }),
  ];
}

/** Why a workload's goal is missed, from the figures: which baseline did better, at what request. */
function why(check: GoalCheck, evaluation: Evaluation): string {
  const current = evaluation.outcomes.find((x) => x.workload === check.scope && x.strategy === 'current');
  const more = (a: number, b: number): string => `${Math.abs(((a - b) / b) * 100).toFixed(1)} % ${a >= b ? 'more' : 'fewer'}`;
  const notes: string[] = [];
  if (!check.fewerCoreHours) {
    if (current && check.krr.coreHours === current.coreHours) notes.push("KRR left CPU as it was (an HPA scales on it), so its core-hours are today's");
    else if (check.kcost.cpuStarvedMinutes < check.krr.cpuStarvedMinutes) notes.push(`KRR's p95 without margin requests less and pays with ${check.krr.cpuStarvedMinutes - check.kcost.cpuStarvedMinutes} more starved minutes`);
    else notes.push('kcost requests more than KRR without starving less');
  }
  if (!check.noMoreStarvation) {
    const [label, best] = check.vpa.cpuStarvedMinutes <= check.krr.cpuStarvedMinutes ? [VPA, check.vpa] : [KRR, check.krr];
    notes.push(`${label} starves less with ${more(best.coreHours, check.kcost.coreHours)} core-hours than kcost`);
  }
  if (!check.noMoreOoms) notes.push('memory demand rose past the limit before the next recommendation');
  return `${check.scope}: missed — ${missedParts(check).join('; ')}. ${notes.join('; ')}.`;
}

const rightsizingBench: Benchmark = async (context) => {
  const started = Date.now();
  const runs = SEEDS.map((seed) => {
    const t = Date.now();
    const run = evaluate(archetypes(DAYS, seed), plannersFor([VPA_STRATEGY, KRR_SIMPLE_STRATEGY, KCOST_STRATEGY]), DEFAULT_REPLAY, RATES);
    context.log(`seed ${seed}: ${run.workloads.length} workloads × ${run.strategies.length} strategies in ${Date.now() - t} ms`);
    return run;
  });
  const evaluation = pooled(runs);
  const checks = goalChecks(evaluation);
  const overall = checks[checks.length - 1] as GoalCheck;
  const figures: Figure[] = [...goalFigures(overall)];
  const all = (s: string) => totals(evaluation, s);
  figures.push(
    versus('all workloads: requested GiB-hours', 'GiB-h', all(KCOST).gibHours, { label: KRR, value: all(KRR).gibHours }),
    { metric: 'all workloads: USD saved vs today\'s specs', value: all(KCOST).savedUsd, unit: 'USD', better: 'higher', baseline: { label: KRR, value: all(KRR).savedUsd }, ratio: all(KCOST).savedUsd / all(KRR).savedUsd },
    { metric: 'all workloads: USD saved vs today\'s specs (VPA)', value: all(VPA).savedUsd, unit: 'USD', better: 'higher', baseline: { label: KRR, value: all(KRR).savedUsd }, ratio: all(VPA).savedUsd / all(KRR).savedUsd },
  );
  for (const check of checks.slice(0, -1)) figures.push(...goalFigures(check));

  const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const tablePath = join(outDir, 'rightsizing.md');
  writeFileSync(tablePath, `# rightsizing: every workload and strategy\n\nSeeds ${SEEDS.join(', ')} pooled; ${DAYS - DEFAULT_REPLAY.scoreFromMinute / MINUTES_PER_DAY} scored days each.\n\n${outcomeTable(evaluation)}\n`);
  context.log(`wrote ${tablePath}`);

  const scoredDays = DAYS - DEFAULT_REPLAY.scoreFromMinute / MINUTES_PER_DAY;
  const row = (s: string) => {
    const t = all(s);
    return `${s}: ${t.coreHours.toFixed(0)} core-h, ${t.gibHours.toFixed(0)} GiB-h, ${t.oomKills} OOM kills, ${t.cpuStarvedMinutes} starved min, saved ${t.savedUsd.toFixed(2)} USD`;
  };
  return {
    name: 'rightsizing',
    description: `Right-sizing on 8 simulated workloads with known demand (steady, diurnal, bursty, nightly CronJob, memory leak, JVM heap, step growth, HPA-scaled): kcost's default strategy against VPA's defaults and KRR's simple strategy, ${scoredDays} scored days at 1-minute resolution after 14 days of history, ${SEEDS.length} seeds pooled.`,
    figures,
    notes: [
      `Totals over all workloads and seeds — ${evaluation.strategies.map(row).join(' | ')}.`,
      `Per seed (${SEEDS.join(', ')}): kcost/KRR core-hours ${runs.map((r) => (totals(r, KCOST).coreHours / totals(r, KRR).coreHours).toFixed(3)).join(', ')}; kcost/VPA starved minutes ${runs.map((r) => (totals(r, KCOST).cpuStarvedMinutes / Math.max(1, totals(r, VPA).cpuStarvedMinutes)).toFixed(3)).join(', ')}; OOM kills kcost/VPA ${runs.map((r) => `${totals(r, KCOST).oomKills}/${totals(r, VPA).oomKills}`).join(', ')}.`,
      ...checks.filter((c) => !c.met).map((c) => why(c, evaluation)),
      `Full side-by-side table: ${tablePath}.`,
      'Scoring: core-hours and GiB-hours are Σ replicas × request over the scored minutes; an OOM kill is a replica-minute whose memory demand exceeds its limit (again every 5 minutes while it stays above, kubelet\'s back-off cap); a CPU-starved minute is a replica-minute whose demand exceeds its request, the share a full node guarantees (every neighbour using its own request); HPA replicas follow the simulated controller, so a lower request raises the count. USD at 0.031611 $/vCPU-h and 0.004237 $/GiB-h.',
      'Every strategy is asked daily and right after an OOM kill, and a change is applied only when it moves a value by ≥ 10 % (VPA\'s updater threshold), for all of them alike. KRR is the reference implementation on raw samples (exact p95, exact max); the krr-simple row is the same strategy through kcost\'s histograms, for comparison.',
      `Ran in ${((Date.now() - started) / 1000).toFixed(1)} s; no Kafka or PostgreSQL used.`,
    ],
  };
};

export default rightsizingBench;
