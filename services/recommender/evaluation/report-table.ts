import type { Evaluation, Outcome } from './evaluate.js';
import { totals } from './evaluate.js';

const round = (n: number, digits = 0): string => n.toFixed(digits);

/** The side-by-side table of every workload and strategy (and totals), as Markdown. */
export function outcomeTable(evaluation: Evaluation): string {
  const lines = [
    '| workload | strategy | core-hours | GiB-hours | OOM kills | CPU-starved min | CPU shortfall core-h | replica-hours | changes | saved USD |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const row = (workload: string, o: Omit<Outcome, 'workload'>): string =>
    `| ${workload} | ${o.strategy} | ${round(o.coreHours)} | ${round(o.gibHours)} | ${o.oomKills} | ${o.cpuStarvedMinutes} | ${round(o.cpuShortfallCoreHours, 1)} | ${round(o.replicaHours)} | ${o.changes} | ${round(o.savedUsd, 2)} |`;
  for (const workload of evaluation.workloads) for (const o of evaluation.outcomes.filter((x) => x.workload === workload)) lines.push(row(workload, o));
  for (const strategy of evaluation.strategies) lines.push(row('**all**', totals(evaluation, strategy)));
  return lines.join('\n');
}
