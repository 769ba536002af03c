import type { Recommendation } from '../recommender/recommendation.js';
import type { Column } from './table.js';

// Tables of the cluster-savings kinds (kcost savings): one row per record.

const usd = (value: number) => value.toFixed(2);
const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;
const nodes = (lines: ReadonlyArray<{ count: number; instanceType: string }>) => lines.map((l) => `${l.count}x${l.instanceType}`).join(',') || '-';
const sumByType = (lines: ReadonlyArray<{ count: number; instanceType: string }>) => {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.instanceType, (merged.get(l.instanceType) ?? 0) + l.count);
  return [...merged].map(([instanceType, count]) => ({ instanceType, count }));
};

export type PoolRow = Recommendation & { nodePool: NonNullable<Recommendation['nodePool']> };
export const POOL_COLUMNS: ReadonlyArray<Column<PoolRow>> = [
  { header: 'POOL', value: (r) => r.nodePool.target.pool },
  { header: 'CAPACITY', value: (r) => r.nodePool.capacityType },
  { header: 'NODES NOW', value: (r) => nodes(sumByType(r.nodePool.current)) },
  { header: 'PROPOSED', value: (r) => nodes(sumByType(r.nodePool.proposed)) },
  { header: 'USD/H NOW', value: (r) => usd(r.nodePool.currentHourlyUsd), align: 'right' },
  { header: 'USD/H PROPOSED', value: (r) => usd(r.nodePool.proposedHourlyUsd), align: 'right' },
  { header: 'SAVING USD/MO', value: (r) => usd(r.saving.monthlySavingsUsd), align: 'right' },
  { header: 'CONFIDENCE', value: (r) => percent(r.confidence), align: 'right' },
  { header: 'REASONS', value: (r) => r.reasons.join(',') || '-' },
];

export type SpotRow = Recommendation & { spotWorkload: NonNullable<Recommendation['spotWorkload']> };
export const SPOT_COLUMNS: ReadonlyArray<Column<SpotRow>> = [
  { header: 'WORKLOAD', value: (r) => `${r.spotWorkload.target.namespace}/${r.spotWorkload.target.workloadKind}/${r.spotWorkload.target.workloadName}` },
  { header: 'REPLICAS', value: (r) => String(r.spotWorkload.replicas), align: 'right' },
  { header: 'SUITABLE', value: (r) => (r.spotWorkload.suitable ? 'yes' : 'no') },
  { header: 'FAILED RULES', value: (r) => r.spotWorkload.rules.filter((x) => !x.passed).map((x) => x.rule).join(',') || '-' },
  { header: 'INSTANCE TYPES', value: (r) => r.spotWorkload.instanceTypes.join(',') },
  { header: 'SAVING USD/MO', value: (r) => usd(r.saving.monthlySavingsUsd), align: 'right' },
  { header: 'CONFIDENCE', value: (r) => percent(r.confidence), align: 'right' },
];

export type CommitmentRow = Recommendation & { commitment: NonNullable<Recommendation['commitment']> };
export const COMMITMENT_COLUMNS: ReadonlyArray<Column<CommitmentRow>> = [
  { header: 'FAMILY', value: (r) => `${r.commitment.target.provider}/${r.commitment.target.region}/${r.commitment.target.instanceFamily}` },
  { header: 'TERM', value: (r) => r.commitment.target.term },
  { header: 'DISCOUNT', value: (r) => percent(r.commitment.discount), align: 'right' },
  { header: 'COMMIT USD/H', value: (r) => r.commitment.commitmentUsdPerHour.toFixed(3), align: 'right' },
  { header: 'UTILIZATION', value: (r) => percent(r.commitment.expectedUtilization), align: 'right' },
  { header: 'COVERAGE', value: (r) => percent(r.commitment.coverage), align: 'right' },
  { header: 'BREAK-EVEN MONTH', value: (r) => (r.commitment.breakEvenMonth === null ? '-' : String(r.commitment.breakEvenMonth)), align: 'right' },
  { header: 'SAVING USD/MO', value: (r) => usd(r.saving.monthlySavingsUsd), align: 'right' },
  { header: 'CONFIDENCE', value: (r) => percent(r.confidence), align: 'right' },
];

export type ArmRow = Recommendation & { armWorkload: NonNullable<Recommendation['armWorkload']> };
export const ARM_COLUMNS: ReadonlyArray<Column<ArmRow>> = [
  { header: 'WORKLOAD', value: (r) => `${r.armWorkload.target.namespace}/${r.armWorkload.target.workloadKind}/${r.armWorkload.target.workloadName}` },
  { header: 'MOVES', value: (r) => r.armWorkload.moves.map((m) => `${m.instanceType}→${m.armInstanceType}`).join(',') },
  { header: 'SAVING USD/MO', value: (r) => usd(r.saving.monthlySavingsUsd), align: 'right' },
  { header: 'NOTE', value: () => 'check images are multi-arch' },
];
